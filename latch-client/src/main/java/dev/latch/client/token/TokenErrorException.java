package dev.latch.client.token;

import dev.latch.client.OAuthClientException;

/**
 * An error response from a token endpoint (RFC 6749 §5.2): the RFC {@code error} code, its
 * description and URI when given, and the HTTP status. Not retried: the request itself was refused.
 */
public class TokenErrorException extends OAuthClientException {

    private final String error;
    private final String errorDescription;
    private final String errorUri;
    private final int status;

    public TokenErrorException(String error, String errorDescription, String errorUri, int status) {
        super("token endpoint answered " + status + " " + error + (errorDescription == null ? "" : ": " + errorDescription));
        this.error = error;
        this.errorDescription = errorDescription;
        this.errorUri = errorUri;
        this.status = status;
    }

    /** The RFC 6749 §5.2 error code, e.g. {@code invalid_client}. */
    public String error() { return error; }
    public String errorDescription() { return errorDescription; }
    public String errorUri() { return errorUri; }
    public int status() { return status; }
}
