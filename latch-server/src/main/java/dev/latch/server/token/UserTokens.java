package dev.latch.server.token;

import dev.latch.core.error.OAuthError;
import dev.latch.core.smart.LaunchContext;
import dev.latch.server.claims.ClaimMappings;
import dev.latch.server.client.Client;
import dev.latch.server.refresh.RefreshTokenStore;
import dev.latch.server.user.FhirUser;
import dev.latch.server.user.User;
import dev.latch.server.user.UserStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * What the grants on behalf of a user (authorization code, refresh token) issue alike: the access token
 * ({@code sub} = the user's subject, mapped claims), the ID token when {@code openid} was granted, and
 * refresh tokens with the client's lifetimes or the server's defaults.
 */
public final class UserTokens {

    private final AccessTokenIssuer accessTokens;
    private final IdTokenIssuer idTokens;
    private final RefreshTokenStore refreshTokens;
    private final UserStore users;
    private final ClaimMappings mappings;
    private final Clock clock;
    private final Duration refreshIdle;
    private final Duration refreshAbsolute;
    private final java.util.function.Predicate<String> fhirBase;

    /** What was issued: the response and the access token's jti (for revocation if the grant is replayed). */
    public record Issued(TokenResponse response, String accessTokenJti, String refreshFamily) {}

    /** The sign-in the tokens stand for. */
    public record SignIn(String subject, long authTime, String nonce, String sessionId, List<String> amr) {}

    /** @param fhirBase tells which audiences are configured SMART FHIR bases (for an absolute {@code fhirUser}) */
    public UserTokens(AccessTokenIssuer accessTokens, IdTokenIssuer idTokens, RefreshTokenStore refreshTokens, UserStore users,
                      ClaimMappings mappings, Clock clock, Duration refreshIdle, Duration refreshAbsolute,
                      java.util.function.Predicate<String> fhirBase) {
        this.fhirBase = fhirBase;
        this.accessTokens = accessTokens;
        this.idTokens = idTokens;
        this.refreshTokens = refreshTokens;
        this.users = users;
        this.mappings = mappings;
        this.clock = clock;
        this.refreshIdle = refreshIdle;
        this.refreshAbsolute = refreshAbsolute;
    }

    public RefreshTokenStore refreshTokens() {
        return refreshTokens;
    }

    /** The user, who must still exist and be enabled (RFC 6749 §5.2: otherwise the grant is invalid). */
    public User activeUser(String subject) {
        return users.findBySubject(subject).filter(User::enabled)
                .orElseThrow(() -> OAuthError.invalidGrant("the user of this grant is no longer active"));
    }

    /**
     * Issues access token and (with {@code openid}) ID token.
     *
     * @param refreshToken the refresh token to hand out with them, or null
     */
    public Issued issue(Client client, User user, SignIn signIn, String scope, List<String> audience, String refreshToken,
                        String refreshFamily) {
        return issue(client, user, signIn, scope, audience, refreshToken, refreshFamily, LaunchContext.NONE);
    }

    /**
     * As above, with the SMART launch context of the authorization: claims of the access token (the
     * gateway confines {@code patient/} scopes to its {@code patient}) and members of the token response.
     */
    public Issued issue(Client client, User user, SignIn signIn, String scope, List<String> audience, String refreshToken,
                        String refreshFamily, LaunchContext launch) {
        Set<String> scopes = scope == null || scope.isEmpty() ? Set.of() : Set.of(scope.split(" "));
        // SMART: fhirUser in both tokens when granted; the FHIR front reads it from the access token for user/ scopes
        java.util.Optional<String> fhirUser = FhirUser.claim(user, scopes, audience, fhirBase);
        AccessTokenIssuer.Issued at = accessTokens.issue(client, user.subject(), audience, scope,
                withFhirUser(mappings.claims(user, scopes, ClaimMappings.Target.ACCESS_TOKEN), fhirUser), launch);
        String idToken = null;
        if (scopes.contains("openid")) {
            idToken = idTokens.issue(client, new IdTokenIssuer.Content(user.subject(), signIn.authTime(), signIn.nonce(),
                    signIn.sessionId(), signIn.amr(), withFhirUser(mappings.claims(user, scopes, ClaimMappings.Target.ID_TOKEN), fhirUser)),
                    at.token());
        }
        if (refreshFamily != null) {
            // RFC 7009 §2.1: revoking the family's refresh token revokes this access token too
            refreshTokens.recordAccessToken(refreshFamily, client.clientId(), at.content().jti(), at.content().expiresAt());
        }
        TokenResponse response = new TokenResponse(at.token(), "Bearer", at.content().expiresAt() - at.content().issuedAt(), scope,
                null, refreshToken, idToken, launch.empty() ? null : launch, at.content(), refreshToken == null ? null : refreshFamily);
        return new Issued(response, at.content().jti(), refreshFamily);
    }

    private static java.util.Map<String, Object> withFhirUser(java.util.Map<String, Object> claims, java.util.Optional<String> fhirUser) {
        if (fhirUser.isEmpty()) return claims;
        java.util.Map<String, Object> out = new java.util.LinkedHashMap<>(claims);
        out.put(FhirUser.CLAIM, fhirUser.get());
        return out;
    }

    /** Starts a refresh-token family for a new authorization; returns it with its first token. */
    public RefreshTokenStore.Use.Rotated startRefresh(Client client, SignIn signIn, String scope, List<String> resources) {
        return startRefresh(client, signIn, scope, resources, LaunchContext.NONE);
    }

    /** As above, for an authorization with a SMART launch context, which every refresh repeats. */
    public RefreshTokenStore.Use.Rotated startRefresh(Client client, SignIn signIn, String scope, List<String> resources,
                                                      LaunchContext launch) {
        long now = clock.instant().getEpochSecond();
        long absolute = client.refreshTokenAbsoluteLifetime() != null ? client.refreshTokenAbsoluteLifetime() : refreshAbsolute.toSeconds();
        RefreshTokenStore.Family family = new RefreshTokenStore.Family(null, client.clientId(), signIn.subject(), scope, resources,
                signIn.authTime(), signIn.sessionId(), signIn.amr(), now, now + absolute, launch);
        return refreshTokens.start(family, now + idleSeconds(client));
    }

    public long idleSeconds(Client client) {
        return client.refreshTokenIdleLifetime() != null ? client.refreshTokenIdleLifetime() : refreshIdle.toSeconds();
    }
}
