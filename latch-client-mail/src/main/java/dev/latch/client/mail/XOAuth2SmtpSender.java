package dev.latch.client.mail;

import dev.latch.client.fetch.EndpointUrls;
import dev.latch.client.token.AccessToken;
import dev.latch.client.token.TokenSource;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.NoSuchProviderException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

/**
 * Sends mail over SMTP authenticating with SASL {@code XOAUTH2} (the mechanism of Exchange Online and
 * Gmail): the mailbox as user name, an access token from a {@link TokenSource} as the credential.
 * Jakarta Mail (Angus) speaks SMTP; this class pins the settings that matter: only {@code XOAUTH2} is
 * offered (never PLAIN/LOGIN), STARTTLS is required (or TLS from the start), the server's certificate
 * must match its host name.
 *
 * <p>When the server refuses the token ({@code 535}) the token source is told to drop it
 * ({@link TokenSource#invalidate}) and the connection is retried once with a fresh token: a token
 * revoked or expired early is replaced without the caller seeing it. A second refusal is a
 * {@link MailAuthenticationException}.
 *
 * <pre>{@code
 * MailSender mail = XOAuth2SmtpSender.builder(SmtpProvider.OFFICE365)
 *         .username("reports@contoso.com")
 *         .tokenSource(tokens) // scope SmtpProvider.OFFICE365.scope()
 *         .build();
 * mail.send(MailMessage.builder().from("reports@contoso.com").to("ops@contoso.com")
 *         .subject("Nightly report").text("See attachment.")
 *         .attach(MailAttachment.file(Path.of("report.pdf"), "application/pdf")).build());
 * }</pre>
 *
 * Thread-safe: each message is sent on its own connection.
 */
public final class XOAuth2SmtpSender implements MailSender {

    private final String host;
    private final int port;
    private final SmtpSecurity security;
    private final String username;
    private final TokenSource tokens;
    private final Clock clock;
    private final Session session;

    private XOAuth2SmtpSender(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.security = b.security;
        this.username = b.username;
        this.tokens = b.tokens;
        this.clock = b.clock;
        this.session = Session.getInstance(properties(b));
    }

    /** A builder with no server set: give {@link Builder#host}, {@link Builder#port} and {@link Builder#security}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder preset with the provider's host, port and TLS mode. */
    public static Builder builder(SmtpProvider provider) {
        return new Builder().host(provider.host()).port(provider.port()).security(provider.security());
    }

    public String host() { return host; }
    public int port() { return port; }
    public SmtpSecurity security() { return security; }
    public String username() { return username; }

    /**
     * Sends {@code message} to all its To, Cc and Bcc recipients (the Bcc header is not transmitted).
     *
     * @throws MailAuthenticationException the token was refused twice
     * @throws MailConnectionException     the server was unreachable, TLS failed or was not offered, or the connection broke
     * @throws MailAddressException        the server refused recipients
     * @throws MailAttachmentException     an attachment file is missing or unreadable (checked before connecting)
     * @throws MailException               the server refused the message otherwise
     */
    @Override
    public void send(MailMessage message) {
        for (MailAttachment a : message.attachments()) {
            a.size(); // a missing file fails here, before a connection is opened
        }
        MimeMessage mime;
        try {
            mime = MimeMessages.toMime(session, message, clock);
        } catch (MessagingException e) {
            throw new MailException("cannot build the message: " + MailException.oneLine(e.getMessage()), e);
        }
        send(mime);
    }

    /**
     * Sends a message the caller built (with any {@link Session}) to all its recipients.
     *
     * @see #send(MailMessage)
     */
    public void send(MimeMessage message) {
        Address[] recipients;
        try {
            recipients = message.getAllRecipients();
        } catch (MessagingException e) {
            throw new MailAddressException("the message's recipients cannot be read: " + MailException.oneLine(e.getMessage()), List.of(), e);
        }
        if (recipients == null || recipients.length == 0) {
            throw new MailAddressException("the message has no recipient", List.of(), null);
        }
        Transport transport = connect();
        try {
            transport.sendMessage(message, recipients);
        } catch (MessagingException e) {
            throw sendFailure(e);
        } finally {
            closeQuietly(transport);
        }
    }

    private Transport connect() {
        AccessToken token = tokens.token();
        try {
            return connect(token);
        } catch (AuthenticationFailedException first) {
            if (!credentialRefused(first)) {
                throw authenticationFailed(first);
            }
            // the token may have been revoked or expired early: drop it and try once with a fresh one
            tokens.invalidate(token);
            AccessToken fresh = tokens.token();
            try {
                return connect(fresh);
            } catch (AuthenticationFailedException second) {
                throw authenticationFailed(second);
            }
        }
    }

