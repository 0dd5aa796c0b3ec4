package dev.latch.client.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.util.ServerSetupTest;
import dev.latch.client.token.AccessToken;
import dev.latch.client.token.CachingTokenSource;
import dev.latch.server.TestClock;
import dev.latch.server.TestServer;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SMTP with SASL XOAUTH2 against GreenMail, the credential being an access token a real Latch server
 * issued and the SMTP server checking it as Exchange would ({@link OAuthSmtpServer}).
 */
class XOAuth2SmtpSenderTest {

    static final String SCOPE = SmtpProvider.OFFICE365.scope();
    static final String MAILBOX = "reports@contoso.example";
    static final AtomicInteger CLIENTS = new AtomicInteger();

    static TestClock clock;
    static TestServer latch;
    static LatchTokenVerifier verifier;

    OAuthSmtpServer smtp;
    LatchTokens tokens;

    @TempDir
    Path dir;

    @BeforeAll
    static void startLatch() {
        clock = TestClock.atNow();
        latch = TestServer.start(Map.of(), clock);
        verifier = new LatchTokenVerifier(latch, SCOPE, clock);
    }

    @AfterAll
    static void stopLatch() {
        latch.close();
    }

    @BeforeEach
    void startSmtp() {
        tokens = LatchTokens.register(latch, "mailer-" + CLIENTS.incrementAndGet(), SCOPE);
        smtp = OAuthSmtpServer.start(ServerSetupTest.SMTP.dynamicPort(), verifier).mailbox(MAILBOX, tokens.clientId());
    }

    @AfterEach
    void stopSmtp() {
        smtp.close();
    }

    XOAuth2SmtpSender.Builder sender() {
        return XOAuth2SmtpSender.builder().host("127.0.0.1").port(smtp.port()).security(SmtpSecurity.PLAINTEXT_LOOPBACK_ONLY)
                .username(MAILBOX).tokenSource(tokens);
    }

    static MailMessage.Builder message() {
        return MailMessage.builder().from(MAILBOX).to("ops@contoso.example").subject("Nightly report").text("All green.");
    }

    @Test
    void sendWhenTokenIssuedByLatchThenDeliveredWithHeadersBodiesAndAttachments() throws Exception {
        byte[] pdf = new byte[200_000];
        new Random(1).nextBytes(pdf);
        Path report = Files.write(dir.resolve("report.pdf"), pdf);
        byte[] csv = "name;amount\nÅsa;12\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Instant sent = Instant.parse("2025-03-04T05:06:07Z");

        sender().clock(Clock.fixed(sent, ZoneOffset.UTC)).build().send(MailMessage.builder()
                .from("Reports <" + MAILBOX + ">").to("ops@contoso.example").cc("audit@contoso.example").bcc("archive@contoso.example")
                .subject("Rapport für März ✓").text("Plain body").html("<p>HTML body</p>")
                .attach(MailAttachment.file(report, "application/pdf"), MailAttachment.bytes("übersicht.csv", "text/csv", csv))
                .build());

        assertThat(smtp.authAttempts).containsExactly(MAILBOX + " accepted");
        assertThat(tokens.fetches()).isEqualTo(1);
        assertThat(tokens.invalidated).isEmpty();
        List<MimeMessage> received = smtp.received();
        assertThat(received).hasSize(3); // one copy each for to, cc and bcc
        MimeMessage m = received.get(0);
        assertThat(m.getSubject()).isEqualTo("Rapport für März ✓");
        assertThat(((InternetAddress) m.getFrom()[0]).getAddress()).isEqualTo(MAILBOX);
        assertThat(((InternetAddress) m.getFrom()[0]).getPersonal()).isEqualTo("Reports");
        assertThat(m.getRecipients(Message.RecipientType.TO)).extracting(Object::toString).containsExactly("ops@contoso.example");
        assertThat(m.getRecipients(Message.RecipientType.CC)).extracting(Object::toString).containsExactly("audit@contoso.example");
        assertThat(m.getHeader("Bcc")).as("Bcc is not transmitted").isNull();
        assertThat(m.getSentDate().toInstant()).isEqualTo(sent);

        Multipart mixed = (Multipart) m.getContent();
        assertThat(m.getContentType()).startsWith("multipart/mixed");
        assertThat(mixed.getCount()).isEqualTo(3);
        Multipart alternative = (Multipart) mixed.getBodyPart(0).getContent();
        assertThat(mixed.getBodyPart(0).getContentType()).startsWith("multipart/alternative");
        assertThat(alternative.getBodyPart(0).getContentType()).startsWith("text/plain");
        assertThat(alternative.getBodyPart(0).getContent()).isEqualTo("Plain body");
        assertThat(alternative.getBodyPart(1).getContentType()).startsWith("text/html");
        assertThat(alternative.getBodyPart(1).getContent()).isEqualTo("<p>HTML body</p>");

        Part first = mixed.getBodyPart(1);
        assertThat(first.getDisposition()).isEqualTo(Part.ATTACHMENT);
        assertThat(first.getFileName()).isEqualTo("report.pdf");
        assertThat(first.getContentType()).startsWith("application/pdf");
        assertThat(first.getInputStream().readAllBytes()).isEqualTo(pdf);
        Part second = mixed.getBodyPart(2);
        assertThat(MimeUtility.decodeText(second.getFileName())).isEqualTo("übersicht.csv");
        assertThat(second.getContentType()).startsWith("text/csv");
        assertThat(second.getInputStream().readAllBytes()).isEqualTo(csv);
    }

