package dev.latch.server.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latch.core.error.OAuthError;
import dev.latch.server.TestServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Client metadata used by sign-in (OIDC Registration §2): checked like the rest, kept as given. */
class ClientMetadataForSignInTest {

    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Client.Builder base(String id) {
        return new Client.Builder().clientId(id).scope("read");
    }

    @Test
    void signInMetadataIsStoredAsGiven() {
        server.register(base("web-app").applicationType("native").idTokenSignedResponseAlg("ES256").defaultMaxAge(600L)
                .clientUri("https://app.example").logoUri("https://app.example/logo.png").policyUri("https://app.example/privacy")
                .tosUri("https://app.example/tos").postLogoutRedirectUris(List.of("https://app.example/bye")).requirePkce(false).build());
        Client c = server.clients().find("web-app").orElseThrow().client();
        assertThat(c.isNative()).isTrue();
        assertThat(c.idTokenSignedResponseAlg()).isEqualTo("ES256");
        assertThat(c.defaultMaxAge()).isEqualTo(600L);
        assertThat(c.postLogoutRedirectUris()).containsExactly("https://app.example/bye");
        assertThat(c.pkceRequired()).isFalse();
    }

    @Test
    void pkceIsRequiredByDefaultAndAlwaysForPublicClients() {
        assertThat(base("x").build().pkceRequired()).isTrue();
        assertThat(base("x").tokenEndpointAuthMethod(Client.NONE).requirePkce(false).build().pkceRequired()).isTrue();
    }

    @Test
    void badSignInMetadataIsInvalidClientMetadataNamingTheField() {
        assertThatThrownBy(() -> server.register(base("a1").applicationType("desktop").build()))
                .isInstanceOf(OAuthError.class).hasMessageContaining("application_type must be web or native");
        assertThatThrownBy(() -> server.register(base("a2").idTokenSignedResponseAlg("none").build()))
                .hasMessageContaining("id_token_signed_response_alg must be one of");
        assertThatThrownBy(() -> server.register(base("a3").logoUri("javascript:alert(1)").build()))
                .hasMessageContaining("logo_uri must be an https URL");
        assertThatThrownBy(() -> server.register(base("a4").tosUri("http://app.example/tos").build()))
                .hasMessageContaining("tos_uri must be an https URL");
        assertThatThrownBy(() -> server.register(base("a5").defaultMaxAge(-1L).build()))
                .hasMessageContaining("default_max_age must not be negative");
        assertThatThrownBy(() -> server.register(base("a6").postLogoutRedirectUris(List.of("/relative")).build()))
                .hasMessageContaining("post_logout_redirect_uris");
        assertThat(server.clients().find("a1")).isEmpty();
    }
}
