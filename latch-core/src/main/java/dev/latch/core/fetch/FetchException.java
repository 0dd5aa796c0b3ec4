package dev.latch.core.fetch;

/**
 * A request to another server that got no usable answer (refused by policy, unreachable, too slow,
 * too large, or an error status), whoever sent it: the authorization server fetching a client's
 * {@code jwks_uri}, or the toolbox fetching metadata and JWK sets. The message is one line naming the
 * URL or host and the reason, fit for a log line or a command's error output.
 */
public final class FetchException extends RuntimeException {

    public FetchException(String message) {
        super(message);
    }

    public FetchException(String message, Throwable cause) {
        super(message, cause);
    }
}
