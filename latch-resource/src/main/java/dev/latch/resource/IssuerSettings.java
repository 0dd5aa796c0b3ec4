package dev.latch.resource;

import dev.latch.client.auth.ClientAuthentication;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What an access token from one issuer must look like, and where its claims are read.
 *
 * @param issuer               the exact {@code iss}; its metadata is found by discovery (RFC 8414, then OIDC)
 * @param audiences            at least one of these must be in {@code aud} (never empty: a resource
 *                             server that accepts any audience accepts tokens minted for others)
 * @param algorithms           allowed JWS algorithms, asymmetric only (default RS256, RS384, RS512,
 *                             PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519)
 * @param type                 the JOSE {@code typ} required: {@link TokenType#AT_JWT} ({@code at+jwt} or
 *                             {@code application/at+jwt}, RFC 9068 §4), {@link TokenType#JWT} ({@code JWT} or absent),
 *                             or {@link TokenType#ANY}
 * @param clockSkew            allowance on {@code exp}, {@code nbf} and {@code iat} (default 60 s)
 * @param roleClaims           claim paths read as roles, dotted ({@code realm_access.roles}); the placeholder
 *                             {@code *} in {@code resource_access.*.roles} takes every client's roles
 * @param scopeClaims          claims read as scopes, a space-separated string or a list ({@code scope}, {@code scp})
 * @param usernameClaim        default {@code preferred_username}
 * @param emailClaim           default {@code email}
 * @param clientIdClaims       the first present names the client ({@code client_id}, {@code azp}, {@code appid})
 * @param introspection        client authentication for RFC 7662 introspection of opaque tokens, or null
 *                             (opaque tokens are then refused as malformed)
 * @param introspectionCacheTtl how long an introspection answer is kept (never past the token's {@code exp}; default 60 s; 0 = never cached)
 * @param jwksRefetchInterval  an unknown {@code kid} makes the JWKS be fetched again at most this often (default 30 s)
 * @param jwksTtl              how long a JWKS is used before it is fetched again (default 5 min)
 */
public record IssuerSettings(String issuer, Set<String> audiences, Set<String> algorithms, TokenType type,
                             Duration clockSkew, List<String> roleClaims, List<String> scopeClaims,
                             String usernameClaim, String emailClaim, List<String> clientIdClaims,
                             ClientAuthentication introspection, Duration introspectionCacheTtl,
                             Duration jwksRefetchInterval, Duration jwksTtl) {

    /** The JOSE {@code typ} an access token must carry. */
    public enum TokenType { AT_JWT, JWT, ANY }

    public static final Set<String> DEFAULT_ALGORITHMS = Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
            "ES256", "ES384", "ES512", "EdDSA", "Ed25519");

    /**
     * Roles where the common issuers put them: {@code roles} (Latch, Entra ID app roles, RFC 9068 §2.2.3.1),
     * {@code groups}, Keycloak's {@code realm_access.roles} and {@code resource_access.*.roles}.
     */
    public static final List<String> DEFAULT_ROLE_CLAIMS = List.of("roles", "groups", "realm_access.roles", "resource_access.*.roles");

    public IssuerSettings {
        Objects.requireNonNull(issuer, "issuer");
        audiences = Set.copyOf(audiences);
        if (audiences.isEmpty()) {
            throw new IllegalArgumentException("issuer " + issuer + ": an audience is required");
        }
        algorithms = Set.copyOf(algorithms);
        roleClaims = List.copyOf(roleClaims);
        scopeClaims = List.copyOf(scopeClaims);
        clientIdClaims = List.copyOf(clientIdClaims);
    }

    /** Settings with every default, for {@code issuer} and one required audience. */
    public static IssuerSettings of(String issuer, String audience) {
        return new IssuerSettings(issuer, Set.of(audience), DEFAULT_ALGORITHMS, TokenType.ANY, Duration.ofSeconds(60),
                DEFAULT_ROLE_CLAIMS, List.of("scope", "scp"), "preferred_username", "email", List.of("client_id", "azp", "appid"),
                null, Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofMinutes(5));
    }

    public IssuerSettings withType(TokenType type) {
        return new IssuerSettings(issuer, audiences, algorithms, type, clockSkew, roleClaims, scopeClaims, usernameClaim,
                emailClaim, clientIdClaims, introspection, introspectionCacheTtl, jwksRefetchInterval, jwksTtl);
    }

    public IssuerSettings withAlgorithms(Set<String> algorithms) {
        return new IssuerSettings(issuer, audiences, algorithms, type, clockSkew, roleClaims, scopeClaims, usernameClaim,
                emailClaim, clientIdClaims, introspection, introspectionCacheTtl, jwksRefetchInterval, jwksTtl);
    }

    public IssuerSettings withClockSkew(Duration clockSkew) {
        return new IssuerSettings(issuer, audiences, algorithms, type, clockSkew, roleClaims, scopeClaims, usernameClaim,
                emailClaim, clientIdClaims, introspection, introspectionCacheTtl, jwksRefetchInterval, jwksTtl);
    }

    public IssuerSettings withRoleClaims(List<String> roleClaims) {
        return new IssuerSettings(issuer, audiences, algorithms, type, clockSkew, roleClaims, scopeClaims, usernameClaim,
                emailClaim, clientIdClaims, introspection, introspectionCacheTtl, jwksRefetchInterval, jwksTtl);
    }

    public IssuerSettings withScopeClaims(List<String> scopeClaims) {
        return new IssuerSettings(issuer, audiences, algorithms, type, clockSkew, roleClaims, scopeClaims, usernameClaim,
                emailClaim, clientIdClaims, introspection, introspectionCacheTtl, jwksRefetchInterval, jwksTtl);
    }

    public IssuerSettings withIntrospection(ClientAuthentication introspection, Duration cacheTtl) {
        return new IssuerSettings(issuer, audiences, algorithms, type, clockSkew, roleClaims, scopeClaims, usernameClaim,
                emailClaim, clientIdClaims, introspection, cacheTtl, jwksRefetchInterval, jwksTtl);
    }

    public IssuerSettings withJwksTiming(Duration refetchInterval, Duration ttl) {
        return new IssuerSettings(issuer, audiences, algorithms, type, clockSkew, roleClaims, scopeClaims, usernameClaim,
                emailClaim, clientIdClaims, introspection, introspectionCacheTtl, refetchInterval, ttl);
    }
}
