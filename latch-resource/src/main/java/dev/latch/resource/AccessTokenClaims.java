package dev.latch.resource;

import dev.latch.resource.TokenRejectedException.Reason;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The claim checks of RFC 9068 §4 (steps 3–5: {@code iss}, {@code aud}, {@code exp}; and {@code nbf}/{@code iat}
 * not in the future, RFC 7519 §4.1) and the reading of a {@link TokenPrincipal}, for a JWT's claims and an RFC 7662
 * §2.2 introspection answer alike: one set of rules whichever way the token was validated.
 */
final class AccessTokenClaims {

    private static final double MAX_SECONDS = Long.MAX_VALUE / 1000.0 / 2;

    private final IssuerSettings settings;
    private final Clock clock;
    private final long skewMillis;

    AccessTokenClaims(IssuerSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.skewMillis = settings.clockSkew().toMillis();
    }

    /**
     * Checks issuer, audience and time, in that order.
     *
     * @param required true for a JWT, where {@code iss}, {@code aud} and {@code exp} must be present (RFC 9068 §2.2);
     *                 false for an introspection answer, where each is checked only when present (RFC 7662 §2.2)
     */
    void check(Map<String, Object> claims, boolean required) {
        Object iss = claims.get("iss");
        if ((iss != null || required) && !settings.issuer().equals(iss)) {
            throw new TokenRejectedException(Reason.WRONG_ISSUER, "the token is from another issuer",
                    "iss " + iss + ", expected " + settings.issuer(), null);
        }
        Object aud = claims.get("aud");
        if (aud != null || required) {
            List<String> audience = audience(aud);
            if (audience.stream().noneMatch(settings.audiences()::contains)) {
                throw new TokenRejectedException(Reason.WRONG_AUDIENCE, "the token is not meant for this resource",
                        "aud " + audience + ", expected one of " + settings.audiences(), null);
            }
        }
        long now = clock.millis();
        Object exp = claims.get("exp");
        if (exp == null && required) {
            throw new TokenRejectedException(Reason.EXPIRED, "the token has no expiry time", "no exp claim", null);
        }
        if (exp != null && now - skewMillis >= millis(exp, "exp")) {
            throw new TokenRejectedException(Reason.EXPIRED, "the token expired",
                    "exp " + Instant.ofEpochMilli(millis(exp, "exp")) + ", now " + Instant.ofEpochMilli(now), null);
        }
        for (String name : List.of("nbf", "iat")) {
            Object value = claims.get(name);
            if (value != null && millis(value, name) > now + skewMillis) {
                throw new TokenRejectedException(Reason.NOT_YET_VALID, "the token is not valid yet",
                        name + " " + Instant.ofEpochMilli(millis(value, name)) + ", now " + Instant.ofEpochMilli(now), null);
            }
        }
    }

    /** {@code exp} in epoch milliseconds, or {@code Long.MAX_VALUE} when there is none. */
    static long expiresAtMillis(Map<String, Object> claims) {
        Object exp = claims.get("exp");
        return exp == null ? Long.MAX_VALUE : millis(exp, "exp");
    }

    /** The principal the checked {@code claims} describe (RFC 7662 §2.2 names {@code username} when {@code introspected}). */
    TokenPrincipal principal(Map<String, Object> claims, boolean introspected) {
        String issuer = claims.get("iss") instanceof String s ? s : settings.issuer();
        String clientId = null;
        for (String name : settings.clientIdClaims()) {
            if (claims.get(name) instanceof String s) {
                clientId = s;
                break;
            }
        }
        String username = string(claims, settings.usernameClaim());
        if (username == null && introspected) {
            username = string(claims, "username");
        }
        Set<String> roles = new LinkedHashSet<>();
        for (String path : settings.roleClaims()) {
            roles.addAll(ClaimPaths.strings(claims, path));
        }
        Set<String> scopes = new LinkedHashSet<>();
        for (String path : settings.scopeClaims()) {
            // RFC 8693 §4.2 / RFC 9068 §2.2.3: space-separated; Entra's scp is such a string, others send a list
            for (String value : ClaimPaths.strings(claims, path)) {
                for (String scope : value.split(" ")) {
                    if (!scope.isEmpty()) scopes.add(scope);
                }
            }
        }
        Object exp = claims.get("exp");
        Map<String, Object> all = new HashMap<>(claims);
        all.values().removeIf(java.util.Objects::isNull); // JSON null is "absent" here, and Map.copyOf refuses nulls
        return new TokenPrincipal(issuer, string(claims, "sub"), clientId, username, string(claims, settings.emailClaim()),
                roles, scopes, audience(claims.get("aud")), exp == null ? null : Instant.ofEpochMilli(millis(exp, "exp")),
                string(claims, "jti"), all);
    }

    private static String string(Map<String, Object> claims, String name) {
        return name != null && claims.get(name) instanceof String s ? s : null;
    }

    /** RFC 7519 §4.1.3: {@code aud} is one string or an array of strings. */
    private static List<String> audience(Object aud) {
        if (aud instanceof String s) {
            return List.of(s);
        }
        if (aud instanceof List<?> list) {
            return list.stream().filter(String.class::isInstance).map(String.class::cast).toList();
        }
        return List.of();
    }

    /** RFC 7519 §2 NumericDate: seconds since the epoch, possibly fractional. */
    private static long millis(Object value, String name) {
        if (value instanceof Number n) {
            double seconds = n.doubleValue();
            // saturate rather than overflow: a token "valid until the year 292 million" is simply far off
            if (seconds >= MAX_SECONDS) return Long.MAX_VALUE;
            if (seconds <= -MAX_SECONDS) return Long.MIN_VALUE;
            return n instanceof Long || n instanceof Integer ? n.longValue() * 1000 : (long) (seconds * 1000);
        }
        throw new TokenRejectedException(Reason.MALFORMED, "the token's " + name + " is not a number", null, null);
    }
}
