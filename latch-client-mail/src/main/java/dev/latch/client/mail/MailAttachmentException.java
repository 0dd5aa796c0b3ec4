package dev.latch.client.mail;

/**
 * An attachment cannot be sent: its file is missing or unreadable, or it is larger than the sender
 * accepts (found before any request is made).
 */
public class MailAttachmentException extends MailException {

    public MailAttachmentException(String message, Throwable cause) {
        super(message, cause);
    }
}
