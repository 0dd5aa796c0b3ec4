package dev.latch.server.registration;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.latch.server.FuzzFixture;
import dev.latch.server.config.ServerConfig;
import dev.latch.server.discovery.ServerEndpoints;
import dev.latch.server.http.Json;
import dev.latch.server.http.Request;
import dev.latch.server.http.Response;
import dev.latch.server.metrics.Metrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of dynamic client registration (RFC 7591) and client configuration (RFC 7592):
 * the registration document as {@link RegistrationEndpoint#register} reads and checks it, and — when it is
 * accepted — an update with a second fuzzed document, a read and a delete with the registration access
 * token. Every answer must be a protocol answer (2xx, or 4xx with the RFC error); an exception or a 5xx is a
 * finding. Under {@code mvn verify} this runs the inputs kept in {@code RegistrationFuzzTestInputs/}.
 */
class RegistrationFuzzTest {

    private static final String INITIAL_TOKEN = "initial-access-token-for-fuzzing";
    private static final List<String> CONTENT_TYPES = List.of("application/json", "application/json; charset=utf-8", "text/plain");
    private static FuzzFixture fixture;
    private static RegistrationEndpoint endpoint;

    @BeforeAll
    static void open() {
        fixture = new FuzzFixture();
        endpoint = new RegistrationEndpoint(fixture.clients(), fixture.scopes(),
                new ServerConfig.Registration(INITIAL_TOKEN, List.of("openid", "profile", "offline_access", "patient/*.rs", "system/*.rs",
                        "launch/patient"), List.of("client_credentials", "authorization_code", "refresh_token")),
                new ServerEndpoints(FuzzFixture.ISSUER), new Metrics(), clientId -> { });
    }

    @AfterAll
    static void close() {
        fixture.close();
    }

    @FuzzTest
    @DictionaryEntries({"{\"redirect_uris\":[\"https://app.example/cb\"]}", "\"client_name\":", "\"redirect_uris\":", "\"grant_types\":",
            "\"response_types\":", "\"token_endpoint_auth_method\":", "\"token_endpoint_auth_signing_alg\":", "\"scope\":", "\"jwks\":",
            "\"jwks_uri\":", "\"application_type\":", "\"client_uri\":", "\"logo_uri\":", "\"post_logout_redirect_uris\":",
            "\"id_token_signed_response_alg\":", "\"access_token_lifetime\":", "\"require_pushed_authorization_requests\":",
            "\"default_max_age\":", "\"client_id\":", "\"client_secret\":", "\"enabled\":", "\"allowed_resources\":", "\"keys\":",
            "\"kty\":\"EC\"", "private_key_jwt", "client_secret_basic", "none", "native", "web", "authorization_code", "refresh_token",
            "client_credentials", "code", "openid profile", "patient/*.rs", "system/Patient.rs", "http://127.0.0.1/cb",
            "https://app.example/cb", "null", "true", "[]", "{}", "1e400", "-1", "9223372036854775808", "\"\\u0000\""})
    void registration(FuzzedDataProvider data) throws IOException {
        String contentType = data.consumeInt(0, 9) == 0 ? data.consumeString(40) : data.pickValue(CONTENT_TYPES);
        String bearer = data.consumeInt(0, 9) == 0 ? data.consumeString(40) : INITIAL_TOKEN;
        String update = data.consumeString(2000);
        Response registered = endpoint.register(request("POST", contentType, bearer, data.consumeRemainingAsBytes()));
        assertAnswer(registered);
        if (registered.status() != 201) {
            return;
        }
        JsonNode client = Json.MAPPER.readTree(registered.body());
        String clientId = client.get("client_id").asText();
        String token = client.get("registration_access_token").asText();
        byte[] body = update.getBytes(StandardCharsets.UTF_8);
        try {
            if (Json.MAPPER.readTree(update) instanceof ObjectNode object) {
                object.put("client_id", clientId);
                body = Json.MAPPER.writeValueAsBytes(object);
            }
        } catch (IOException notJson) {
            // sent as it is
        }
        assertAnswer(endpoint.configure(request("PUT", "application/json", token, body), clientId));
        assertThat(endpoint.configure(request("GET", null, token, new byte[0]), clientId).status()).isEqualTo(200);
        assertThat(endpoint.configure(request("DELETE", null, token, new byte[0]), clientId).status()).isEqualTo(204);
    }

    private static Request request(String method, String contentType, String bearer, byte[] body) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        if (contentType != null) headers.put("content-type", List.of(contentType));
        headers.put("authorization", List.of("Bearer " + bearer));
        return new Request(method, "/register", headers, Map.of(), body, "127.0.0.1");
    }

    private static void assertAnswer(Response response) {
        assertThat(response.status()).as("a protocol answer, not a server error: %s", new String(response.body(), StandardCharsets.UTF_8))
                .isBetween(200, 499);
    }
}
