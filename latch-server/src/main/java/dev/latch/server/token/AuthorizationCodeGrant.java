package dev.latch.server.token;

import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import dev.latch.core.error.OAuthError;
import dev.latch.core.pkce.Pkce;
import dev.latch.server.client.Client;
import dev.latch.server.code.AuthorizationCodeStore;
import dev.latch.server.code.AuthorizationCodeStore.Redemption;
import dev.latch.server.code.ApprovedAuthorization;
import dev.latch.server.refresh.RefreshTokenStore;
import dev.latch.server.user.User;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * RFC 6749 §4.1.3 with RFC 7636 §4.6: a code is redeemed once by the client it was issued to, with the
 * same {@code redirect_uri} and the PKCE verifier of its challenge. A second redemption revokes what
 * the first produced (RFC 6749 §4.1.2, RFC 9700 §4.5).
 */
public final class AuthorizationCodeGrant implements GrantType {

    /** RFC 7636 §4.1: 43-128 characters of the unreserved set. */
    private static final Pattern VERIFIER = Pattern.compile("[A-Za-z0-9\\-._~]{43,128}");

    private final AuthorizationCodeStore codes;
    private final UserTokens tokens;
    private final RevokedTokens revoked;
    private final Clock clock;
    private final Audiences audiences;
    private final Duration maxAccessTokenLifetime;

    public AuthorizationCodeGrant(AuthorizationCodeStore codes, UserTokens tokens, RevokedTokens revoked, Clock clock,
                                  Audiences audiences, Duration maxAccessTokenLifetime) {
        this.codes = codes;
        this.tokens = tokens;
        this.revoked = revoked;
        this.clock = clock;
        this.audiences = audiences;
        this.maxAccessTokenLifetime = maxAccessTokenLifetime;
    }

    @Override
    public String type() {
        return "authorization_code";
    }

    @Override
    public TokenResponse execute(TokenRequest request) {
        Client client = request.client().client();
        // malformed requests are refused before the code is touched, so they cannot burn it
        String code = TokenRequest.required(request.code(), "code");
        String redirectUri = TokenRequest.required(request.redirectUri(), "redirect_uri");
        String verifier = request.codeVerifier();
        if (verifier != null && !VERIFIER.matcher(verifier).matches()) {
            throw OAuthError.invalidRequest("code_verifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)");
        }
        long now = clock.instant().getEpochSecond();
        Redemption redemption = codes.redeem(code, now);
        ApprovedAuthorization grant = switch (redemption) {
            case Redemption.Invalid ignored -> throw OAuthError.invalidGrant("the authorization code is invalid or expired");
            case Redemption.Replayed replayed -> throw revokeWhatTheFirstUseProduced(replayed, now);
            case Redemption.Redeemed redeemed -> redeemed.grant();
        };
        checkClient(client, grant);
        checkRedirectUri(grant, redirectUri);
        checkPkce(client, grant, verifier);
        List<String> resources = checkResources(request.resources(), grant);
        List<String> audience = TokenRequestChecks.checkAudience(client, resources, audiences);
        User user = tokens.activeUser(grant.subject());

        UserTokens.SignIn signIn = new UserTokens.SignIn(grant.subject(), grant.authTime(), grant.nonce(), grant.sessionId(), grant.amr());
        String refreshToken = null;
        String family = null;
        if (client.allowsGrant("refresh_token")
                && (grant.offlineAccess() || RefreshTokenStore.Family.onlineOnly(grant.scope()) || client.refreshTokensAlways())) {
            RefreshTokenStore.Use.Rotated started = tokens.startRefresh(client, signIn, grant.scope(), grant.resources(),
                    grant.launchContext());
            refreshToken = started.token();
            family = started.family().familyId();
        }
        UserTokens.Issued issued = tokens.issue(client, user, signIn, grant.scope(), audience, refreshToken, family,
                grant.launchContext());
        codes.recordIssued(code, List.of(issued.accessTokenJti()), family);
        return issued.response();
    }

    private OAuthError revokeWhatTheFirstUseProduced(Redemption.Replayed replayed, long now) {
        // the jti outlives any access token issued from the code; the deny-list forgets it after that
        long until = now + maxAccessTokenLifetime.toSeconds();
        for (String jti : replayed.issuedJtis()) {
            revoked.revoke(jti, replayed.grant().clientId(), until);
        }
        if (replayed.refreshFamily() != null) {
            tokens.refreshTokens().revokeFamily(replayed.refreshFamily(), now);
        }
        Audit.failure(AuditEvent.CODE_REPLAY).client(replayed.grant().clientId()).user(replayed.grant().subject())
                .family(replayed.refreshFamily()).count(replayed.issuedJtis().size()).error("invalid_grant")
                .reason("the authorization code was already used: what it produced is revoked").write();
        return OAuthError.invalidGrant("the authorization code was already used");
    }

    static void checkClient(Client client, ApprovedAuthorization grant) {
        if (!client.clientId().equals(grant.clientId())) {
            throw OAuthError.invalidGrant("the authorization code was issued to another client");
        }
    }

    /** RFC 6749 §4.1.3: identical to the redirect_uri of the authorization request. */
    static void checkRedirectUri(ApprovedAuthorization grant, String redirectUri) {
        if (!redirectUri.equals(grant.redirectUri())) {
            throw OAuthError.invalidGrant("redirect_uri differs from the one of the authorization request");
        }
    }

    /** RFC 7636 §4.6, with the RFC 9700 §2.1.1 rule that a verifier for a code without challenge is refused. */
    static void checkPkce(Client client, ApprovedAuthorization grant, String verifier) {
        if (grant.codeChallenge() == null) {
            if (verifier != null) {
                throw OAuthError.invalidGrant("code_verifier sent for a code issued without code_challenge");
            }
            if (client.pkceRequired()) {
                throw OAuthError.invalidGrant("this client must use PKCE");
            }
            return;
        }
        if (verifier == null) {
            throw OAuthError.invalidGrant("code_verifier is required for this code");
        }
        if (!Pkce.matches(verifier, grant.codeChallenge())) {
            throw OAuthError.invalidGrant("code_verifier does not match the code_challenge");
        }
    }

    /** RFC 8707 §2.2: the token request may narrow the resources of the authorization, never widen them. */
    static List<String> checkResources(List<String> requested, ApprovedAuthorization grant) {
        List<String> granted = grant.resources() == null ? List.of() : grant.resources();
        if (requested.isEmpty()) {
            return granted;
        }
        for (String r : requested) {
            if (!granted.contains(r)) {
                throw OAuthError.invalidTarget("resource was not part of the authorization: " + r);
            }
        }
        return requested;
    }
}
