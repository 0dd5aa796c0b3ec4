package dev.latch.server.signin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latch.core.error.OAuthError;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Registration rules for code-flow clients (RFC 7591 §2, OIDC Registration §2) and what the metadata then says. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CodeClientRegistrationTest {

    private TestServer server;

    @BeforeAll
    void start() {
        server = TestServer.start();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private static Client.Builder code(String id) {
        return new Client.Builder().clientId(id).scope("openid").grantTypes(List.of("authorization_code", "refresh_token"))
                .redirectUris(List.of("https://app.example/cb"));
    }

    private void assertRefused(Client client, String fragment) {
        assertThatThrownBy(() -> server.register(client)).isInstanceOfSatisfying(OAuthError.class, e -> {
            assertThat(e.code()).isEqualTo("invalid_client_metadata");
            assertThat(e.description()).contains(fragment);
        });
    }

    @Test
    void codeClientGetsResponseTypeCodeByDefault() {
        assertThat(server.register(code("c1").build()).stored().client().responseTypes()).containsExactly("code");
    }

    @Test
    void codeClientWithoutRedirectUrisIsRefused() {
        assertRefused(code("c2").redirectUris(null).build(), "redirect_uris");
    }

    @Test
    void responseTypeCodeWithoutTheCodeGrantIsRefused() {
        assertRefused(new Client.Builder().clientId("c3").responseTypes(List.of("code")).build(), "go together");
    }

    @Test
    void otherResponseTypesAreRefused() {
        assertRefused(code("c4").responseTypes(List.of("code", "token")).build(), "response type token");
    }

    @Test
    void publicClientIsAllowedForTheCodeGrantOnlyAndHasNoSecret() {
        var registered = server.register(code("spa").tokenEndpointAuthMethod(Client.NONE).build());
        assertThat(registered.clientSecret()).isNull();
        assertThat(registered.stored().secretDigest()).isNull();
        assertRefused(new Client.Builder().clientId("c5").tokenEndpointAuthMethod(Client.NONE).build(), "none");
        assertRefused(code("c6").tokenEndpointAuthMethod(Client.NONE).grantTypes(List.of("authorization_code", "client_credentials")).build(), "none");
        assertRefused(code("c7").tokenEndpointAuthMethod(Client.NONE).requirePkce(false).build(), "require_pkce");
    }

    @Test
    void refreshPolicyNeedsTheRefreshGrantAndSaneLifetimes() {
        assertRefused(code("c8").grantTypes(List.of("authorization_code")).refreshTokens(true).build(), "refresh_tokens");
        assertRefused(code("c9").refreshTokenIdleLifetime(0L).build(), "refresh_token_idle_lifetime");
        assertRefused(code("c10").refreshTokenIdleLifetime(100L).refreshTokenAbsoluteLifetime(10L).build(), "must not exceed");
    }

    @Test
    void metadataAdvertisesTheCodeGrantsOnceSignInIsServed() {
        String body = server.get(server.url("/.well-known/oauth-authorization-server")).body();
        assertThat(body).contains("\"grant_types_supported\":[\"client_credentials\",\"authorization_code\",\"refresh_token\"]");
        assertThat(server.get(server.url("/.well-known/openid-configuration")).body()).contains("\"userinfo_endpoint\":\"" + server.url("/userinfo") + "\"");
    }
}
