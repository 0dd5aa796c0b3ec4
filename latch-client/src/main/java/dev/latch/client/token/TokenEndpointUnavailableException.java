package dev.latch.client.token;

import dev.latch.client.OAuthClientException;
import java.time.Duration;

/**
 * The token endpoint could not be reached or answered 5xx / 429 after the retries allowed.
 * {@link #retryAfter()} is the server's {@code Retry-After} when it gave one.
 */
public class TokenEndpointUnavailableException extends OAuthClientException {

    private final Duration retryAfter;

    public TokenEndpointUnavailableException(String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() { return retryAfter; }
}
