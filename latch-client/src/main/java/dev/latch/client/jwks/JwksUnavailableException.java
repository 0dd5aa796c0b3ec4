package dev.latch.client.jwks;

import dev.latch.client.OAuthClientException;

/**
 * An issuer's JWK Set could not be obtained (unreachable, an error status, more than 1 MiB, not a JWK
 * Set), so no signature can be checked; the message says which and where, in one line.
 */
public class JwksUnavailableException extends OAuthClientException {

    public JwksUnavailableException(String message) {
        super(message);
    }

    public JwksUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
