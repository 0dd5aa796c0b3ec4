package dev.latch.server.token;

import dev.latch.core.smart.LaunchContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A successful token response (RFC 6749 §5.1, OIDC Core §3.1.3.3 with {@code id_token}), with the SMART
 * launch context beside the token (SMART App Launch 2.2 §"Launch context arrives with your access_token").
 *
 * @param issued        what the access token says, for the audit log (its {@code jti} and subject); never rendered
 * @param refreshFamily the refresh token's family id, for the audit log; never rendered
 */
public record TokenResponse(String accessToken, String tokenType, long expiresIn, String scope, String issuedTokenType,
                            String refreshToken, String idToken, LaunchContext launch, AccessToken issued, String refreshFamily) {

    public TokenResponse(String accessToken, String tokenType, long expiresIn, String scope, String issuedTokenType, AccessToken issued) {
        this(accessToken, tokenType, expiresIn, scope, issuedTokenType, null, null, null, issued, null);
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
        if (launch != null) out.putAll(launch.toParameters());
        return out;
    }
}
