package dev.latch.server.registration;

import static dev.latch.server.OAuthResponses.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.TestServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Without an initial access token, registration is closed: not advertised, not served. */
class RegistrationClosedTest {

    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void metadataHasNoRegistrationEndpoint() {
        assertThat(json(server.get(server.url("/.well-known/oauth-authorization-server"))).has("registration_endpoint")).isFalse();
    }

    @Test
    void registrationEndpointIsNotFound() {
        int before = server.clients().store().list().size();
        HttpRequest post = HttpRequest.newBuilder(URI.create(server.url("/register"))).header("Content-Type", "application/json")
                .header("Authorization", "Bearer anything").POST(HttpRequest.BodyPublishers.ofString("{\"scope\":\"read\"}")).build();
        HttpResponse<String> r = TestServer.send(post);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(server.clients().store().list()).hasSize(before);
    }

    @Test
    void clientConfigurationEndpointIsNotFound() {
        server.basicClient("existing", "read");
        assertThat(server.get(server.url("/register/existing"), "Authorization", "Bearer anything").statusCode()).isEqualTo(404);
    }
}
