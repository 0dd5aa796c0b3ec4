package dev.latch.client.mail;

/**
 * Sends a {@link MailMessage}: {@link XOAuth2SmtpSender} over SMTP with SASL XOAUTH2,
 * {@link GraphMailSender} through Microsoft Graph. Implementations are thread-safe.
 */
public interface MailSender {

    /**
     * Sends {@code message}, taking an access token from the sender's token source.
     *
     * @throws MailException (a subclass saying why) when the message was not accepted;
     *                       token source failures surface as their own {@link dev.latch.client.OAuthClientException}s
     */
    void send(MailMessage message);
}
