package dev.latch.client.token;

import java.time.Instant;
import java.util.Map;

/**
 * A successful token response (RFC 6749 §5.1) as the library keeps it.
 *
 * @param value        the access token
 * @param tokenType    as sent ({@code Bearer}, compared case-insensitively)
 * @param expiresAt    when it expires by the client's clock, or null when the server gave no {@code expires_in}
 * @param scope        the granted scope when the server said, else null (then the requested scope applies)
 * @param refreshToken a refresh token, or null
 * @param idToken      an ID token (authorization code and refresh grants), or null
 * @param parameters   every member of the response, for provider-specific extras
 */
public record AccessToken(String value, String tokenType, Instant expiresAt, String scope,
                          String refreshToken, String idToken, Map<String, Object> parameters) {

    public AccessToken {
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
    }

    /** True when the token type is Bearer (RFC 6749 §7.1: compared case-insensitively). */
    public boolean isBearer() {
        return "bearer".equalsIgnoreCase(tokenType);
    }

    /**
     * The {@code issued_token_type} of a token exchange response (RFC 8693 §2.2.1, required there),
     * or null for the other grants.
     */
    public String issuedTokenType() {
        return parameters.get("issued_token_type") instanceof String t ? t : null;
    }

    @Override
    public String toString() {
        // never print the token itself
        return "AccessToken[type=" + tokenType + ", expiresAt=" + expiresAt + ", scope=" + scope + "]";
    }
}
