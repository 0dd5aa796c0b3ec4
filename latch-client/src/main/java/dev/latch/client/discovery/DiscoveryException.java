package dev.latch.client.discovery;

import dev.latch.client.OAuthClientException;

/** Provider metadata could not be had or is not to be trusted; the message says why in one line. */
public class DiscoveryException extends OAuthClientException {

    public DiscoveryException(String message) {
        super(message);
    }

    public DiscoveryException(String message, Throwable cause) {
        super(message, cause);
    }
}
