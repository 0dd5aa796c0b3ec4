package dev.latch.client.oidc;

import dev.latch.client.OAuthClientException;

/** An ID token failed validation (OIDC Core §3.1.3.7); the message says which check and why. */
public class IdTokenValidationException extends OAuthClientException {

    public IdTokenValidationException(String message) {
        super(message);
    }

    public IdTokenValidationException(String message, Throwable cause) {
        super(message, cause);
    }
}