    private Transport connect(AccessToken token) throws AuthenticationFailedException {
        Transport transport;
        try {
            transport = session.getTransport("smtp");
        } catch (NoSuchProviderException e) {
            throw new IllegalStateException("Jakarta Mail has no SMTP provider (angus-mail missing from the class path?)", e);
        }
        try {
            transport.connect(host, port, username, token.value());
            return transport;
        } catch (AuthenticationFailedException e) {
            throw e;
        } catch (MessagingException e) {
            throw connectionFailure(e);
        }
    }

    /** SMTP 535 (RFC 4954 §6: authentication credentials invalid) is what a stale token gets. */
    private static boolean credentialRefused(AuthenticationFailedException e) {
        String m = e.getMessage();
        return m != null && m.strip().startsWith("535");
    }

    private MailAuthenticationException authenticationFailed(AuthenticationFailedException e) {
        String reply = e.getMessage() == null || e.getMessage().isBlank() ? "no reason given" : MailException.oneLine(e.getMessage());
        return new MailAuthenticationException("SMTP server " + host + ":" + port + " refused the XOAUTH2 token for "
                + username + ": " + reply, e);
    }

    private MailConnectionException connectionFailure(MessagingException e) {
        String where = host + ":" + port;
        Throwable io = find(e, IOException.class);
        if (io instanceof SSLException || io != null && io.getMessage() != null && io.getMessage().contains("verify identity")) {
            return new MailConnectionException("TLS with SMTP server " + where + " failed: " + describe(io), e);
        }
        if (io != null) {
            return new MailConnectionException("cannot connect to SMTP server " + where + ": " + describe(io), e);
        }
        String m = e.getMessage() == null ? "" : e.getMessage();
        if (m.contains("STARTTLS")) {
            return new MailConnectionException("SMTP server " + where
                    + " does not offer STARTTLS; the token is not sent over an unencrypted connection", e);
        }
        return new MailConnectionException("cannot connect to SMTP server " + where + ": " + MailException.oneLine(m), e);
    }

    private MailException sendFailure(MessagingException e) {
        MailAttachmentException attachment = find(e, MailAttachmentException.class);
        if (attachment != null) {
            return attachment;
        }
        if (e instanceof SendFailedException sf && sf.getInvalidAddresses() != null && sf.getInvalidAddresses().length > 0) {
            List<String> bad = new ArrayList<>();
            for (Address a : sf.getInvalidAddresses()) {
                bad.add(a.toString());
            }
            MessagingException detail = e.getNextException() instanceof MessagingException next ? next : e;
            return new MailAddressException("SMTP server " + host + ":" + port + " refused recipient"
                    + (bad.size() == 1 ? " " : "s ") + String.join(", ", bad) + ": " + MailException.oneLine(detail.getMessage()), bad, e);
        }
        if (e instanceof SMTPSendFailedException refused) {
            return new MailException("SMTP server " + host + ":" + port + " refused the message: " + MailException.oneLine(refused.getMessage()), e);
        }
        Throwable io = find(e, IOException.class);
        if (io != null) {
            return new MailConnectionException("connection to SMTP server " + host + ":" + port
                    + " failed while sending: " + describe(io), e);
        }
        return new MailException("SMTP server " + host + ":" + port + " refused the message: " + MailException.oneLine(e.getMessage()), e);
    }

    private static void closeQuietly(Transport transport) {
        try {
            transport.close();
        } catch (MessagingException ignored) {
            // the message was already accepted (or the failure reported); a failed QUIT changes nothing
        }
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() != t ? t.getCause() : null) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static String describe(Throwable t) {
        if (t instanceof UnknownHostException) {
            return "unknown host " + t.getMessage();
        }
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : MailException.oneLine(m);
    }

