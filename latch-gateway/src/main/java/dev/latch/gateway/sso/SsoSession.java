package dev.latch.gateway.sso;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import dev.latch.client.token.AccessToken;
import dev.latch.gateway.config.GatewayConfig;
import dev.latch.resource.ClaimPaths;
import dev.latch.resource.TokenPrincipal;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an sso session cookie holds: who signed in (read once, at sign-in and at each refresh, from the
 * validated ID token and, when it is a JWT the gateway received straight from the token endpoint, the
 * access token), the tokens, and the times. Short JSON names keep the cookie small, and the access token and
 * the ID token are kept only when the route forwards them (every request carries the cookie, and its size is
 * most of what a request costs the gateway beyond passthrough); otherwise the ID token travels in a cookie of
 * its own that only the route's sign-out path receives, and of its claims the session keeps those the route
 * reads, so a refresh that brings no new ID token still knows them.
 *
 * @param subject         the ID token's {@code sub}
 * @param roles           roles and groups found at the route's {@code roles-claim} paths
 * @param accessToken     the access token when the route has {@code forward-access-token}, else null
 * @param claims          the values of the claims {@code allowed-claims} names
 * @param accessExpiresAt epoch seconds, 0 when the provider gave no {@code expires_in}
 * @param startedAt       epoch seconds of the sign-in
 * @param endsAt          epoch seconds after which the session is over whatever the tokens say
 * @param idClaims        the ID token's claims the route reads (user name, email, the roles and allowed claims
 *                        paths' top-level names); null in cookies sealed before they were kept
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record SsoSession(@JsonProperty("s") String subject, @JsonProperty("u") String username, @JsonProperty("e") String email,
                  @JsonProperty("r") List<String> roles, @JsonProperty("c") Map<String, List<Object>> claims,
                  @JsonProperty("at") String accessToken, @JsonProperty("ax") long accessExpiresAt,
                  @JsonProperty("rt") String refreshToken, @JsonProperty("it") String idToken,
                  @JsonProperty("t0") long startedAt, @JsonProperty("t1") long endsAt,
                  @JsonProperty("ic") Map<String, Object> idClaims) {

    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    SsoSession {
        roles = roles == null ? List.of() : List.copyOf(roles);
        claims = claims == null ? Map.of() : Map.copyOf(claims);
    }

    /** This session without the ID token (what the session cookie holds when the route does not forward it). */
    SsoSession withoutIdToken() {
        return new SsoSession(subject, username, email, roles, claims, accessToken, accessExpiresAt, refreshToken, null,
                startedAt, endsAt, idClaims);
    }

    /**
     * The ID token claims the session was made from, as far as the route reads them: the kept ones, or those
     * of the ID token itself in a cookie sealed before they were kept.
     */
    JWTClaimsSet previousIdClaims() {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().subject(subject);
        if (idClaims != null) {
            idClaims.forEach(b::claim);
            return b.build();
        }
        try {
            return idToken == null ? b.build() : dev.latch.core.jose.JwtParsing.jwt(idToken).getJWTClaimsSet();
        } catch (java.text.ParseException e) {
            return b.build();
        }
    }

    /**
     * A session from a sign-in's (or a refresh's) validated ID token claims, the userinfo claims (may be empty)
     * and the tokens. The ID token's claims win over userinfo's, which win over the access token's.
     */
    static SsoSession of(GatewayConfig.Sso settings, JWTClaimsSet idClaims, Map<String, Object> userinfo, AccessToken tokens,
                         String idToken, String previousRefreshToken, long startedAt, long endsAt) {
        Map<String, Object> claims = new LinkedHashMap<>(accessTokenClaims(tokens.value()));
        claims.putAll(userinfo);
        claims.putAll(idClaims.getClaims());
        Set<String> roles = new LinkedHashSet<>();
        for (String path : settings.roleClaims()) {
            roles.addAll(ClaimPaths.strings(claims, path));
        }
        Map<String, List<Object>> kept = new LinkedHashMap<>();
        for (String path : settings.allowedClaims().keySet()) {
            kept.put(path, ClaimPaths.values(claims, path));
        }
        long accessExpires = tokens.expiresAt() == null ? 0 : tokens.expiresAt().getEpochSecond();
        return new SsoSession(idClaims.getSubject(), string(claims.get("preferred_username")), string(claims.get("email")),
                List.copyOf(roles), kept, settings.forwardAccessToken() ? tokens.value() : null, accessExpires,
                tokens.refreshToken() != null ? tokens.refreshToken() : previousRefreshToken, idToken, startedAt, endsAt,
                readClaims(settings, idClaims));
    }

    /**
     * The claims of {@code idClaims} that {@link #of} reads: user name, email, and every top-level name a roles or
     * allowed-claims path may start with (each dotted prefix: a claim's own name may hold dots, see ClaimPaths).
     */
    private static Map<String, Object> readClaims(GatewayConfig.Sso settings, JWTClaimsSet idClaims) {
        Set<String> names = new LinkedHashSet<>(List.of("preferred_username", "email"));
        List<String> paths = new java.util.ArrayList<>(settings.roleClaims());
        paths.addAll(settings.allowedClaims().keySet());
        for (String path : paths) {
            for (int dot = path.indexOf('.'); ; dot = path.indexOf('.', dot + 1)) {
                names.add(dot < 0 ? path : path.substring(0, dot));
                if (dot < 0) break;
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (String name : names) {
            Object value = idClaims.getClaim(name);
            if (value != null) out.put(name, value);
        }
        return out;
    }

    /**
     * The access token's claims when it is a JWT, unverified: the gateway got it over TLS (or loopback) straight
     * from the provider's token endpoint, which OIDC Core §3.1.3.7 lets a client trust; an opaque token has none.
     */
    private static Map<String, Object> accessTokenClaims(String accessToken) {
        try {
            return JWTParser.parse(accessToken).getJWTClaimsSet().getClaims();
        } catch (java.text.ParseException | RuntimeException e) {
            return Map.of();
        }
    }

    /** True when the ID token lacks what the identity headers show, so userinfo is worth asking. */
    static boolean incomplete(JWTClaimsSet idClaims) {
        return string(idClaims.getClaim("email")) == null || string(idClaims.getClaim("preferred_username")) == null;
    }

    private static String string(Object value) {
        return value instanceof String s && !s.isEmpty() ? s : null;
    }

    /** The session as the identity of protect routes (for the identity headers, the access rule and the log). */
    TokenPrincipal principal(String issuer) {
        Map<String, Object> claimValues = new LinkedHashMap<>(claims);
        return new TokenPrincipal(issuer, subject, null, username, email, Set.copyOf(roles), Set.of(), List.of(),
                accessExpiresAt == 0 ? null : Instant.ofEpochSecond(accessExpiresAt), null, claimValues);
    }

    boolean over(Instant now) {
        return now.getEpochSecond() >= endsAt;
    }

    /** True when the access token expires within {@code within} seconds (never when its lifetime is unknown). */
    boolean expiresWithin(Instant now, long within) {
        return accessExpiresAt != 0 && now.getEpochSecond() + within >= accessExpiresAt;
    }

    boolean accessExpired(Instant now) {
        return accessExpiresAt != 0 && now.getEpochSecond() >= accessExpiresAt;
    }

    byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the session: " + e.getMessage(), e);
        }
    }

    /** The session of a cookie's opened contents, or null when they are not one. */
    static SsoSession fromJson(byte[] json) {
        try {
            SsoSession s = JSON.readValue(json, SsoSession.class);
            return s.subject() == null ? null : s;
        } catch (IOException e) {
            return null;
        }
    }
}
