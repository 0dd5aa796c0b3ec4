package dev.latch.client;

/**
 * The one exception family of the client library. Every failure a caller can meet (a provider's RFC
 * error, an unreachable or misconfigured provider, an unreadable key) is a subclass with a message
 * that says what went wrong in one line; nothing leaks a raw parser or I/O exception.
 */
public class OAuthClientException extends RuntimeException {

    public OAuthClientException(String message) {
        super(message);
    }

    public OAuthClientException(String message, Throwable cause) {
        super(message, cause);
    }
}
