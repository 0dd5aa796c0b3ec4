package dev.latch.client.mail;

/**
 * The mail server refused the access token as a credential (SMTP {@code 535}) even after the token
 * source was told to drop it and a fresh token was tried once. Usually the token lacks the mail scope
 * or the mailbox is not allowed to send for the application (see the guide {@code docs/guides/office365-mail.md}).
 */
public class MailAuthenticationException extends MailException {

    public MailAuthenticationException(String message, Throwable cause) {
        super(message, cause);
    }
}
