package dev.latch.client.mail;

import java.time.Duration;

/**
 * Microsoft Graph refused a request: the HTTP status and, when the body carried Graph's error object
 * ({@code {"error":{"code","message","innerError":{"request-id"}}}}), its code, message and request id.
 * A 401 arrives here only after the token was dropped and a fresh one refused as well; a 429/503 only
 * after its {@code Retry-After} was waited out once (or was longer than the sender waits).
 */
public class GraphErrorException extends MailException {

    private final int status;
    private final String code;
    private final String graphMessage;
    private final String requestId;
    private final Duration retryAfter;

    public GraphErrorException(String message, int status, String code, String graphMessage, String requestId, Duration retryAfter) {
        super(message);
        this.status = status;
        this.code = code;
        this.graphMessage = graphMessage;
        this.requestId = requestId;
        this.retryAfter = retryAfter;
    }

    /** The HTTP status, e.g. 400, 403, 429. */
    public int status() { return status; }
    /** Graph's error code ({@code ErrorInvalidRecipients}, {@code ErrorAccessDenied}…), or null when the body had none. */
    public String code() { return code; }
    /** Graph's error message, or null. */
    public String graphMessage() { return graphMessage; }
    /** The {@code request-id} Microsoft support asks for, or null. */
    public String requestId() { return requestId; }
    /** The server's {@code Retry-After} when it sent one, else null. */
    public Duration retryAfter() { return retryAfter; }
}
