package dev.latch.client.mail;

import dev.latch.client.OAuthClientException;

/**
 * A message could not be sent. The subclasses say why (credentials, connection, address, attachment,
 * a Microsoft Graph error); this class itself is a refusal none of them covers, such as an SMTP
 * server rejecting the message. Messages are one line and never contain a token.
 */
public class MailException extends OAuthClientException {

    public MailException(String message) {
        super(message);
    }

    public MailException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@code s} on one line (runs of white space, line breaks included, become one space), at most 300 characters. */
    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        String line = s.replaceAll("\\s+", " ").strip();
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
}
