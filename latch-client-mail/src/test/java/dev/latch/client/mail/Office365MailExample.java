package dev.latch.client.mail;

import com.nimbusds.jose.jwk.JWK;
import dev.latch.client.auth.ClientAuthentication;
import dev.latch.client.auth.ProviderPresets;
import dev.latch.client.discovery.Discovery;
import dev.latch.client.keys.KeyLoader;
import dev.latch.client.token.TokenClient;
import dev.latch.client.token.TokenEndpoint;
import dev.latch.client.token.TokenRequest;
import dev.latch.client.token.TokenSource;
import java.nio.file.Path;

/**
 * The Java example of {@code docs/guides/office365-mail.md}, compiled with the tests so it stays true to
 * the API; {@link GuideExampleTest} checks the guide shows exactly the code between the markers.
 */
final class Office365MailExample {

    private Office365MailExample() {}

    static void entra(String tenant, String clientId) {
        // guide:start
        // Entra certificate credential: entra.pem holds the private key and its certificate
        JWK key = KeyLoader.load("entra.pem", null);
        ClientAuthentication entra = ClientAuthentication.privateKeyJwt(
                ProviderPresets.entraIdCertificate(clientId, key).build());
        TokenEndpoint endpoint = TokenEndpoint.of(ProviderPresets.entraIdTokenEndpoint(tenant));
        TokenClient client = TokenClient.create();

        MailMessage report = MailMessage.builder()
                .from("reports@contoso.com").to("ops@contoso.com")
                .subject("Nightly report").text("The report is attached.")
                .attach(MailAttachment.file(Path.of("report.pdf"), "application/pdf"))
                .build();

        // Microsoft Graph: application permission Mail.Send
        TokenSource graphTokens = () -> client.request(endpoint, entra,
                TokenRequest.clientCredentials(GraphMailSender.SCOPE));
        GraphMailSender.builder().tokenSource(graphTokens).build().send(report);

        // SMTP AUTH XOAUTH2: SMTP.SendAsApp and the Exchange service principal
        TokenSource smtpTokens = () -> client.request(endpoint, entra,
                TokenRequest.clientCredentials(SmtpProvider.OFFICE365.scope()));
        XOAuth2SmtpSender.builder(SmtpProvider.OFFICE365)
                .username("reports@contoso.com").tokenSource(smtpTokens).build().send(report);
        // guide:end
    }

    static void latch(MailMessage report) {
        // guide:start
        // a Latch client with a secret, for an SMTP relay or API that trusts Latch's tokens
        TokenEndpoint latch = TokenEndpoint.of(Discovery.create().discover("https://login.example.org"));
        ClientAuthentication mailer = ClientAuthentication.clientSecretBasic("mailer", System.getenv("MAILER_SECRET"));
        TokenSource relayTokens = () -> TokenClient.create().request(latch, mailer,
                TokenRequest.clientCredentials("mail.send"));
        XOAuth2SmtpSender.builder().host("relay.example.org").port(587).security(SmtpSecurity.STARTTLS)
                .username("reports@example.org").tokenSource(relayTokens).build().send(report);
        // guide:end
    }
}
