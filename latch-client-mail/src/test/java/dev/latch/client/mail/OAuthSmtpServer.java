package dev.latch.client.mail;

import com.icegreen.greenmail.Managers;
import com.icegreen.greenmail.mail.MailAddress;
import com.icegreen.greenmail.smtp.SmtpManager;
import com.icegreen.greenmail.smtp.SmtpServer;
import com.icegreen.greenmail.smtp.SmtpState;
import com.icegreen.greenmail.smtp.auth.UsernameAuthentication;
import com.icegreen.greenmail.store.StoredMessage;
import com.icegreen.greenmail.user.UserException;
import com.icegreen.greenmail.user.UserManager;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A GreenMail SMTP server that behaves like Exchange Online towards XOAUTH2: a sender must authenticate
 * before {@code MAIL FROM} (530 otherwise), and the XOAUTH2 credential must be an access token a real
 * Latch server issued (signature, issuer, expiry, scope checked by {@link LatchTokenVerifier}) to a
 * client the mailbox allows (as Exchange's service principal permission does). Anything else is 535.
 */
final class OAuthSmtpServer implements AutoCloseable {

    private final SmtpServer smtp;
    private final Managers managers;
    private final Map<String, Set<String>> allowedClients = new ConcurrentHashMap<>();
    /** Every XOAUTH2 attempt: mailbox, whether it was accepted. */
    final List<String> authAttempts = new CopyOnWriteArrayList<>();

    private OAuthSmtpServer(ServerSetup setup, LatchTokenVerifier verifier) {
        this.managers = new Managers() {
            private final UserManager users = new UserManager(super.getImapHostManager()) {
                @Override
                public boolean test(String login, String credential) {
                    String clientId = verifier.clientIdIfValid(credential);
                    boolean ok = hasUser(login) && clientId != null && allowedClients.getOrDefault(login, Set.of()).contains(clientId);
                    authAttempts.add(login + (ok ? " accepted" : " refused"));
                    return ok;
                }
            };
            private final SmtpManager smtpManager = new SmtpManager(super.getImapHostManager(), users) {
                @Override
                public String checkSender(SmtpState state, MailAddress sender) {
                    if (!(state.getMessage().getAuthenticationState() instanceof UsernameAuthentication auth)) {
                        return "530 5.7.57 Client not authenticated to send mail";
                    }
                    if (!auth.getUsername().equalsIgnoreCase(sender.getEmail())) {
                        return "554 5.2.252 SendAsDenied; " + auth.getUsername() + " not allowed to send as " + sender.getEmail();
                    }
                    return super.checkSender(state, sender);
                }

                @Override
                public String checkRecipient(SmtpState state, MailAddress recipient) {
                    if (recipient.getEmail().endsWith(".invalid")) {
                        return "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient " + recipient.getEmail() + " not found";
                    }
                    return super.checkRecipient(state, recipient);
                }
            };

            @Override
            public SmtpManager getSmtpManager() {
                return smtpManager;
            }

            @Override
            public UserManager getUserManager() {
                return users;
            }
        };
        this.smtp = new SmtpServer(setup, managers);
        smtp.startService();
        try {
            if (!smtp.waitTillRunning(10_000)) {
                throw new IllegalStateException("GreenMail SMTP did not start");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static OAuthSmtpServer start(ServerSetup setup, LatchTokenVerifier verifier) {
        return new OAuthSmtpServer(setup, verifier);
    }

    /** A mailbox that {@code clientIds} may send as (XOAUTH2 user = {@code address}). */
    OAuthSmtpServer mailbox(String address, String... clientIds) {
        try {
            managers.getUserManager().createUser(address, address, "not-a-password-login-is-refused");
        } catch (UserException e) {
            throw new IllegalStateException(e);
        }
        allowedClients.put(address, Set.of(clientIds));
        return this;
    }

    int port() {
        return smtp.getPort();
    }

    /** Every delivered copy (one per recipient). */
    List<MimeMessage> received() {
        return managers.getImapHostManager().getAllMessages().stream().map(StoredMessage::getMimeMessage).toList();
    }

    @Override
    public void close() {
        smtp.stopService();
    }
}