    private static Properties properties(Builder b) {
        Properties p = new Properties();
        p.putAll(b.extra);
        p.put("mail.smtp.auth", "true");
        // XOAUTH2 only: the access token must never go out as a PLAIN or LOGIN password
        p.put("mail.smtp.auth.mechanisms", "XOAUTH2");
        p.put("mail.smtp.auth.login.disable", "true");
        p.put("mail.smtp.auth.plain.disable", "true");
        p.put("mail.smtp.auth.digest-md5.disable", "true");
        p.put("mail.smtp.auth.ntlm.disable", "true");
        p.put("mail.smtp.sasl.enable", "false");
        p.put("mail.smtp.connectiontimeout", Long.toString(b.connectTimeout.toMillis()));
        p.put("mail.smtp.timeout", Long.toString(b.readTimeout.toMillis()));
        p.put("mail.smtp.writetimeout", Long.toString(b.readTimeout.toMillis()));
        p.put("mail.smtp.ssl.checkserveridentity", "true");
        // no second attempt with another socket factory: the first failure (e.g. a wrong host name) is the answer
        p.put("mail.smtp.socketFactory.fallback", "false");
        p.put("mail.smtp.ssl.protocols", "TLSv1.3 TLSv1.2");
        switch (b.security) {
            case STARTTLS -> {
                p.put("mail.smtp.starttls.enable", "true");
                p.put("mail.smtp.starttls.required", "true");
            }
            case SMTPS -> p.put("mail.smtp.ssl.enable", "true");
            case PLAINTEXT_LOOPBACK_ONLY -> {
                p.put("mail.smtp.starttls.enable", "false");
                p.put("mail.smtp.ssl.enable", "false");
            }
        }
        if (b.sslSocketFactory != null) {
            p.put("mail.smtp.ssl.socketFactory", b.sslSocketFactory);
        }
        return p;
    }

    public static final class Builder {
        private String host;
        private int port = -1;
        private SmtpSecurity security = SmtpSecurity.STARTTLS;
        private String username;
        private TokenSource tokens;
        private Duration connectTimeout = Duration.ofSeconds(15);
        private Duration readTimeout = Duration.ofSeconds(60);
        private SSLSocketFactory sslSocketFactory;
        private Clock clock = Clock.systemUTC();
        private final Map<String, String> extra = new LinkedHashMap<>();

        private Builder() {}

        public Builder host(String host) { this.host = host; return this; }
        public Builder port(int port) { this.port = port; return this; }
        /** Default {@link SmtpSecurity#STARTTLS}. */
        public Builder security(SmtpSecurity security) { this.security = Objects.requireNonNull(security); return this; }
        /** The mailbox that authenticates (the XOAUTH2 {@code user=}), e.g. {@code reports@contoso.com}. */
        public Builder username(String username) { this.username = username; return this; }
        /** Where access tokens come from; it must request the provider's mail scope ({@link SmtpProvider#scope()}). */
        public Builder tokenSource(TokenSource tokens) { this.tokens = tokens; return this; }
        /** Time allowed to open the connection; default 15 s. */
        public Builder connectTimeout(Duration timeout) { this.connectTimeout = positive(timeout); return this; }
        /** Time allowed for each server reply and each write; default 60 s. */
        public Builder readTimeout(Duration timeout) { this.readTimeout = positive(timeout); return this; }
        /** TLS sockets from this factory (a private CA, a client certificate); default the JDK's trust store. Host names are checked either way. */
        public Builder sslSocketFactory(SSLSocketFactory factory) { this.sslSocketFactory = factory; return this; }
        /** The clock for the {@code Date} header; default UTC system clock. */
        public Builder clock(Clock clock) { this.clock = Objects.requireNonNull(clock); return this; }

        /**
         * Any other Jakarta Mail setting ({@code mail.smtp.localhost}, {@code mail.smtp.proxy.host}…).
         * Settings for authentication and TLS are this class's to decide and are refused.
         */
        public Builder property(String name, String value) {
            String n = name.toLowerCase(java.util.Locale.ROOT);
            if (n.startsWith("mail.smtp.auth") || n.startsWith("mail.smtp.sasl") || n.startsWith("mail.smtp.starttls")
                    || n.startsWith("mail.smtp.ssl") || n.startsWith("mail.smtp.socketfactory") || n.startsWith("mail.smtps.") || n.equals("mail.smtp.host") || n.equals("mail.smtp.port")) {
                throw new IllegalArgumentException(name + " is set by XOAuth2SmtpSender itself (use the builder's methods)");
            }
            extra.put(name, value);
            return this;
        }

        /**
         * @throws IllegalArgumentException when host, port, username or token source is missing, or
         *                                  {@link SmtpSecurity#PLAINTEXT_LOOPBACK_ONLY} names a non-loopback host
         */
        public XOAuth2SmtpSender build() {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("SMTP host is missing");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("SMTP port is missing or out of range: " + port);
            }
            if (username == null || username.isBlank()) {
                throw new IllegalArgumentException("SMTP username (the mailbox) is missing");
            }
            if (tokens == null) {
                throw new IllegalArgumentException("token source is missing");
            }
            if (security == SmtpSecurity.PLAINTEXT_LOOPBACK_ONLY && !EndpointUrls.isLoopbackHost(host)) {
                throw new IllegalArgumentException("SMTP without TLS is allowed only to a loopback host, not " + host
                        + ": the access token would travel in clear");
            }
            return new XOAuth2SmtpSender(this);
        }

        private static Duration positive(Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
            return d;
        }
    }
}
