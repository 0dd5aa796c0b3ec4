package dev.latch.server.token;

import java.util.LinkedHashMap;
import java.util.Map;

/** A successful token response (RFC 6749 §5.1, OIDC Core §3.1.3.3 with {@code id_token}). */
public record TokenResponse(String accessToken, String tokenType, long expiresIn, String scope, String issuedTokenType,
                            String refreshToken, String idToken) {

    public TokenResponse(String accessToken, String tokenType, long expiresIn, String scope, String issuedTokenType) {
        this(accessToken, tokenType, expiresIn, scope, issuedTokenType, null, null);
    }

    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("access_token", accessToken);
        out.put("token_type", tokenType);
        out.put("expires_in", expiresIn);
        if (scope != null && !scope.isEmpty()) out.put("scope", scope);
        if (issuedTokenType != null) out.put("issued_token_type", issuedTokenType);
        if (refreshToken != null) out.put("refresh_token", refreshToken);
        if (idToken != null) out.put("id_token", idToken);
        return out;
    }
}
