package dev.latch.server.discovery;

import static dev.latch.server.OAuthResponses.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.oauth2.sdk.GrantType;
import com.nimbusds.oauth2.sdk.as.AuthorizationServerMetadata;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.id.Issuer;
import dev.latch.server.TestServer;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Authorization server metadata (RFC 8414) resolved by the Nimbus SDK: every endpoint, grant,
 * authentication method and algorithm that is implemented, nothing that is not, and the fields
 * whose RFC default would be wrong stated explicitly.
 */
class MetadataTest {

    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        server.basicClient("scoped", "read patient/*.rs");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode raw() {
        HttpResponse<String> r = server.get(server.url("/.well-known/oauth-authorization-server"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("application/json");
        return json(r);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void nimbusResolvesTheMetadataFromTheIssuer() throws Exception {
        AuthorizationServerMetadata m = AuthorizationServerMetadata.resolve(new Issuer(server.issuer()));

        assertThat(m.getIssuer().getValue()).isEqualTo(server.issuer());
        assertThat(m.getTokenEndpointURI()).isEqualTo(URI.create(server.url("/token")));
        assertThat(m.getJWKSetURI()).isEqualTo(URI.create(server.url("/jwks")));
        assertThat(m.getIntrospectionEndpointURI()).isEqualTo(URI.create(server.url("/introspect")));
        assertThat(m.getRevocationEndpointURI()).isEqualTo(URI.create(server.url("/revoke")));
        assertThat(m.getRegistrationEndpointURI()).isNull();
        assertThat(m.getAuthorizationEndpointURI()).isEqualTo(URI.create(server.url("/authorize")));
        assertThat(m.getGrantTypes()).containsExactlyInAnyOrder(GrantType.CLIENT_CREDENTIALS, GrantType.AUTHORIZATION_CODE,
                GrantType.REFRESH_TOKEN);
        assertThat(m.getTokenEndpointAuthMethods()).containsExactlyInAnyOrder(ClientAuthenticationMethod.CLIENT_SECRET_BASIC,
                ClientAuthenticationMethod.CLIENT_SECRET_POST, ClientAuthenticationMethod.CLIENT_SECRET_JWT,
                ClientAuthenticationMethod.PRIVATE_KEY_JWT, ClientAuthenticationMethod.NONE);
        assertThat(m.getTokenEndpointJWSAlgs()).containsExactlyInAnyOrder(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
                JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512,
                JWSAlgorithm.Ed25519, JWSAlgorithm.EdDSA, JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);
        // public clients (none) exist only at the token endpoint's code flow; introspection and revocation need authentication
        assertThat(m.getIntrospectionEndpointAuthMethods()).containsExactlyInAnyOrder(ClientAuthenticationMethod.CLIENT_SECRET_BASIC,
                ClientAuthenticationMethod.CLIENT_SECRET_POST, ClientAuthenticationMethod.CLIENT_SECRET_JWT, ClientAuthenticationMethod.PRIVATE_KEY_JWT);
        assertThat(m.getRevocationEndpointAuthMethods()).containsExactlyInAnyOrderElementsOf(m.getIntrospectionEndpointAuthMethods());
        assertThat(m.getScopes().toStringList()).contains("read", "patient/*.rs");
    }

    @Test
    void fieldsWhoseRfcDefaultIsWrongAreStatedExplicitly() {
        JsonNode m = raw();
        // RFC 8414 §2 defaults: grant types code+implicit, auth method client_secret_basic, response modes query+fragment
        assertThat(strings(m.get("grant_types_supported"))).containsExactlyInAnyOrder("client_credentials", "authorization_code", "refresh_token");
        assertThat(strings(m.get("token_endpoint_auth_methods_supported")))
                .containsExactlyInAnyOrder("client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none");
        assertThat(strings(m.get("response_modes_supported"))).containsExactly("query", "form_post");
        assertThat(strings(m.get("response_types_supported"))).containsExactly("code");
    }

    @Test
    void nothingUnimplementedIsAdvertised() {
        JsonNode m = raw();
        assertThat(strings(m.get("code_challenge_methods_supported"))).containsExactly("S256");
        assertThat(m.has("device_authorization_endpoint")).isFalse();
        assertThat(m.has("end_session_endpoint")).isFalse();
        assertThat(m.has("backchannel_authentication_endpoint")).isFalse();
        for (String list : List.of("token_endpoint_auth_signing_alg_values_supported", "introspection_endpoint_auth_signing_alg_values_supported",
                "revocation_endpoint_auth_signing_alg_values_supported")) {
            assertThat(strings(m.get(list))).as(list).doesNotContain("none").isNotEmpty();
        }
        assertThat(strings(m.get("token_endpoint_auth_methods_supported"))).doesNotContain("tls_client_auth", "self_signed_tls_client_auth");
        assertThat(strings(m.get("introspection_endpoint_auth_methods_supported"))).doesNotContain("none");
    }

    @Test
    void everyAdvertisedEndpointIsServed() {
        JsonNode m = raw();
        assertThat(server.get(m.get("jwks_uri").asText()).statusCode()).isEqualTo(200);
        for (String endpoint : List.of("token_endpoint", "introspection_endpoint", "revocation_endpoint")) {
            HttpResponse<String> r = TestServer.send(java.net.http.HttpRequest.newBuilder(URI.create(m.get(endpoint).asText()))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("token=x&grant_type=client_credentials")).build());
            assertThat(r.statusCode()).as(endpoint).isEqualTo(401);
            assertThat(json(r).get("error").asText()).as(endpoint).isEqualTo("invalid_client");
        }
    }
}
