package dev.latch.client.docs;

import com.nimbusds.jose.jwk.JWK;
import dev.latch.client.auth.ClientAuthentication;
import dev.latch.client.auth.ProviderPresets;
import dev.latch.client.http.BearerHttpClient;
import dev.latch.client.keys.KeyLoader;
import dev.latch.client.token.CachingTokenSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * The Java of {@code docs/guides/entra-id-certificate.md}; {@link DocExamplesTest} checks the guide shows
 * exactly the code between the markers and sends the credential of the first part to a real Latch
 * server, which finds the client's key by the assertion's certificate thumbprint.
 */
final class EntraIdCertificateExample {

    private EntraIdCertificateExample() {}

    static ClientAuthentication credential(String keyFile, String clientId) {
        // guide:start
        // keyFile: entra.pem (private key, then its certificate) or entra.jwk.json (with x5c)
        JWK key = KeyLoader.load(keyFile, null);
        ClientAuthentication entra = ClientAuthentication.privateKeyJwt(
                ProviderPresets.entraIdCertificate(clientId, key).build());   // PS256, x5t#S256, aud = token URL
        // guide:end
        return entra;
    }

    static HttpResponse<String> listUsers(ClientAuthentication entra, String tenantId) throws IOException, InterruptedException {
        // guide:start
        CachingTokenSource graphTokens = CachingTokenSource.builder()
                .tokenEndpoint(ProviderPresets.entraIdTokenEndpoint(tenantId))
                .authentication(entra)
                .scope("https://graph.microsoft.com/.default")
                .build();
        BearerHttpClient graph = BearerHttpClient.builder().tokenSource(graphTokens).build();

        HttpResponse<String> users = graph.send(HttpRequest.newBuilder(
                URI.create("https://graph.microsoft.com/v1.0/users?$select=displayName,mail&$top=5")).GET().build(),
                HttpResponse.BodyHandlers.ofString());   // application permission User.Read.All
        // guide:end
        graphTokens.close();
        return users;
    }
}
