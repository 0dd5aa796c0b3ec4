package dev.latch.server.token;

import dev.latch.core.error.OAuthError;
import dev.latch.server.client.ClientAuthentication;
import dev.latch.server.http.FormParameters;
import java.util.List;

/**
 * A token request (RFC 6749 §3.2) read once at the edge of the token endpoint: the authenticated
 * client and every parameter a grant reads (each sent at most once: the form parser refuses repeats).
 * The grants consume this record, never the form.
 *
 * @param scope        {@code scope}, or null when absent
 * @param resources    RFC 8707 {@code resource} indicators, in the order sent
 * @param code         {@code code} (authorization_code), or null
 * @param redirectUri  {@code redirect_uri} (authorization_code), or null
 * @param codeVerifier RFC 7636 {@code code_verifier}, or null
 * @param refreshToken {@code refresh_token} (refresh_token), or null
 * @param aud          {@code aud}, or null: SMART backend clients may name the FHIR server so ({@link Audiences#forBackendService})
 */
public record TokenRequest(String grantType, ClientAuthentication.Authenticated client, String scope, List<String> resources,
                           String code, String redirectUri, String codeVerifier, String refreshToken, String aud) {

    public TokenRequest {
        resources = List.copyOf(resources);
    }

    static TokenRequest read(String grantType, ClientAuthentication.Authenticated client, FormParameters form) {
        return new TokenRequest(grantType, client, form.get("scope"), form.all("resource"), form.get("code"),
                form.get("redirect_uri"), form.get("code_verifier"), form.get("refresh_token"), form.get("aud"));
    }

    /** {@code value}, a parameter the grant cannot go without; {@code invalid_request} naming it when absent. */
    static String required(String value, String name) {
        if (value == null) {
            throw OAuthError.invalidRequest("parameter " + name + " is missing");
        }
        return value;
    }
}
