package dev.latch.server.client;

import static dev.latch.server.OAuthResponses.assertInvalidClientWithoutChallenge;
import static dev.latch.server.OAuthResponses.assertNoStoreJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretJWT;
import com.nimbusds.oauth2.sdk.auth.JWTAuthenticationClaimsSet;
import com.nimbusds.oauth2.sdk.auth.PrivateKeyJWT;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.Audience;
import com.nimbusds.oauth2.sdk.id.ClientID;
import dev.latch.server.ClientAssertion;
import dev.latch.server.TestKeys;
import dev.latch.server.TestServer;
import java.net.URI;
import java.security.PrivateKey;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * private_key_jwt and client_secret_jwt (RFC 7523 §2.2) with every algorithm Latch accepts, the
 * assertions built by the Nimbus OAuth SDK where it can build them, and the registered
 * {@code token_endpoint_auth_signing_alg} enforced.
 */
class ClientAssertionAlgorithmsTest {

    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static URI tokenEndpoint() {
        return URI.create(server.url("/token"));
    }

    private static JWK registerKeyClient(String clientId, JWSAlgorithm keyAlg, String registeredAlg) {
        JWK key = TestKeys.generate(keyAlg, clientId + "-key");
        server.register(new Client.Builder().clientId(clientId).scope("read")
                .tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT).tokenEndpointAuthSigningAlg(registeredAlg)
                .jwks(TestKeys.publicJwks(key)).build());
        return key;
    }

    /**
     * A private_key_jwt assertion made by the Nimbus SDK (aud = token endpoint, its usual choice).
     * The SDK's PrivateKeyJWT refuses EdDSA, so for Ed25519 keys it only makes the claims set and
     * Nimbus JOSE signs it; the request is then sent as a plain form.
     */
    private static HTTPResponse sendNimbusAssertion(String clientId, JWK key, JWSAlgorithm alg) throws Exception {
        ClientID id = new ClientID(clientId);
        if (key instanceof OctetKeyPair okp) {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(key.getKeyID()).build(),
                    new JWTAuthenticationClaimsSet(id, new Audience(tokenEndpoint())).toJWTClaimsSet());
            jwt.sign(new Ed25519Signer(okp));
            var r = server.postForm("/token", "grant_type=client_credentials&scope=read&" + ClientAssertion.form(jwt.serialize()));
            HTTPResponse http = new HTTPResponse(r.statusCode());
            r.headers().map().forEach((name, values) -> http.setHeader(name, values.toArray(String[]::new)));
            http.setBody(r.body());
            return http;
        }
        PrivateKey privateKey = key instanceof RSAKey rsa ? rsa.toPrivateKey() : ((ECKey) key).toPrivateKey();
        return send(new PrivateKeyJWT(id, tokenEndpoint(), alg, privateKey, key.getKeyID(), null));
    }

    private static HTTPResponse send(com.nimbusds.oauth2.sdk.auth.ClientAuthentication auth) throws Exception {
        return new TokenRequest(tokenEndpoint(), auth, new ClientCredentialsGrant(), new Scope("read")).toHTTPRequest().send();
    }

    @ParameterizedTest
    @ValueSource(strings = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "Ed25519", "EdDSA"})
    void privateKeyJwtFromNimbusWithEveryAlgorithmThenToken(String algName) throws Exception {
        JWSAlgorithm alg = JWSAlgorithm.parse(algName);
        String clientId = "pkj-nimbus-" + algName;
        JWK key = registerKeyClient(clientId, alg, algName);

        HTTPResponse http = sendNimbusAssertion(clientId, key, alg);

        assertThat(http.getStatusCode()).as(http.getBody()).isEqualTo(200);
        assertThat(http.getHeaderValue("Cache-Control")).isEqualTo("no-store");
        TokenResponse response = TokenResponse.parse(http);
        assertThat(response.indicatesSuccess()).isTrue();
        assertThat(SignedJWT.parse(response.toSuccessResponse().getTokens().getAccessToken().getValue())
                .getJWTClaimsSet().getSubject()).isEqualTo(clientId);
    }

    @ParameterizedTest
    @ValueSource(strings = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "Ed25519", "EdDSA"})
    void privateKeyJwtTypedWithIssuerAudienceAndNoRegisteredAlgThenToken(String algName) {
        JWSAlgorithm alg = JWSAlgorithm.parse(algName);
        String clientId = "pkj-typed-" + algName;
        JWK key = registerKeyClient(clientId, alg, null);
        String assertion = ClientAssertion.of(clientId, server.issuer()).typ("client-authentication+jwt").sign(key, alg);

        assertNoStoreJson(server.postForm("/token", "grant_type=client_credentials&" + ClientAssertion.form(assertion)), 200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"HS256", "HS384", "HS512"})
    void clientSecretJwtFromNimbusWithEveryAlgorithmThenToken(String algName) throws Exception {
        String clientId = "csj-" + algName;
        String secret = server.register(new Client.Builder().clientId(clientId).scope("read")
                .tokenEndpointAuthMethod(Client.SECRET_JWT).tokenEndpointAuthSigningAlg(algName).build()).clientSecret();

        HTTPResponse http = send(new ClientSecretJWT(new ClientID(clientId), tokenEndpoint(), JWSAlgorithm.parse(algName), new Secret(secret)));

        assertThat(http.getStatusCode()).as(http.getBody()).isEqualTo(200);
        assertThat(TokenResponse.parse(http).indicatesSuccess()).isTrue();
    }

    @Test
    void clientSecretJwtSecretIsStoredEncryptedNotAsDigestNorPlain() {
        String secret = server.register(new Client.Builder().clientId("csj-storage").tokenEndpointAuthMethod(Client.SECRET_JWT).build())
                .clientSecret();
        Map<String, String> row = server.sql().queryOne("SELECT secret_digest, secret_encrypted, metadata FROM clients WHERE client_id = ?",
                rs -> Map.of("digest", String.valueOf(rs.getString(1)), "encrypted", String.valueOf(rs.getString(2)),
                        "metadata", rs.getString(3)), "csj-storage").orElseThrow();
        assertThat(row.get("digest")).isEqualTo("null");
        assertThat(row.get("encrypted")).isNotEqualTo("null").doesNotContain(secret);
        assertThat(row.get("metadata")).doesNotContain(secret);
    }

    @ParameterizedTest(name = "registered {0}, signed {1}")
    @CsvSource({"RS256,RS512,RS256", "PS256,RS256,RS256", "RS256,PS256,RS256", "ES256,ES256,ES256"})
    void privateKeyJwtWhenAlgorithmDiffersFromRegisteredThenInvalidClient(String registered, String used, String keyAlg) {
        // the last row is a control: the registered algorithm itself is accepted
        String clientId = "pkj-mismatch-" + registered + "-" + used;
        JWK key = registerKeyClient(clientId, JWSAlgorithm.parse(keyAlg), registered);
        String assertion = ClientAssertion.of(clientId, server.issuer()).kid(key.getKeyID()).sign(key, JWSAlgorithm.parse(used));
        var response = server.postForm("/token", "grant_type=client_credentials&" + ClientAssertion.form(assertion));
        if (registered.equals(used)) {
            assertNoStoreJson(response, 200);
        } else {
            assertInvalidClientWithoutChallenge(response);
        }
    }

    @ParameterizedTest(name = "registered {0}, signed {1}")
    @CsvSource({"Ed25519,EdDSA", "EdDSA,Ed25519"})
    void privateKeyJwtEd25519AndEdDsaNamesAreTheSameAlgorithm(String registered, String used) {
        String clientId = "pkj-ed-" + registered + "-" + used;
        JWK key = registerKeyClient(clientId, JWSAlgorithm.Ed25519, registered);
        String assertion = ClientAssertion.of(clientId, server.issuer()).sign(key, JWSAlgorithm.parse(used));
        assertNoStoreJson(server.postForm("/token", "grant_type=client_credentials&" + ClientAssertion.form(assertion)), 200);
    }

    @ParameterizedTest(name = "registered {0}, signed {1}")
    @CsvSource({"HS256,HS512", "HS512,HS256"})
    void clientSecretJwtWhenAlgorithmDiffersFromRegisteredThenInvalidClient(String registered, String used) {
        String clientId = "csj-mismatch-" + registered;
        String secret = server.register(new Client.Builder().clientId(clientId)
                .tokenEndpointAuthMethod(Client.SECRET_JWT).tokenEndpointAuthSigningAlg(registered).build()).clientSecret();
        String assertion = ClientAssertion.of(clientId, server.issuer()).signHmac(secret, JWSAlgorithm.parse(used));
        assertInvalidClientWithoutChallenge(server.postForm("/token", "grant_type=client_credentials&" + ClientAssertion.form(assertion)));
    }

    @Test
    void clientSecretJwtWhenSignedWithWrongSecretThenInvalidClient() {
        server.register(new Client.Builder().clientId("csj-wrong").tokenEndpointAuthMethod(Client.SECRET_JWT).build());
        String assertion = ClientAssertion.of("csj-wrong", server.issuer())
                .signHmac("not-the-secret-but-long-enough-for-hs256-000000000000000000000000000000000000000000000000", JWSAlgorithm.HS256);
        assertInvalidClientWithoutChallenge(server.postForm("/token", "grant_type=client_credentials&" + ClientAssertion.form(assertion)));
    }

    @Test
    void privateKeyJwtWhenAlgorithmOutsideAllowListThenInvalidClient() throws Exception {
        // ES256K (secp256k1) is a real JOSE algorithm that Latch does not accept; the JDK lacks the curve, BouncyCastle signs it
        java.security.Provider bc = new org.bouncycastle.jce.provider.BouncyCastleProvider();
        com.nimbusds.jose.jwk.ECKey k1 = new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.SECP256K1)
                .keyID("k1").provider(bc).generate();
        JWK registered = TestKeys.generate(JWSAlgorithm.ES256, "p256");
        server.register(new Client.Builder().clientId("pkj-es256k").tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                .jwks(TestKeys.publicJwks(registered)).build());
        com.nimbusds.jose.crypto.ECDSASigner signer = new com.nimbusds.jose.crypto.ECDSASigner(k1);
        signer.getJCAContext().setProvider(bc);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256K).keyID("k1").build(),
                new JWTAuthenticationClaimsSet(new ClientID("pkj-es256k"), new Audience(server.issuer())).toJWTClaimsSet());
        jwt.sign(signer);
        assertInvalidClientWithoutChallenge(server.postForm("/token", "grant_type=client_credentials&" + ClientAssertion.form(jwt.serialize())));
    }
}
