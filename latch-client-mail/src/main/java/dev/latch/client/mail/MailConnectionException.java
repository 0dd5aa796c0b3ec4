package dev.latch.client.mail;

/**
 * The mail server or Graph endpoint could not be reached, the TLS handshake failed, the server did not
 * offer the required TLS, or the connection broke. Nothing was (knowingly) sent.
 */
public class MailConnectionException extends MailException {

    public MailConnectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
