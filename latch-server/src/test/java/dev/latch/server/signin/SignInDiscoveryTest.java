package dev.latch.server.signin;

import static dev.latch.server.OAuthResponses.strings;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.server.OAuthResponses;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** OIDC Discovery 1.0 §4 and RFC 8414 §3 once sign-in is served. */
class SignInDiscoveryTest {

    static SignInFixture f;

    @BeforeAll
    static void start() {
        f = new SignInFixture("https://app.example/cb");
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @Test
    void openidConfigurationStatesWhatSignInSupports() {
        HttpResponse<String> r = f.server.get(f.server.url("/.well-known/openid-configuration"));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode m = OAuthResponses.json(r);
        assertThat(m.get("issuer").asText()).isEqualTo(f.server.issuer());
        assertThat(m.get("authorization_endpoint").asText()).isEqualTo(f.server.url("/authorize"));
        assertThat(m.get("pushed_authorization_request_endpoint").asText()).isEqualTo(f.server.url("/par"));
        assertThat(strings(m.get("response_types_supported"))).containsExactly("code");
        assertThat(strings(m.get("response_modes_supported"))).containsExactly("query", "form_post");
        assertThat(strings(m.get("code_challenge_methods_supported"))).containsExactly("S256");
        assertThat(strings(m.get("subject_types_supported"))).containsExactly("public");
        assertThat(strings(m.get("id_token_signing_alg_values_supported"))).contains("RS256").doesNotContain("none", "HS256");
        assertThat(m.get("request_parameter_supported").asBoolean(true)).isFalse();
        assertThat(m.get("request_uri_parameter_supported").asBoolean(true)).isFalse();
        assertThat(m.get("authorization_response_iss_parameter_supported").asBoolean()).isTrue();
        assertThat(m.has("claims_supported")).isTrue();
        assertThat(m.has("scopes_supported")).isTrue();
    }

    @Test
    void rfc8414MetadataListsTheAuthorizationEndpointToo() {
        JsonNode m = OAuthResponses.json(f.server.get(f.server.url("/.well-known/oauth-authorization-server")));
        assertThat(m.get("authorization_endpoint").asText()).isEqualTo(f.server.url("/authorize"));
        assertThat(strings(m.get("response_types_supported"))).containsExactly("code");
        assertThat(m.has("subject_types_supported")).isFalse();
    }
}