    @Test
    void sendWhenTextOnlyThenSingleTextPart() throws Exception {
        sender().build().send(message().build());

        MimeMessage m = smtp.received().get(0);
        assertThat(m.getContentType()).startsWith("text/plain").contains("UTF-8");
        assertThat(m.getContent()).isEqualTo("All green.");
    }

    @Test
    void sendWhenHtmlOnlyThenSingleHtmlPart() throws Exception {
        sender().build().send(message().text(null).html("<b>All green.</b>").build());

        MimeMessage m = smtp.received().get(0);
        assertThat(m.getContentType()).startsWith("text/html");
        assertThat(m.getContent()).isEqualTo("<b>All green.</b>");
    }

    @Test
    void sendWhenTokenRefusedThenInvalidatedRetriedOnceAndMailAuthenticationException() {
        smtp.mailbox("other@contoso.example", "some-other-client");
        XOAuth2SmtpSender sender = sender().username("other@contoso.example").build();
        AccessToken first = tokens.token();

        assertThatThrownBy(() -> sender.send(message().from("other@contoso.example").build()))
                .isInstanceOf(MailAuthenticationException.class)
                .hasMessageStartingWith("SMTP server 127.0.0.1:" + smtp.port() + " refused the XOAUTH2 token for other@contoso.example: 535")
                .hasMessageNotContaining("\n")
                .hasMessageNotContaining(first.value());
        assertThat(tokens.invalidated).containsExactly(first);
        assertThat(tokens.fetches()).isEqualTo(2);
        assertThat(smtp.authAttempts).containsExactly("other@contoso.example refused", "other@contoso.example refused");
        assertThat(smtp.received()).isEmpty();
    }

    @Test
    void sendWhenTokenIsNotAJwtThenMailAuthenticationException() {
        XOAuth2SmtpSender sender = sender().tokenSource(() -> new AccessToken("wrong-token", "Bearer", null, null, null, null, null)).build();

        assertThatThrownBy(() -> sender.send(message().build()))
                .isInstanceOf(MailAuthenticationException.class)
                .hasMessageContaining("535");
        assertThat(smtp.received()).isEmpty();
    }

    @Test
    void sendWhenCachedTokenExpiredThenFreshTokenFetchedAndMessageDelivered() {
        AccessToken stale = tokens.token();
        clock.advance(Duration.ofHours(3)); // past any access-token lifetime: the server now refuses it

        sender().build().send(message().build());

        assertThat(tokens.invalidated).containsExactly(stale);
        assertThat(tokens.fetches()).isEqualTo(2);
        assertThat(smtp.authAttempts).containsExactly(MAILBOX + " refused", MAILBOX + " accepted");
        assertThat(smtp.received()).hasSize(1);
    }

    @Test
    void sendWhenCachingTokenSourceHoldsATokenTheServerNoLongerTakesThenRenewedOnceAndDelivered() {
        try (CachingTokenSource cache = tokens.caching()) {
            AccessToken held = cache.token(); // valid by the source's own clock
            clock.advance(Duration.ofHours(3)); // the server's clock moved on: it refuses that token now

            sender().tokenSource(cache).build().send(message().build());

            assertThat(cache.token()).isNotEqualTo(held);
        }
        assertThat(smtp.authAttempts).containsExactly(MAILBOX + " refused", MAILBOX + " accepted");
        assertThat(smtp.received()).hasSize(1);
    }

    @Test
    void sendWhenFromIsAnotherMailboxThenMailExceptionWithServerReply() {
        XOAuth2SmtpSender sender = sender().build();

        assertThatThrownBy(() -> sender.send(message().from("ceo@contoso.example").build()))
                .isExactlyInstanceOf(MailException.class)
                .hasMessage("SMTP server 127.0.0.1:" + smtp.port() + " refused the message: 554 5.2.252 SendAsDenied; "
                        + MAILBOX + " not allowed to send as ceo@contoso.example");
        assertThat(smtp.received()).isEmpty();
    }

    @Test
    void sendWhenServerRefusesRecipientThenMailAddressExceptionNamingIt() {
        XOAuth2SmtpSender sender = sender().build();

        assertThatThrownBy(() -> sender.send(message().to("ops@contoso.example", "nobody@nowhere.invalid").build()))
                .isInstanceOfSatisfying(MailAddressException.class, e -> assertThat(e.addresses()).containsExactly("nobody@nowhere.invalid"))
                .hasMessageStartingWith("SMTP server 127.0.0.1:" + smtp.port() + " refused recipient nobody@nowhere.invalid: 550 5.1.10");
        assertThat(smtp.received()).isEmpty();
    }

