package dev.latch.client.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.latch.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Stock GreenMail's own XOAUTH2 check: the bearer token must equal the user's password. The user's
 * password is set to a token a real Latch server issued.
 */
class GreenMailPasswordXOAuth2Test {

    static final String MAILBOX = "reports@contoso.example";

    static TestServer latch;
    GreenMail greenMail;

    @BeforeAll
    static void startLatch() {
        latch = TestServer.start();
    }

    @AfterAll
    static void stopLatch() {
        latch.close();
    }

    @BeforeEach
    void startGreenMail() {
        greenMail = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        greenMail.start();
    }

    @AfterEach
    void stopGreenMail() {
        greenMail.stop();
    }

    XOAuth2SmtpSender sender(LatchTokens tokens) {
        return XOAuth2SmtpSender.builder().host("127.0.0.1").port(greenMail.getSmtp().getPort())
                .security(SmtpSecurity.PLAINTEXT_LOOPBACK_ONLY).username(MAILBOX).tokenSource(tokens).build();
    }

    static MailMessage message() {
        return MailMessage.builder().from(MAILBOX).to("ops@contoso.example").subject("stock").text("body").build();
    }

    @Test
    void sendWhenPasswordIsTheIssuedTokenThenDelivered() throws Exception {
        LatchTokens tokens = LatchTokens.register(latch, "stock-ok", SmtpProvider.GMAIL.scope());
        greenMail.setUser(MAILBOX, MAILBOX, tokens.token().value());

        sender(tokens).send(message());

        assertThat(greenMail.getReceivedMessages()).hasSize(1);
        assertThat(greenMail.getReceivedMessages()[0].getSubject()).isEqualTo("stock");
    }

    @Test
    void sendWhenPasswordIsAnotherTokenThenMailAuthenticationException() {
        LatchTokens tokens = LatchTokens.register(latch, "stock-wrong", SmtpProvider.GMAIL.scope());
        greenMail.setUser(MAILBOX, MAILBOX, tokens.fetch().value()); // a real token, but not the one the source holds

        assertThatThrownBy(() -> sender(tokens).send(message()))
                .isInstanceOf(MailAuthenticationException.class)
                .hasMessageContaining("535");
        assertThat(tokens.invalidated).hasSize(1);
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }
}
