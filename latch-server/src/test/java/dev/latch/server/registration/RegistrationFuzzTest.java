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
        boolean structured = data.consumeInt(0, 3) != 0;
        String update = structured ? Json.write(document(data)) : data.consumeString(2000);
        byte[] document = structured ? Json.write(document(data)).getBytes(StandardCharsets.UTF_8) : data.consumeRemainingAsBytes();
        Response registered = endpoint.register(request("POST", contentType, bearer, document));
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

    /** A registration document of known fields (or others), each with a value of the fuzzer's choice of JSON type. */
    private static Map<String, Object> document(FuzzedDataProvider data) {
        Map<String, Object> out = new LinkedHashMap<>();
        int fields = data.consumeInt(0, 8);
        for (int i = 0; i < fields; i++) {
            out.put(data.consumeInt(0, 7) == 0 ? data.consumeString(20) : data.pickValue(FIELDS), value(data, 0));
        }
        return out;
    }

    private static Object value(FuzzedDataProvider data, int depth) {
        return switch (data.consumeInt(0, depth > 1 ? 5 : 7)) {
            case 0 -> data.consumeString(80);
            case 1, 2 -> data.pickValue(SAMPLES);
            case 3 -> data.consumeLong();
            case 4 -> data.consumeBoolean();
            case 5 -> null;
            case 6 -> java.util.stream.IntStream.range(0, data.consumeInt(0, 3)).mapToObj(i -> value(data, depth + 1)).toList();
            default -> Map.of("keys", List.of(Map.of("kty", data.pickValue(List.of("EC", "RSA", "OKP", "oct", "")), "crv",
                    data.pickValue(List.of("P-256", "Ed25519", "")), "x", data.consumeString(50), "y", data.consumeString(50))));
        };
    }

    private static final List<String> FIELDS = List.of("client_name", "redirect_uris", "grant_types", "response_types",
            "token_endpoint_auth_method", "token_endpoint_auth_signing_alg", "scope", "jwks", "jwks_uri", "application_type", "client_uri",
            "logo_uri", "policy_uri", "tos_uri", "post_logout_redirect_uris", "id_token_signed_response_alg", "access_token_lifetime",
            "require_pushed_authorization_requests", "default_max_age", "require_pkce", "initiate_login_uri", "client_id",
            "client_secret", "enabled", "allowed_resources", "access_token_format", "refresh_token_idle_lifetime");
    private static final List<Object> SAMPLES = List.of("https://app.example/cb", "http://127.0.0.1/cb", "com.example.app:/cb",
            List.of("https://app.example/cb"), List.of("authorization_code", "refresh_token"), List.of("client_credentials"), List.of("code"),
            "private_key_jwt", "client_secret_basic", "client_secret_post", "none", "ES256", "HS256", "none", "native", "web",
            "openid profile", "patient/*.rs", "system/Patient.rs", "launch/patient offline_access", "jwt", "opaque", 300, -1, 0);

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
