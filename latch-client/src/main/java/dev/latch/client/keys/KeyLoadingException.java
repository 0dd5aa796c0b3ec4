package dev.latch.client.keys;

import dev.latch.client.OAuthClientException;

/**
 * A key or certificate could not be loaded; the message says why in one line (file missing, wrong
 * password, unsupported curve, no private key, …) and names where it was looked for.
 */
public class KeyLoadingException extends OAuthClientException {

    public KeyLoadingException(String message) {
        super(message);
    }

    public KeyLoadingException(String message, Throwable cause) {
        super(message, cause);
    }
}
