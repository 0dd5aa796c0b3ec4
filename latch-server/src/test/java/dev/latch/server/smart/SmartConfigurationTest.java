package dev.latch.server.smart;

import static dev.latch.server.OAuthResponses.strings;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.server.OAuthResponses;
import dev.latch.server.TestServer;
import dev.latch.server.signin.SignInFixture;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code /.well-known/smart-configuration} (SMART App Launch 2.2 §"Retrieve .well-known/smart-configuration"). */
class SmartConfigurationTest {

    static SignInFixture f;

    @BeforeAll
    static void start() {
        f = new SignInFixture("https://app.example/cb", Map.of("smart.fhir-servers.0.base", "http://localhost:8000/fhir",
                "registration.initial-access-token", "iat-for-smart-tests-0123456789abcdef"));
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @Test
    void smartConfigurationWhateverAcceptThenJsonWithAbsoluteUrlsAndTrueCapabilities() {
        String issuer = f.server.issuer();
        for (String accept : List.of("application/json", "text/html", "application/fhir+json", "*/*")) {
            HttpResponse<String> r = f.server.get(f.server.url("/.well-known/smart-configuration"), "Accept", accept);
            assertThat(r.statusCode()).as(accept).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).as(accept).get().asString().startsWith("application/json");
            assertThat(r.headers().firstValue("access-control-allow-origin")).as(accept).hasValue("*");
        }
        JsonNode c = OAuthResponses.json(f.server.get(f.server.url("/.well-known/smart-configuration")));
        assertThat(c.get("issuer").asText()).isEqualTo(issuer);
        assertThat(c.get("jwks_uri").asText()).isEqualTo(issuer + "/jwks");
        assertThat(c.get("authorization_endpoint").asText()).isEqualTo(issuer + "/authorize");
        assertThat(c.get("token_endpoint").asText()).isEqualTo(issuer + "/token");
        assertThat(c.get("introspection_endpoint").asText()).isEqualTo(issuer + "/introspect");
        assertThat(c.get("revocation_endpoint").asText()).isEqualTo(issuer + "/revoke");
        assertThat(c.get("registration_endpoint").asText()).isEqualTo(issuer + "/register");
        assertThat(c.get("management_endpoint").asText()).isEqualTo(issuer + "/account/apps");
        assertThat(strings(c.get("grant_types_supported"))).contains("authorization_code", "client_credentials", "refresh_token");
        assertThat(strings(c.get("token_endpoint_auth_methods_supported"))).contains("private_key_jwt", "client_secret_basic", "none");
        assertThat(strings(c.get("token_endpoint_auth_signing_alg_values_supported"))).contains("RS384", "ES384");
        assertThat(strings(c.get("code_challenge_methods_supported"))).containsExactly("S256");
        assertThat(strings(c.get("response_types_supported"))).containsExactly("code");
        assertThat(strings(c.get("scopes_supported"))).contains("openid", "fhirUser", "launch", "launch/patient", "offline_access",
                "online_access", "patient/*.rs", "user/*.rs", "system/*.rs", "patient/*.cruds");
        assertThat(strings(c.get("capabilities"))).containsExactlyInAnyOrder("authorize-post", "client-public",
                "client-confidential-symmetric", "client-confidential-asymmetric", "sso-openid-connect", "permission-offline",
                "permission-online", "permission-patient", "permission-user", "permission-v1", "permission-v2", "launch-ehr", "launch-standalone",
                "context-banner", "context-style", "context-ehr-patient", "context-ehr-encounter", "context-standalone-patient",
                "context-standalone-encounter");
    }

    @Test
    void preflightFromAnyOriginThenAllowedWithoutCredentials() {
        HttpResponse<String> r = TestServer.send(HttpRequest.newBuilder(URI.create(f.server.url("/.well-known/smart-configuration")))
                .header("Origin", "https://any-app.example").header("Access-Control-Request-Method", "GET")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());
        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(r.headers().firstValue("access-control-allow-origin")).hasValue("*");
        assertThat(r.headers().firstValue("access-control-allow-methods")).hasValue("GET");
        assertThat(r.headers().firstValue("access-control-allow-credentials")).isEmpty();
    }

    @Test
    void oauthMetadataListsSmartScopesToo() {
        JsonNode m = OAuthResponses.json(f.server.get(f.server.url("/.well-known/openid-configuration")));
        assertThat(strings(m.get("scopes_supported"))).contains("fhirUser", "launch/patient", "patient/*.rs", "system/*.rs");
        assertThat(strings(m.get("claims_supported"))).contains("fhirUser");
    }

    @Test
    void withoutSmartConfiguredThen404AndNoSmartScopes() {
        try (TestServer plain = TestServer.start()) {
            assertThat(plain.get(plain.url("/.well-known/smart-configuration")).statusCode()).isEqualTo(404);
            JsonNode m = OAuthResponses.json(plain.get(plain.url("/.well-known/oauth-authorization-server")));
            assertThat(strings(m.get("scopes_supported"))).doesNotContain("launch/patient", "patient/*.rs");
            assertThat(strings(OAuthResponses.json(plain.get(plain.url("/.well-known/openid-configuration"))).get("claims_supported")))
                    .doesNotContain("fhirUser");
        }
    }

    @Test
    void withoutSignInThenOnlyBackendCapabilitiesAndNoRegistrationWhenClosed() {
        try (TestServer backend = TestServer.start(Map.of("smart.fhir-servers.0.base", "https://fhir.example.org/r4"),
                java.time.Clock.systemUTC(), s -> s.users(null, null))) {
            JsonNode c = OAuthResponses.json(backend.get(backend.url("/.well-known/smart-configuration")));
            assertThat(strings(c.get("capabilities"))).containsExactlyInAnyOrder("client-confidential-symmetric",
                    "client-confidential-asymmetric", "permission-v1", "permission-v2");
            assertThat(c.has("authorization_endpoint")).isFalse();
            assertThat(c.has("registration_endpoint")).isFalse();
            assertThat(c.has("management_endpoint")).as("no page to manage approvals where nobody can sign in").isFalse();
            assertThat(backend.get(backend.url("/account/apps")).statusCode()).isEqualTo(404);
            assertThat(strings(c.get("grant_types_supported"))).containsExactly("client_credentials");
        }
    }
}
