package dev.latch.client.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.util.ServerSetupTest;
import dev.latch.server.TestServer;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SMTP over TLS from the first byte (SMTPS) with XOAUTH2: the server certificate must be trusted and
 * name the host connected to, or the token is never sent.
 */
class XOAuth2SmtpsTest {

    static final String MAILBOX = "reports@contoso.example";

    static TestCertificates certificates;
    static TestServer latch;
    static LatchTokens tokens;
    static OAuthSmtpServer smtps;

    @BeforeAll
    static void start() {
        certificates = TestCertificates.localhost("greenmail");
        // GreenMail reads its TLS key from these once per JVM; no other test class starts a TLS GreenMail
        System.setProperty("greenmail.tls.keystore.file", certificates.keystore.toString());
        System.setProperty("greenmail.tls.keystore.password", TestCertificates.PASSWORD);
        System.setProperty("greenmail.tls.key.password", TestCertificates.PASSWORD);
        latch = TestServer.start();
        tokens = LatchTokens.register(latch, "smtps-mailer", SmtpProvider.OFFICE365.scope());
        smtps = OAuthSmtpServer.start(ServerSetupTest.SMTPS.dynamicPort(),
                new LatchTokenVerifier(latch, SmtpProvider.OFFICE365.scope(), Clock.systemUTC())).mailbox(MAILBOX, tokens.clientId());
    }

    @AfterAll
    static void stop() {
        smtps.close();
        latch.close();
    }

    static XOAuth2SmtpSender.Builder sender(String host) {
        return XOAuth2SmtpSender.builder().host(host).port(smtps.port()).security(SmtpSecurity.SMTPS)
                .username(MAILBOX).tokenSource(tokens);
    }

    static MailMessage message(String subject) {
        return MailMessage.builder().from(MAILBOX).to("ops@contoso.example").subject(subject).text("over TLS").build();
    }

    @Test
    void sendWhenCertificateTrustedAndNamesHostThenDelivered() throws Exception {
        sender("localhost").sslSocketFactory(certificates.trustingSocketFactory()).build().send(message("tls ok"));

        assertThat(smtps.received()).anySatisfy(m -> assertThat(m.getSubject()).isEqualTo("tls ok"));
        assertThat(smtps.authAttempts).contains(MAILBOX + " accepted");
    }

    @Test
    void sendWhenCertificateNotTrustedThenMailConnectionExceptionAndTokenNeverSent() {
        int attempts = smtps.authAttempts.size();
        XOAuth2SmtpSender sender = sender("localhost").build(); // the JDK's trust store does not know the test CA

        assertThatThrownBy(() -> sender.send(message("untrusted")))
                .isInstanceOf(MailConnectionException.class)
                .hasMessageStartingWith("TLS with SMTP server localhost:" + smtps.port() + " failed: ")
                .hasMessageContaining("PKIX path building failed")
                .hasMessageNotContaining("\n");
        assertThat(smtps.authAttempts).hasSize(attempts);
    }

    @Test
    void sendWhenCertificateDoesNotNameHostThenMailConnectionExceptionAndTokenNeverSent() {
        int attempts = smtps.authAttempts.size();
        XOAuth2SmtpSender sender = sender("127.0.0.1").sslSocketFactory(certificates.trustingSocketFactory()).build();

        assertThatThrownBy(() -> sender.send(message("wrong name")))
                .isInstanceOf(MailConnectionException.class)
                .hasMessageStartingWith("TLS with SMTP server 127.0.0.1:" + smtps.port() + " failed: ")
                .hasMessageContaining("No subject alternative names matching IP address 127.0.0.1");
        assertThat(smtps.authAttempts).hasSize(attempts);
    }
}
