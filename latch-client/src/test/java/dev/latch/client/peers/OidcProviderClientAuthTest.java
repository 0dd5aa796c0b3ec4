package dev.latch.client.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.latch.client.auth.ClientAssertion;
import dev.latch.client.auth.ClientAuthentication;
import dev.latch.client.auth.ProviderPresets;
import dev.latch.client.discovery.Discovery;
import dev.latch.client.discovery.ProviderMetadata;
import dev.latch.client.keys.KeyLoader;
import dev.latch.client.keys.KeyMaterial;
import dev.latch.client.token.AccessToken;
import dev.latch.client.token.CachingTokenSource;
import dev.latch.client.token.TokenClient;
import dev.latch.client.token.TokenEndpoint;
import dev.latch.client.token.TokenErrorException;
import dev.latch.client.token.TokenRequest;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.core.jose.KeyFiles;
import dev.latch.server.TestKeys;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The library against an authorization server it was not written with: npm {@code oidc-provider}
 * (peers/node/oidc-provider-server.mjs, through {@link OidcProviderPeer}), with client-credentials clients for every client authentication method
 * and every asymmetric algorithm, and the Epic and Entra ID presets. Fails — never skips — without Node.js.
 */
class OidcProviderClientAuthTest {

    static final String BASIC_ID = "op basic:1";
    // RFC 6749 Appendix A: a client secret is VSCHAR (printable ASCII), so oidc-provider refuses non-ASCII ones
    static final String BASIC_SECRET = "p@ss:w%rd +&=/0123456789abcdefghijklmnop";
    static final String HMAC_SECRET = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    static OidcProviderPeer peer;
    static ProviderMetadata metadata;
    static TokenEndpoint endpoint;
    static final Map<String, JWK> keys = new LinkedHashMap<>();
    static JWK entraKey;
    static final TokenClient client = TokenClient.create();

    @BeforeAll
    static void start() throws Exception {
        List<Map<String, Object>> clients = new ArrayList<>();
        clients.add(secretClient(BASIC_ID, "client_secret_basic", BASIC_SECRET, null));
        clients.add(secretClient("op-post", "client_secret_post", "post-secret-0123456789abcdefghijklmnop", null));
        for (String alg : JwsAlgorithms.hmacNames()) {
            clients.add(secretClient("op-csj-" + alg, "client_secret_jwt", HMAC_SECRET, alg));
        }
        for (String alg : JwsAlgorithms.asymmetricNames()) {
            JWK key = TestKeys.generate(JWSAlgorithm.parse(alg), "op-" + alg);
            keys.put(alg, key);
            clients.add(keyClient("op-pkj-" + alg, key, alg));
        }
        JWK epicRs = TestKeys.generate(JWSAlgorithm.RS384, "epic-rs");
        JWK epicEs = TestKeys.generate(JWSAlgorithm.ES384, "epic-es");
        keys.put("epic-RS384", epicRs);
        keys.put("epic-ES384", epicEs);
        clients.add(keyClient("op-epic-RS384", epicRs, "RS384"));
        clients.add(keyClient("op-epic-ES384", epicEs, "ES384"));
        KeyPair pair = KeyMaterial.rsa();
        entraKey = KeyLoader.withCertificates(KeyFiles.toJwk(pair.getPrivate(), null, List.of()),
                List.of(KeyMaterial.selfSigned(pair, "SHA256withRSA")));
        clients.add(keyClient("op-entra", entraKey, "PS256"));

        peer = OidcProviderPeer.start(clients);
        String issuer = peer.issuer();
        metadata = Discovery.create().discover(issuer);
        endpoint = TokenEndpoint.of(metadata);
    }

    @AfterAll
    static void stop() {
        if (peer != null) {
            peer.close();
        }
    }

    private static Map<String, Object> secretClient(String id, String method, String secret, String alg) {
        Map<String, Object> c = base(id, method);
        c.put("client_secret", secret);
        if (alg != null) c.put("token_endpoint_auth_signing_alg", alg);
        return c;
    }

