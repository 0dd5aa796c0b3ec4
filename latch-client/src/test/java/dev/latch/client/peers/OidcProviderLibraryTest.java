package dev.latch.client.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.client.auth.ClientAssertion;
import dev.latch.client.auth.ClientAuthentication;
import dev.latch.client.auth.ProviderPresets;
import dev.latch.client.discovery.Discovery;
import dev.latch.client.discovery.ProviderMetadata;
import dev.latch.client.oidc.CodeExchange;
import dev.latch.client.oidc.IdTokenValidator;
import dev.latch.client.token.AccessToken;
import dev.latch.client.token.CachingTokenSource;
import dev.latch.client.token.TokenClient;
import dev.latch.client.token.TokenEndpoint;
import dev.latch.client.token.TokenErrorException;
import dev.latch.client.token.TokenRequest;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.core.jose.KeyGeneration;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The client library against an authorization server it was not written with: npm oidc-provider.
 * Tokens through {@link CachingTokenSource} for the three private_key_jwt algorithms, the
 * Epic preset, secret methods, an RFC error as a typed exception, and a code exchange whose ID
 * token {@link IdTokenValidator} accepts.
 */
class OidcProviderLibraryTest {

    static OidcProviderPeer peer;
    static ProviderMetadata metadata;
    static JWKSet jwks;

    @BeforeAll
    static void start() throws Exception {
        peer = OidcProviderPeer.start();
        metadata = Discovery.create().discover(peer.issuer());
        jwks = JWKSet.load(metadata.jwksUri().toURL());
    }

    @AfterAll
    static void stop() {
        if (peer != null) peer.close();
    }

