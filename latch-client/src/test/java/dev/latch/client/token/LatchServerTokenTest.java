package dev.latch.client.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.client.auth.ClientAssertion;
import dev.latch.client.auth.ClientAuthentication;
import dev.latch.client.discovery.Discovery;
import dev.latch.client.discovery.ProviderMetadata;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.server.TestKeys;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Tokens from a real Latch server, found by discovery, with every client authentication method and algorithm. */
class LatchServerTokenTest {

    static TestServer server;
    static ProviderMetadata metadata;
    static TokenEndpoint endpoint;
    static final TokenClient client = TokenClient.create();

    @BeforeAll
    static void start() {
        server = TestServer.start();
        metadata = Discovery.create().discover(server.issuer());
        endpoint = TokenEndpoint.of(metadata);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String subjectOf(AccessToken token) throws Exception {
        return SignedJWT.parse(token.value()).getJWTClaimsSet().getSubject();
    }

    @Test
    void discoveryOfLatchThenItsTokenEndpointAndMethods() {
        assertThat(metadata.issuer()).isEqualTo(server.issuer());
        assertThat(metadata.tokenEndpoint()).hasToString(server.url("/token"));
        assertThat(metadata.tokenEndpointAuthMethodsSupported())
                .contains("client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt");
    }

    @Test
    void clientSecretBasicThenToken() throws Exception {
        String secret = server.basicClient("lib-basic", "read").clientSecret();
        AccessToken token = client.request(endpoint, ClientAuthentication.clientSecretBasic("lib-basic", secret),
                TokenRequest.clientCredentials("read"));
        assertThat(token.isBearer()).isTrue();
        assertThat(token.expiresAt()).isNotNull();
        assertThat(subjectOf(token)).isEqualTo("lib-basic");
    }

    @Test
    void clientSecretBasicWithWrongSecretThenInvalidClient() {
        server.basicClient("lib-basic-wrong", "read");
        assertThatThrownBy(() -> client.request(endpoint, ClientAuthentication.clientSecretBasic("lib-basic-wrong", "not-the-secret"),
                TokenRequest.clientCredentials("read")))
                .isInstanceOf(TokenErrorException.class).extracting(e -> ((TokenErrorException) e).error()).isEqualTo("invalid_client");
    }

    @Test
    void clientSecretPostThenToken() throws Exception {
        String secret = server.register(new Client.Builder().clientId("lib-post").scope("read")
                .tokenEndpointAuthMethod(Client.POST).build()).clientSecret();
        AccessToken token = client.request(endpoint, ClientAuthentication.clientSecretPost("lib-post", secret),
                TokenRequest.clientCredentials("read"));
        assertThat(subjectOf(token)).isEqualTo("lib-post");
        assertThat(token.scope()).isEqualTo("read");
    }

    @Test
    void unknownScopeThenInvalidScope() {
        String secret = server.basicClient("lib-scope", "read").clientSecret();
        assertThatThrownBy(() -> client.request(endpoint, ClientAuthentication.clientSecretBasic("lib-scope", secret),
                TokenRequest.clientCredentials("admin")))
                .isInstanceOf(TokenErrorException.class).extracting(e -> ((TokenErrorException) e).error()).isEqualTo("invalid_scope");
    }

    @ParameterizedTest
    @ValueSource(strings = {"HS256", "HS384", "HS512"})
    void clientSecretJwtWithEachHmacThenToken(String algName) throws Exception {
        String clientId = "lib-csj-" + algName;
        String secret = server.register(new Client.Builder().clientId(clientId).scope("read")
                .tokenEndpointAuthMethod(Client.SECRET_JWT).tokenEndpointAuthSigningAlg(algName).build()).clientSecret();
        ClientAssertion assertion = ClientAssertion.builder(clientId).secret(secret, JWSAlgorithm.parse(algName)).build();

        AccessToken token = client.request(endpoint, ClientAuthentication.clientSecretJwt(assertion), TokenRequest.clientCredentials("read"));
        AccessToken again = client.request(endpoint, ClientAuthentication.clientSecretJwt(assertion), TokenRequest.clientCredentials("read"));

        assertThat(subjectOf(token)).isEqualTo(clientId);
        assertThat(again.value()).isNotEqualTo(token.value()); // a second assertion (new jti) is accepted: not a replay
    }

    static List<String> asymmetric() {
        return JwsAlgorithms.asymmetricNames();
    }

    @ParameterizedTest
    @MethodSource("asymmetric")
    void privateKeyJwtWithEachAlgorithmAndBothAudiencesThenToken(String algName) throws Exception {
        JWSAlgorithm alg = JWSAlgorithm.parse(algName);
        String clientId = "lib-pkj-" + algName;
        JWK key = TestKeys.generate(alg, clientId + "-key");
        server.register(new Client.Builder().clientId(clientId).scope("read").tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                .tokenEndpointAuthSigningAlg(algName).jwks(TestKeys.publicJwks(key)).build());

        for (ClientAssertion.Audience audience : ClientAssertion.Audience.values()) {
            ClientAssertion assertion = ClientAssertion.builder(clientId).key(key, alg).audience(audience).build();
            AccessToken token = client.request(endpoint, ClientAuthentication.privateKeyJwt(assertion), TokenRequest.clientCredentials("read"));
            assertThat(subjectOf(token)).as(audience.name()).isEqualTo(clientId);
        }
    }

    @Test
    void privateKeyJwtSignedByAnotherKeyThenInvalidClient() {
        JWK registered = TestKeys.generate(JWSAlgorithm.ES256, "k1");
        server.register(new Client.Builder().clientId("lib-pkj-other").scope("read").tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                .jwks(TestKeys.publicJwks(registered)).build());
        JWK other = TestKeys.generate(JWSAlgorithm.ES256, "k1");
        ClientAssertion assertion = ClientAssertion.builder("lib-pkj-other").key(other, JWSAlgorithm.ES256).build();
        assertThatThrownBy(() -> client.request(endpoint, ClientAuthentication.privateKeyJwt(assertion), TokenRequest.clientCredentials("read")))
                .isInstanceOf(TokenErrorException.class).extracting(e -> ((TokenErrorException) e).error()).isEqualTo("invalid_client");
    }

    @Test
    void privateKeyJwtTypedClientAuthenticationWithIssuerAudienceAndNoKidThenToken() throws Exception {
        ClientAssertion.Audience audience = ClientAssertion.Audience.ISSUER;
        JWK key = TestKeys.generate(JWSAlgorithm.PS256, "k");
        String clientId = "lib-pkj-typ-" + audience;
        server.register(new Client.Builder().clientId(clientId).scope("read").tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                .jwks(TestKeys.publicJwks(key)).build());
        ClientAssertion assertion = ClientAssertion.builder(clientId).key(key, JWSAlgorithm.PS256).keyId(null)
                .type("client-authentication+jwt").audience(audience).build();
        assertThat(subjectOf(client.request(endpoint, ClientAuthentication.privateKeyJwt(assertion), TokenRequest.clientCredentials("read"))))
                .isEqualTo(clientId);
    }

    @Test
    void resourceIndicatorThenTokenForThatAudience() throws Exception {
        String secret = server.register(new Client.Builder().clientId("lib-resource").scope("read")
                .allowedResources(List.of("https://api.example/v1")).build()).clientSecret();
        AccessToken token = client.request(endpoint, ClientAuthentication.clientSecretBasic("lib-resource", secret),
                TokenRequest.clientCredentials("read").withResource("https://api.example/v1"));
        assertThat(SignedJWT.parse(token.value()).getJWTClaimsSet().getAudience()).containsExactly("https://api.example/v1");
    }
}