    @Test
    void sendWhenAttachmentFileMissingThenMailAttachmentExceptionBeforeConnecting() {
        XOAuth2SmtpSender sender = sender().build();
        Path missing = dir.resolve("missing.pdf");

        assertThatThrownBy(() -> sender.send(message().attach(MailAttachment.file(missing, "application/pdf")).build()))
                .isInstanceOf(MailAttachmentException.class)
                .hasMessage("attachment missing.pdf: " + missing + " is not a readable file");
        assertThat(smtp.authAttempts).isEmpty();
        assertThat(tokens.fetches()).isZero();
    }

    @Test
    void sendWhenStartTlsRequiredButNotOfferedThenMailConnectionExceptionAndTokenNeverSent() {
        XOAuth2SmtpSender sender = sender().security(SmtpSecurity.STARTTLS).build();

        assertThatThrownBy(() -> sender.send(message().build()))
                .isInstanceOf(MailConnectionException.class)
                .hasMessage("SMTP server 127.0.0.1:" + smtp.port()
                        + " does not offer STARTTLS; the token is not sent over an unencrypted connection");
        assertThat(smtp.authAttempts).isEmpty();
    }

    @Test
    void sendWhenNothingListensThenMailConnectionException() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        XOAuth2SmtpSender sender = sender().port(port).build();

        assertThatThrownBy(() -> sender.send(message().build()))
                .isInstanceOf(MailConnectionException.class)
                .hasMessageStartingWith("cannot connect to SMTP server 127.0.0.1:" + port + ": ")
                .hasMessageContaining("Connection refused");
    }

    @Test
    void serverFixtureRefusesMailWithoutAuthentication() throws Exception {
        Session session = Session.getInstance(new Properties());
        MimeMessage m = new MimeMessage(session);
        m.setFrom(MAILBOX);
        m.setRecipients(Message.RecipientType.TO, "ops@contoso.example");
        m.setText("unauthenticated");
        try (Transport t = session.getTransport("smtp")) {
            t.connect("127.0.0.1", smtp.port(), null, null);
            assertThatThrownBy(() -> t.sendMessage(m, m.getAllRecipients())).hasMessageContaining("530");
        }
        assertThat(smtp.received()).isEmpty();
    }

    @Test
    void buildWhenPlaintextToNonLoopbackHostThenRefused() {
        assertThatThrownBy(() -> sender().host("smtp.office365.com").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SMTP without TLS is allowed only to a loopback host, not smtp.office365.com: the access token would travel in clear");
        assertThat(sender().host("localhost").build().host()).isEqualTo("localhost");
        assertThat(sender().host("::1").build().host()).isEqualTo("::1");
        assertThatThrownBy(() -> sender().host("127.example.com").build()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void buildWhenSettingMissingThenIllegalArgument() {
        assertThatThrownBy(() -> sender().host(null).build()).hasMessage("SMTP host is missing");
        assertThatThrownBy(() -> sender().port(0).build()).hasMessage("SMTP port is missing or out of range: 0");
        assertThatThrownBy(() -> sender().username(" ").build()).hasMessage("SMTP username (the mailbox) is missing");
        assertThatThrownBy(() -> sender().tokenSource(null).build()).hasMessage("token source is missing");
    }

    @Test
    void propertyWhenAuthenticationOrTlsSettingThenRefused() {
        for (String name : List.of("mail.smtp.auth.mechanisms", "mail.smtp.starttls.required", "mail.smtp.ssl.trust",
                "mail.smtp.sasl.enable", "mail.smtps.host", "MAIL.SMTP.AUTH.PLAIN.DISABLE")) {
            assertThatThrownBy(() -> sender().property(name, "x"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(name);
        }
        sender().property("mail.smtp.localhost", "client.contoso.example").build().send(message().build());
        assertThat(smtp.received()).hasSize(1);
    }

    @Test
    void providerPresetsMatchMicrosoftAndGoogleDocumentation() {
        XOAuth2SmtpSender office = XOAuth2SmtpSender.builder(SmtpProvider.OFFICE365).username(MAILBOX).tokenSource(tokens).build();
        assertThat(office.host()).isEqualTo("smtp.office365.com");
        assertThat(office.port()).isEqualTo(587);
        assertThat(office.security()).isEqualTo(SmtpSecurity.STARTTLS);
        assertThat(SmtpProvider.OFFICE365.scope()).isEqualTo("https://outlook.office365.com/.default");
        XOAuth2SmtpSender gmail = XOAuth2SmtpSender.builder(SmtpProvider.GMAIL).username("me@gmail.com").tokenSource(tokens).build();
        assertThat(gmail.host()).isEqualTo("smtp.gmail.com");
        assertThat(gmail.port()).isEqualTo(587);
        assertThat(gmail.security()).isEqualTo(SmtpSecurity.STARTTLS);
        assertThat(SmtpProvider.GMAIL.scope()).isEqualTo("https://mail.google.com/");
    }
}
