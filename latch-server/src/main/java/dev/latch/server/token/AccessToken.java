package dev.latch.server.token;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an access token says (RFC 9068 §2.2), whichever form it takes (JWT or opaque reference).
 *
 * @param audience one or more {@code aud} values
 */
public record AccessToken(String issuer, String subject, List<String> audience, String clientId, String scope,
                          String jti, long issuedAt, long expiresAt) {

    /** The claims as a JWT claims map / introspection response (RFC 7662 §2.2) holds them. */
    public Map<String, Object> claims() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("iss", issuer);
        m.put("sub", subject);
        m.put("aud", audience.size() == 1 ? audience.get(0) : audience);
        m.put("client_id", clientId);
        if (scope != null && !scope.isEmpty()) m.put("scope", scope);
        m.put("jti", jti);
        m.put("iat", issuedAt);
        m.put("exp", expiresAt);
        return m;
    }
}
