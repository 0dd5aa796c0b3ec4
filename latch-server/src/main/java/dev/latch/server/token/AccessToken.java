package dev.latch.server.token;

import dev.latch.core.smart.LaunchContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an access token says (RFC 9068 §2.2), whichever form it takes (JWT or opaque reference).
 *
 * @param audience one or more {@code aud} values
 * @param launch   the SMART launch context (SMART App Launch 2.2): claims {@code patient}, {@code encounter},
 *                 {@code fhirContext}, … in the token and in introspection; {@link LaunchContext#NONE} when none
 * @param fhirUser the SMART {@code fhirUser} claim when the {@code fhirUser} scope was granted, else null; kept so
 *                 introspection reports it (SMART App Launch 2.2 §"Token Introspection") for JWT and opaque tokens
 */
public record AccessToken(String issuer, String subject, List<String> audience, String clientId, String scope,
                          String jti, long issuedAt, long expiresAt, LaunchContext launch, String fhirUser) {

    public AccessToken {
        launch = launch == null ? LaunchContext.NONE : launch;
    }

    public AccessToken(String issuer, String subject, List<String> audience, String clientId, String scope, String jti, long issuedAt,
                       long expiresAt, LaunchContext launch) {
        this(issuer, subject, audience, clientId, scope, jti, issuedAt, expiresAt, launch, null);
    }

    public AccessToken(String issuer, String subject, List<String> audience, String clientId, String scope, String jti, long issuedAt,
                       long expiresAt) {
        this(issuer, subject, audience, clientId, scope, jti, issuedAt, expiresAt, LaunchContext.NONE);
    }

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
        m.putAll(launch.toParameters());
        if (fhirUser != null) m.put("fhirUser", fhirUser);
        return m;
    }
}
