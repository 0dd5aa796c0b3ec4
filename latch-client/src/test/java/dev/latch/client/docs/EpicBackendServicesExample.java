package dev.latch.client.docs;

import com.nimbusds.jose.JWSAlgorithm;
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
 * The Java of {@code docs/guides/epic-backend-services.md}; {@link DocExamplesTest} checks the guide shows
 * exactly the code between the markers and runs it against a real Latch server (as the token endpoint)
 * and a local endpoint (as the FHIR server).
 */
final class EpicBackendServicesExample {

    private EpicBackendServicesExample() {}

    static HttpResponse<String> readPatient(String keyFile, String clientId, URI tokenUrl, String fhirBase, String patientId)
            throws IOException, InterruptedException {
        // guide:start
        // keyFile: epic.jwk.json from `latch keys generate … --out epic`, the private key with its kid
        JWK key = KeyLoader.load(keyFile, null);
        ClientAuthentication epic = ClientAuthentication.privateKeyJwt(
                ProviderPresets.epicBackendServices(clientId, key, JWSAlgorithm.RS384).build());

        CachingTokenSource tokens = CachingTokenSource.builder()
                .tokenEndpoint(tokenUrl)   // e.g. https://fhir.epic.com/interconnect-fhir-oauth/oauth2/token
                .authentication(epic)
                .build();
        BearerHttpClient fhir = BearerHttpClient.builder().tokenSource(tokens).build();

        HttpResponse<String> patient = fhir.send(HttpRequest.newBuilder(URI.create(fhirBase + "/Patient/" + patientId))
                .header("Accept", "application/fhir+json").GET().build(), HttpResponse.BodyHandlers.ofString());
        // guide:end
        tokens.close();
        return patient;
    }
}
