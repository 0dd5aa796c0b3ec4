package dev.latch.client.mail;

import com.nimbusds.jose.jwk.JWK;
import dev.latch.client.auth.ClientAuthentication;
import dev.latch.client.auth.ProviderPresets;
import dev.latch.client.keys.KeyLoader;
import dev.latch.client.token.CachingTokenSource;
import java.net.URI;
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
        URI tokenUrl = ProviderPresets.entraIdTokenEndpoint(tenant);

        MailMessage report = MailMessage.builder()
                .from("reports@contoso.com").to("ops@contoso.com")
                .subject("Nightly report").text("The report is attached.")
                .attach(MailAttachment.file(Path.of("report.pdf"), "application/pdf"))
                .build();

        // Microsoft Graph: application permission Mail.Send
        CachingTokenSource graphTokens = CachingTokenSource.builder().tokenEndpoint(tokenUrl)
                .authentication(entra).scope(GraphMailSender.SCOPE).build();
        GraphMailSender.builder().tokenSource(graphTokens).build().send(report);

        // SMTP AUTH XOAUTH2: SMTP.SendAsApp and the Exchange service principal
        CachingTokenSource smtpTokens = CachingTokenSource.builder().tokenEndpoint(tokenUrl)
                .authentication(entra).scope(SmtpProvider.OFFICE365.scope()).build();
        XOAuth2SmtpSender.builder(SmtpProvider.OFFICE365)
                .username("reports@contoso.com").tokenSource(smtpTokens).build().send(report);
        // guide:end
    }

    static void latch(MailMessage report) {
        // guide:start
        // a Latch client with a secret, for an SMTP relay or API that trusts Latch's tokens
        CachingTokenSource relayTokens = CachingTokenSource.builder()
                .issuer(URI.create("https://login.example.org")) // token endpoint found by discovery
                .authentication(ClientAuthentication.clientSecretBasic("mailer", System.getenv("MAILER_SECRET")))
                .scope("mail.send").build();
        XOAuth2SmtpSender.builder().host("relay.example.org").port(587).security(SmtpSecurity.STARTTLS)
                .username("reports@example.org").tokenSource(relayTokens).build().send(report);
        // guide:end
    }
}
