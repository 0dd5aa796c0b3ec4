package dev.latch.server.smart;

import static dev.latch.server.OAuthResponses.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.server.OAuthResponses;
import dev.latch.server.TestServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Dynamic registration (RFC 7591) of SMART apps: with SMART configured the server offers SMART's scopes
 * without a catalogue row each, a registration policy's wildcards cover the clinical scopes under them,
 * and a malformed clinical scope is {@code invalid_client_metadata} naming it.
 */
class SmartRegistrationTest {

    static final String INITIAL = "initial-access-token-for-smart-0123456789";

    static HttpResponse<String> register(TestServer server, String scope) {
        return TestServer.send(HttpRequest.newBuilder(URI.create(server.url("/register"))).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + INITIAL)
                .POST(HttpRequest.BodyPublishers.ofString("{\"grant_types\":[\"client_credentials\"],\"scope\":\"" + scope + "\"}")).build());
    }

    @Test
    void withoutPolicyThenSmartScopesOfferedAndMalformedOnesRefusedNamingThem() {
        try (TestServer server = TestServer.start(Map.of("registration.initial-access-token", INITIAL,
                "smart.fhir-servers.0.base", "https://fhir.example.org/r4"))) {
            HttpResponse<String> ok = register(server, "launch/patient openid fhirUser patient/Observation.rs?category=laboratory user/*.read");
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
            JsonNode e = assertError(register(server, "patient/Observation.rsx"), 400, "invalid_client_metadata");
            assertThat(e.get("error_description").asText()).contains("patient/Observation.rsx");
            assertError(register(server, "unknown-scope"), 400, "invalid_client_metadata");
            // offered, not added: the catalogue (and scopes_supported) do not fill up with every app's scopes
            assertThat(server.instance().scopes().all()).doesNotContainKey("patient/Observation.rs?category=laboratory");
        }
    }

    @Test
    void withoutSmartThenClinicalScopesAreNotOffered() {
        try (TestServer server = TestServer.start(Map.of("registration.initial-access-token", INITIAL))) {
            assertError(register(server, "patient/Observation.rs"), 400, "invalid_client_metadata");
            JsonNode e = assertError(register(server, "patient/Observation"), 400, "invalid_client_metadata");
            assertThat(e.get("error_description").asText()).contains("patient/Observation");
        }
    }

    @Test
    void policyWildcardsCoverTheClinicalScopesUnderThem() {
        try (TestServer server = TestServer.start(Map.of("registration.initial-access-token", INITIAL,
                "registration.allowed-scopes", "system/*.rs,openid", "smart.fhir-servers.0.base", "https://fhir.example.org/r4"))) {
            assertThat(register(server, "system/Observation.rs system/Patient.r").statusCode()).isEqualTo(201);
            JsonNode beyond = assertError(register(server, "system/Observation.rs system/Patient.cruds"), 400, "invalid_client_metadata");
            assertThat(beyond.get("error_description").asText()).contains("system/Patient.cruds");
            assertError(register(server, "patient/Observation.rs"), 400, "invalid_client_metadata");
            assertThat(OAuthResponses.json(server.get(server.url("/.well-known/smart-configuration"))).get("registration_endpoint").asText())
                    .isEqualTo(server.url("/register"));
        }
    }
}