    private static Map<String, Object> keyClient(String id, JWK key, String alg) {
        Map<String, Object> c = base(id, "private_key_jwt");
        c.put("token_endpoint_auth_signing_alg", alg);
        c.put("jwks", Map.of("keys", List.of(key.toPublicJWK().toJSONObject())));
        return c;
    }

    private static Map<String, Object> base(String id, String method) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("client_id", id);
        c.put("token_endpoint_auth_method", method);
        c.put("grant_types", List.of("client_credentials"));
        c.put("response_types", List.of());
        c.put("redirect_uris", List.of());
        c.put("scope", "read write");
        return c;
    }

    private static AccessToken token(ClientAuthentication auth) {
        AccessToken t = client.request(endpoint, auth, TokenRequest.clientCredentials("read"));
        assertThat(t.isBearer()).isTrue();
        assertThat(t.expiresAt()).isNotNull();
        assertThat(t.scope()).isEqualTo("read");
        return t;
    }

    @Test
    void discoveryOfOidcProviderMatchesItsIssuerExactly() {
        assertThat(metadata.tokenEndpoint()).isNotNull();
        assertThat(metadata.tokenEndpointAuthMethodsSupported()).contains("private_key_jwt", "client_secret_jwt");
    }

    @Test
    void clientSecretBasicWithColonPercentSpaceAndPlusThenToken() {
        token(ClientAuthentication.clientSecretBasic(BASIC_ID, BASIC_SECRET));
    }

    @Test
    void clientSecretBasicWithWrongSecretThenInvalidClient() {
        assertThatThrownBy(() -> token(ClientAuthentication.clientSecretBasic(BASIC_ID, BASIC_SECRET + "x")))
                .isInstanceOfSatisfying(TokenErrorException.class, e -> assertThat(e.error()).isEqualTo("invalid_client"));
    }

    @Test
    void clientSecretPostThenToken() {
        token(ClientAuthentication.clientSecretPost("op-post", "post-secret-0123456789abcdefghijklmnop"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"HS256", "HS384", "HS512"})
    void clientSecretJwtThenToken(String alg) {
        token(ClientAuthentication.clientSecretJwt(ClientAssertion.builder("op-csj-" + alg).secret(HMAC_SECRET, JWSAlgorithm.parse(alg)).build()));
    }

    static List<String> asymmetric() {
        return JwsAlgorithms.asymmetricNames();
    }

    @ParameterizedTest
    @MethodSource("asymmetric")
    void privateKeyJwtWithEachAlgorithmAndBothAudiencesThenToken(String alg) {
        for (ClientAssertion.Audience audience : ClientAssertion.Audience.values()) {
            token(ClientAuthentication.privateKeyJwt(ClientAssertion.builder("op-pkj-" + alg).key(keys.get(alg), JWSAlgorithm.parse(alg))
                    .audience(audience).build()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"RS384", "ES384"})
    void epicPresetAssertionAccepted(String alg) {
        token(ClientAuthentication.privateKeyJwt(ProviderPresets.epicBackendServices("op-epic-" + alg, keys.get("epic-" + alg),
                JWSAlgorithm.parse(alg)).lifetime(Duration.ofMinutes(5)).build()));
    }

    @Test
    void entraIdPresetAssertionAccepted() {
        token(ClientAuthentication.privateKeyJwt(ProviderPresets.entraIdCertificate("op-entra", entraKey).x5t(true).build()));
    }

    @Test
    void cachingTokenSourceServesOneTokenUntilRenewal() {
        try (CachingTokenSource source = CachingTokenSource.builder().issuer(URI.create(metadata.issuer()))
                .authentication(ClientAuthentication.privateKeyJwt(ClientAssertion.builder("op-pkj-ES384").key(keys.get("ES384"), JWSAlgorithm.ES384).build()))
                .scope("read").build()) {
            AccessToken first = source.token();
            assertThat(source.token()).isSameAs(first);
            source.invalidate(first);
            assertThat(source.token().value()).isNotEqualTo(first.value());
        }
    }
}