    /** An RFC 9068 access token signed by the peer for {@code clientId} and the peer's resource. */
    static void assertPeerAccessToken(AccessToken token, String clientId) throws Exception {
        SignedJWT jwt = SignedJWT.parse(token.value());
        JWK key = jwks.getKeyByKeyId(jwt.getHeader().getKeyID());
        assertThat(jwt.verify(JwsAlgorithms.verifier(key, jwt.getHeader().getAlgorithm()))).isTrue();
        JWTClaimsSet c = jwt.getJWTClaimsSet();
        assertThat(c.getIssuer()).isEqualTo(peer.issuer());
        assertThat(c.getAudience()).containsExactly(OidcProviderPeer.RESOURCE);
        assertThat(c.getStringClaim("client_id")).isEqualTo(clientId);
        assertThat(token.isBearer()).isTrue();
        assertThat(token.expiresAt()).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"RS384", "ES384", "PS256"})
    void cachingTokenSourceWithPrivateKeyJwtThenTokenAndThenTheCachedOne(String algName) throws Exception {
        JWSAlgorithm alg = JWSAlgorithm.parse(algName);
        String clientId = OidcProviderPeer.keyClientId(alg);
        ClientAuthentication auth = ClientAuthentication.privateKeyJwt(ClientAssertion.builder(clientId).key(peer.key(alg), alg).build());
        try (CachingTokenSource source = CachingTokenSource.builder().issuer(URI.create(peer.issuer())).authentication(auth)
                .scope("read").build()) {
            AccessToken first = source.token();
            assertPeerAccessToken(first, clientId);
            assertThat(first.scope()).isEqualTo("read");
            assertThat(source.token().value()).as("served from the cache").isEqualTo(first.value());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"RS384", "ES384", "PS256"})
    void assertionAudienceTheTokenEndpointThenAcceptedToo(String algName) throws Exception {
        JWSAlgorithm alg = JWSAlgorithm.parse(algName);
        String clientId = OidcProviderPeer.keyClientId(alg);
        ClientAuthentication auth = ClientAuthentication.privateKeyJwt(ClientAssertion.builder(clientId).key(peer.key(alg), alg)
                .audience(ClientAssertion.Audience.TOKEN_ENDPOINT).build());
        assertPeerAccessToken(TokenClient.create().request(TokenEndpoint.of(metadata), auth, TokenRequest.clientCredentials("read")), clientId);
    }

    @ParameterizedTest
    @ValueSource(strings = {"RS384", "ES384"})
    void epicPresetThenAccepted(String algName) throws Exception {
        JWSAlgorithm alg = JWSAlgorithm.parse(algName);
        String clientId = OidcProviderPeer.keyClientId(alg);
        ClientAuthentication auth = ClientAuthentication.privateKeyJwt(ProviderPresets.epicBackendServices(clientId, peer.key(alg), alg).build());
        assertPeerAccessToken(TokenClient.create().request(TokenEndpoint.of(metadata), auth, TokenRequest.clientCredentials()), clientId);
    }

    @Test
    void clientSecretBasicAndPostThenTokens() throws Exception {
        TokenClient client = TokenClient.create();
        assertPeerAccessToken(client.request(TokenEndpoint.of(metadata), ClientAuthentication.clientSecretBasic(OidcProviderPeer.BASIC, peer.secret()),
                TokenRequest.clientCredentials("read")), OidcProviderPeer.BASIC);
        assertPeerAccessToken(client.request(TokenEndpoint.of(metadata), ClientAuthentication.clientSecretPost(OidcProviderPeer.POST, peer.secret()),
                TokenRequest.clientCredentials("read")), OidcProviderPeer.POST);
    }

    @Test
    void assertionSignedWithAnotherKeyThenInvalidClient() {
        JWSAlgorithm alg = JWSAlgorithm.ES384;
        JWK stranger = KeyGeneration.generate(alg);
        ClientAuthentication auth = ClientAuthentication.privateKeyJwt(ClientAssertion.builder(OidcProviderPeer.keyClientId(alg))
                .key(stranger, alg).keyId(peer.key(alg).getKeyID()).build());
        assertThatThrownBy(() -> TokenClient.create().request(TokenEndpoint.of(metadata), auth, TokenRequest.clientCredentials()))
                .isInstanceOfSatisfying(TokenErrorException.class, e -> {
                    assertThat(e.error()).isEqualTo("invalid_client");
                    assertThat(e.status()).isEqualTo(401);
                });
    }

    @Test
    void unknownResourceThenInvalidTarget() {
        ClientAuthentication auth = ClientAuthentication.clientSecretBasic(OidcProviderPeer.BASIC, peer.secret());
        assertThatThrownBy(() -> TokenClient.create().request(TokenEndpoint.of(metadata), auth,
                TokenRequest.clientCredentials().withResource("https://elsewhere.example/")))
                .isInstanceOfSatisfying(TokenErrorException.class, e -> assertThat(e.error()).isEqualTo("invalid_target"));
    }

    @Test
    void codeExchangeThenIdTokenValidatedAgainstThePeersJwks() throws Exception {
        String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString((UUID.randomUUID() + "" + UUID.randomUUID()).getBytes());
        String challenge = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        URI redirect = URI.create("http://127.0.0.1:45679/callback");
        String nonce = UUID.randomUUID().toString();
        String url = metadata.authorizationEndpoint() + "?response_type=code&client_id=" + OidcProviderPeer.CODE
                + "&redirect_uri=" + URLEncoder.encode(redirect.toString(), StandardCharsets.UTF_8) + "&scope=openid&state=s1&nonce=" + nonce
                + "&code_challenge=" + challenge + "&code_challenge_method=S256";
        Map<String, String> q = new LinkedHashMap<>();
        for (String pair : peer.signIn(url, "bob").getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            q.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        ClientAuthentication auth = ClientAuthentication.clientSecretBasic(OidcProviderPeer.CODE, peer.secret());
        CodeExchange exchange = new CodeExchange(TokenClient.create(), TokenEndpoint.of(metadata), auth,
                IdTokenValidator.of(metadata, OidcProviderPeer.CODE));
        CodeExchange.SignIn signIn = exchange.exchange(q.get("code"), redirect, verifier, nonce);
        assertThat(signIn.idToken().getSubject()).isEqualTo("bob");
        assertThat(signIn.idToken().getIssuer()).isEqualTo(peer.issuer());
    }
}
