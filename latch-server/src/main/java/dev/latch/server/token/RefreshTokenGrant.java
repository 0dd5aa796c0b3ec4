package dev.latch.server.token;

import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import dev.latch.core.error.OAuthError;
import dev.latch.server.client.Client;
import dev.latch.server.refresh.RefreshTokenStore;
import dev.latch.server.refresh.RefreshTokenStore.Family;
import dev.latch.server.refresh.RefreshTokenStore.Use;
import dev.latch.server.user.User;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * RFC 6749 §6 with rotation (RFC 9700 §4.14.2): every use returns a new refresh token and retires the
 * one presented; presenting a retired one revokes the family. A narrower {@code scope} narrows this
 * access token only; the refresh token keeps the original grant. An ID token issued here keeps the
 * sign-in's {@code auth_time} and carries no {@code nonce} (OIDC Core §12.2). A family granted
 * {@code online_access} without {@code offline_access} is refreshed only while the user's sign-in session at
 * Latch lives (SMART App Launch 2.2 "permission-online"): after sign-out or the session's end, {@code invalid_grant}.
 */
public final class RefreshTokenGrant implements GrantType {


    private final UserTokens tokens;
    private final Clock clock;
    private final Audiences audiences;
    private final java.util.function.BiPredicate<String, Long> sessionLive;

    /** @param sessionLive whether the sign-in session {@code sid} is live at a time (epoch seconds): for online_access */
    public RefreshTokenGrant(UserTokens tokens, Clock clock, Audiences audiences, java.util.function.BiPredicate<String, Long> sessionLive) {
        this.tokens = tokens;
        this.clock = clock;
        this.audiences = audiences;
        this.sessionLive = sessionLive;
    }

    @Override
    public String type() {
        return "refresh_token";
    }

    @Override
    public TokenResponse execute(TokenRequest request) {
        Client client = request.client().client();
        String presented = TokenRequest.required(request.refreshToken(), "refresh_token");
        String requestedScope = request.scope();
        long now = clock.instant().getEpochSecond();
        record Checked(String scope, List<String> audience, User user) {}
        AtomicReference<Checked> checked = new AtomicReference<>();
        // checked before rotation: a refused request leaves the client its refresh token
        Use use = tokens.refreshTokens().use(presented, client.clientId(), now, tokens.idleSeconds(client), f -> {
            if (f.onlineOnly() && !sessionLive.test(f.sessionId(), now)) {
                throw OAuthError.invalidGrant("the user is no longer signed in, and the grant is for online access only");
            }
            checked.set(new Checked(narrowScope(f.scope(), requestedScope), TokenRequestChecks.checkAudience(client, f.resources(), audiences),
                    tokens.activeUser(f.subject())));
        });
        Use.Rotated rotated = switch (use) {
            case Use.Invalid ignored -> throw OAuthError.invalidGrant("the refresh token is invalid, expired or revoked");
            case Use.Reused reused -> {
                Audit.failure(AuditEvent.REFRESH_REUSE).client(client.clientId()).user(reused.family().subject())
                        .family(reused.family().familyId()).error("invalid_grant").reason("a rotated refresh token was presented again: its family is revoked")
                        .write();
                throw OAuthError.invalidGrant("the refresh token was already used; every token of this grant is revoked");
            }
            case Use.Rotated r -> r;
        };
        Family family = rotated.family();
        Checked c = checked.get();
        UserTokens.SignIn signIn = new UserTokens.SignIn(family.subject(), family.authTime(), null, family.sessionId(), family.amr());
        return tokens.issue(client, c.user(), signIn, c.scope(), c.audience(), rotated.token(), family.familyId(),
                family.launchContext()).response();
    }

    /** RFC 6749 §6: the scope may shrink, never grow beyond the original grant. */
    static String narrowScope(String granted, String requested) {
        if (requested == null) {
            return granted;
        }
        List<String> original = granted == null || granted.isBlank() ? List.of() : List.of(granted.split(" "));
        return TokenRequestChecks.coveredScope(original, requested, "scope beyond the original grant: ");
    }
}
