package dev.latch.client.oidc;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.latch.client.auth.ClientAuthentication;
import dev.latch.client.token.AccessToken;
import dev.latch.client.token.TokenClient;
import dev.latch.client.token.TokenEndpoint;
import dev.latch.client.token.TokenRequest;
import java.net.URI;
import java.util.Objects;

/**
 * The token step of the authorization code flow (RFC 6749 §4.1.3, PKCE RFC 7636 §4.5) with the ID
 * token validated (OIDC Core §3.1.3.5–3.1.3.7) before anything is returned.
 */
public final class CodeExchange {

    /** The tokens of a sign-in and the validated ID token claims. */
    public record SignIn(AccessToken tokens, JWTClaimsSet idToken) {}

    private final TokenClient client;
    private final TokenEndpoint endpoint;
    private final ClientAuthentication authentication;
    private final IdTokenValidator validator;

    public CodeExchange(TokenClient client, TokenEndpoint endpoint, ClientAuthentication authentication, IdTokenValidator validator) {
        this.client = Objects.requireNonNull(client);
        this.endpoint = Objects.requireNonNull(endpoint);
        this.authentication = Objects.requireNonNull(authentication);
        this.validator = Objects.requireNonNull(validator);
    }

    /**
     * Exchanges {@code code}; the response must carry an ID token that validates with {@code nonce}
     * (the one sent in the authorization request) and the access token's {@code at_hash}.
     */
    public SignIn exchange(String code, URI redirectUri, String codeVerifier, String nonce) {
        AccessToken tokens = client.request(endpoint, authentication, TokenRequest.authorizationCode(code, redirectUri, codeVerifier));
        if (tokens.idToken() == null) {
            throw new IdTokenValidationException("the token response has no id_token (was the openid scope requested?)");
        }
        return new SignIn(tokens, validator.validate(tokens.idToken(), nonce, tokens.value()));
    }
}
