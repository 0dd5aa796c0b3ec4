package dev.latch.client.auth;

import static dev.latch.client.auth.Assertions.verified;
import static dev.latch.client.auth.Assertions.verifiedWithSecret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.client.LocalEndpoint;
import dev.latch.client.LocalEndpoint.Answer;
import dev.latch.client.OAuthClientException;
import dev.latch.client.keys.KeyMaterial;
import dev.latch.client.token.TokenClient;
import dev.latch.client.token.TokenEndpoint;
import dev.latch.client.token.TokenRequest;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.core.jose.KeyFiles;
import dev.latch.server.TestClock;
import dev.latch.server.TestKeys;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Each client authentication method as sent, checked field by field at a local endpoint. */
class ClientAuthenticationTest {

    static LocalEndpoint endpoint;
    static final URI ISSUER = URI.create("https://as.example/tenant-1");
    static final TestClock clock = new TestClock(Instant.parse("2025-03-01T10:00:00Z"));

    @BeforeAll
    static void start() {
        endpoint = LocalEndpoint.start();
        endpoint.on("/token", Answer.json(200, "{\"access_token\":\"at\",\"token_type\":\"Bearer\",\"expires_in\":300}"));
    }

    @AfterAll
    static void stop() {
        endpoint.close();
    }

    private static URI tokenUrl() {
        return endpoint.url("/token");
    }

    private static LocalEndpoint.Recorded send(ClientAuthentication auth) {
        TokenClient.builder().clock(clock).build()
                .request(new TokenEndpoint(ISSUER, tokenUrl()), auth, TokenRequest.clientCredentials("read"));
        return endpoint.last();
    }

    @Test
    void clientSecretBasicFormEncodesIdAndSecretBeforeBase64() {
        String id = "app:one %ä";
        String secret = "p@ss:w%rd +ü";

        LocalEndpoint.Recorded r = send(ClientAuthentication.clientSecretBasic(id, secret));

        String header = r.header("Authorization");
        assertThat(header).startsWith("Basic ");
        String decoded = new String(Base64.getDecoder().decode(header.substring(6)), StandardCharsets.UTF_8);
        // RFC 6749 §2.3.1 with Appendix B: each part application/x-www-form-urlencoded (UTF-8, space as '+')
        assertThat(decoded).isEqualTo("app%3Aone+%25%C3%A4:p%40ss%3Aw%25rd+%2B%C3%BC");
        assertThat(r.form()).containsExactly(Map.entry("grant_type", "client_credentials"), Map.entry("scope", "read"));
        assertThat(r.header("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(r.method()).isEqualTo("POST");
    }

    @Test
    void clientSecretPostPutsIdAndSecretInTheFormOnly() {
        LocalEndpoint.Recorded r = send(ClientAuthentication.clientSecretPost("app one", "s3cr:et ü"));
        assertThat(r.header("Authorization")).isNull();
        assertThat(r.form()).containsExactly(Map.entry("grant_type", "client_credentials"), Map.entry("scope", "read"),
                Map.entry("client_id", "app one"), Map.entry("client_secret", "s3cr:et ü"));
    }

    @Test
    void noneSendsOnlyTheClientId() {
        LocalEndpoint.Recorded r = send(ClientAuthentication.none("public-app"));
        assertThat(r.header("Authorization")).isNull();
        assertThat(r.form()).containsExactly(Map.entry("grant_type", "client_credentials"), Map.entry("scope", "read"),
                Map.entry("client_id", "public-app"));
    }

    @Test
    void secretsNeverShowInToString() {
        assertThat(ClientAuthentication.clientSecretBasic("a", "hunter2").toString()).doesNotContain("hunter2");
        assertThat(ClientAuthentication.clientSecretPost("a", "hunter2").toString()).doesNotContain("hunter2");
    }

    static List<String> asymmetric() {
        return JwsAlgorithms.asymmetricNames();
    }

    @ParameterizedTest
    @MethodSource("asymmetric")
    void privateKeyJwtWithEveryAlgorithmThenAssertionVerifiesAndHasFreshClaims(String algName) throws Exception {
        JWSAlgorithm alg = JWSAlgorithm.parse(algName);
        JWK key = TestKeys.generate(alg, "kid-" + algName);
        ClientAssertion assertion = ClientAssertion.builder("client-" + algName).key(key, alg).clock(clock).build();

        LocalEndpoint.Recorded first = send(ClientAuthentication.privateKeyJwt(assertion));
        LocalEndpoint.Recorded second = send(ClientAuthentication.privateKeyJwt(assertion));

        Map<String, String> form = first.form();
        assertThat(form.keySet()).containsExactly("grant_type", "scope", "client_id", "client_assertion_type", "client_assertion");
        assertThat(form.get("client_assertion_type")).isEqualTo("urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
        assertThat(form.get("client_id")).isEqualTo("client-" + algName);
        assertThat(first.header("Authorization")).isNull();
        SignedJWT jwt = verified(form.get("client_assertion"), key.toPublicJWK());
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(alg);
        assertThat(jwt.getHeader().getKeyID()).isEqualTo("kid-" + algName);
        assertThat(jwt.getHeader().getType()).isNull();
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertThat(claims.getIssuer()).isEqualTo("client-" + algName);
        assertThat(claims.getSubject()).isEqualTo("client-" + algName);
        assertThat(claims.getAudience()).containsExactly(ISSUER.toString());
        assertThat(claims.getIssueTime()).isEqualTo(Date.from(clock.instant()));
        assertThat(claims.getExpirationTime()).isEqualTo(Date.from(clock.instant().plusSeconds(60)));
        assertThat(Base64URL.from(claims.getJWTID()).decode().length * 8).isGreaterThanOrEqualTo(128);

        SignedJWT again = verified(second.form().get("client_assertion"), key.toPublicJWK());
        assertThat(again.getJWTClaimsSet().getJWTID()).isNotEqualTo(claims.getJWTID());
    }

    @ParameterizedTest
    @ValueSource(strings = {"HS256", "HS384", "HS512"})
    void clientSecretJwtWithEachHmacThenMacVerifies(String algName) throws Exception {
        String secret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        ClientAssertion assertion = ClientAssertion.builder("csj").secret(secret, JWSAlgorithm.parse(algName))
                .audience(ClientAssertion.Audience.TOKEN_ENDPOINT).clock(clock).build();

        Map<String, String> form = send(ClientAuthentication.clientSecretJwt(assertion)).form();

        SignedJWT jwt = verifiedWithSecret(form.get("client_assertion"), secret);
        assertThat(jwt.getHeader().getAlgorithm().getName()).isEqualTo(algName);
        assertThat(jwt.getJWTClaimsSet().getAudience()).containsExactly(tokenUrl().toString());
        assertThat(form).doesNotContainKey("client_secret");
    }

    @Test
    void clientSecretJwtWithSecretShorterThanTheHashThenRefused() {
        assertThatThrownBy(() -> ClientAssertion.builder("c").secret("short-secret", JWSAlgorithm.HS256).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too short for HS256");
        String thirtyTwo = "0123456789abcdef0123456789abcdef";
        assertThat(ClientAssertion.builder("c").secret(thirtyTwo, JWSAlgorithm.HS256).build()).isNotNull();
        assertThatThrownBy(() -> ClientAssertion.builder("c").secret(thirtyTwo, JWSAlgorithm.HS512).build())
                .hasMessageContaining("at least 64 needed");
    }

    @Test
    void methodsRefuseTheWrongKindOfAssertion() {
        ClientAssertion hmac = ClientAssertion.builder("c").secret("0123456789abcdef0123456789abcdef", JWSAlgorithm.HS256).build();
        JWK key = TestKeys.generate(JWSAlgorithm.ES256, "k");
        ClientAssertion signed = ClientAssertion.builder("c").key(key, JWSAlgorithm.ES256).build();
        assertThatThrownBy(() -> ClientAuthentication.privateKeyJwt(hmac)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClientAuthentication.clientSecretJwt(signed)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClientAssertion.builder("c").secret("0123456789abcdef0123456789abcdef", JWSAlgorithm.ES256).build())
                .hasMessageContaining("signs only HS256");
    }

    @Test
    void keyThatDoesNotFitTheAlgorithmThenRefused() {
        JWK p256 = TestKeys.generate(JWSAlgorithm.ES256, "k");
        assertThatThrownBy(() -> ClientAssertion.builder("c").key(p256, JWSAlgorithm.ES384).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("a EC P-256 key cannot sign ES384");
        assertThatThrownBy(() -> ClientAssertion.builder("c").key(p256, JWSAlgorithm.RS256).build())
                .hasMessage("a EC P-256 key cannot sign RS256");
        assertThatThrownBy(() -> ClientAssertion.builder("c").key(p256.toPublicJWK(), JWSAlgorithm.ES256).build())
                .hasMessage("the key has no private part");
        assertThatThrownBy(() -> ClientAssertion.builder("c").key(p256, JWSAlgorithm.parse("ES256K")).build())
                .hasMessageContaining("unsupported signing algorithm ES256K");
    }

    @Test
    void tokenEndpointAudienceIsExactlyTheUrlPostedTo() throws Exception {
        JWK key = TestKeys.generate(JWSAlgorithm.RS256, "k");
        ClientAssertion assertion = ClientAssertion.builder("c").key(key, JWSAlgorithm.RS256)
                .audience(ClientAssertion.Audience.TOKEN_ENDPOINT).build();
        URI withQuery = endpoint.url("/token?tenant=a%20b");

        TokenClient.create().request(new TokenEndpoint(ISSUER, withQuery), ClientAuthentication.privateKeyJwt(assertion),
                TokenRequest.clientCredentials());

        SignedJWT jwt = verified(endpoint.last().form().get("client_assertion"), key.toPublicJWK());
        assertThat(jwt.getJWTClaimsSet().getAudience()).containsExactly(withQuery.toString());
    }

    @Test
    void issuerAudienceWithoutAKnownIssuerThenClearError() {
        JWK key = TestKeys.generate(JWSAlgorithm.ES256, "k");
        ClientAssertion assertion = ClientAssertion.builder("c").key(key, JWSAlgorithm.ES256).build();
        assertThatThrownBy(() -> TokenClient.create().request(TokenEndpoint.of(tokenUrl()), ClientAuthentication.privateKeyJwt(assertion),
                TokenRequest.clientCredentials()))
                .isInstanceOf(OAuthClientException.class).hasMessageContaining("configure the issuer or choose the TOKEN_ENDPOINT audience");
    }

    @Test
    void headerOptionsKidTypJkuX5tAndX5tS256AsAsked() throws Exception {
        KeyPair kp = KeyMaterial.rsa();
        X509Certificate cert = KeyMaterial.selfSigned(kp, "SHA256withRSA");
        JWK key = KeyFiles.toJwk(kp.getPrivate(), kp.getPublic(), List.of());
        ClientAssertion assertion = ClientAssertion.builder("c").key(key, JWSAlgorithm.PS384).keyId("my-kid").type("client-authentication+jwt")
                .jwkSetUrl(URI.create("https://client.example/jwks.json")).certificate(cert).x5t(true).x5tS256(true)
                .lifetime(Duration.ofMinutes(5)).clock(clock).claim("tenant", "t1").build();

        SignedJWT jwt = verified(assertion.sign(ISSUER, tokenUrl()), key.toPublicJWK());

        assertThat(jwt.getHeader().getKeyID()).isEqualTo("my-kid");
        assertThat(jwt.getHeader().getType().getType()).isEqualTo("client-authentication+jwt");
        assertThat(jwt.getHeader().getJWKURL()).hasToString("https://client.example/jwks.json");
        assertThat(jwt.getHeader().getX509CertThumbprint().decode()).isEqualTo(MessageDigest.getInstance("SHA-1").digest(cert.getEncoded()));
        assertThat(jwt.getHeader().getX509CertSHA256Thumbprint().decode())
                .isEqualTo(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        assertThat(jwt.getJWTClaimsSet().getExpirationTime()).isEqualTo(Date.from(clock.instant().plusSeconds(300)));
        assertThat(jwt.getJWTClaimsSet().getStringClaim("tenant")).isEqualTo("t1");
    }

    @Test
    void typedClientAuthenticationAssertionWithTokenEndpointAudienceThenRefused() {
        JWK key = TestKeys.generate(JWSAlgorithm.ES256, "k");
        assertThatThrownBy(() -> ClientAssertion.builder("c").key(key, JWSAlgorithm.ES256).type("client-authentication+jwt")
                .audience(ClientAssertion.Audience.TOKEN_ENDPOINT).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must have the ISSUER audience");
    }

    @Test
    void kidCanBeLeftOutAndX5tWithoutCertificateIsRefused() throws Exception {
        JWK key = TestKeys.generate(JWSAlgorithm.ES256, "k");
        SignedJWT jwt = SignedJWT.parse(ClientAssertion.builder("c").key(key, JWSAlgorithm.ES256).keyId(null).build().sign(ISSUER, tokenUrl()));
        assertThat(jwt.getHeader().getKeyID()).isNull();
        assertThatThrownBy(() -> ClientAssertion.builder("c").key(key, JWSAlgorithm.ES256).x5tS256(true).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("need the key's certificate");
    }

    @Test
    void lifetimeOverFiveMinutesOrReservedClaimThenRefused() {
        assertThatThrownBy(() -> ClientAssertion.builder("c").lifetime(Duration.ofSeconds(301)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 5 minutes");
        assertThatThrownBy(() -> ClientAssertion.builder("c").lifetime(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClientAssertion.builder("c").claim("aud", "elsewhere"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("aud");
        assertThatThrownBy(() -> ClientAssertion.builder("c").claim("exp", 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eachAssertionTakesTheClockAtSigningTime() throws Exception {
        TestClock moving = new TestClock(Instant.parse("2025-03-01T10:00:00Z"));
        JWK key = TestKeys.generate(JWSAlgorithm.ES256, "k");
        ClientAssertion assertion = ClientAssertion.builder("c").key(key, JWSAlgorithm.ES256).clock(moving).build();
        JWTClaimsSet first = SignedJWT.parse(assertion.sign(ISSUER, tokenUrl())).getJWTClaimsSet();
        moving.advance(Duration.ofMinutes(10));
        JWTClaimsSet second = SignedJWT.parse(assertion.sign(ISSUER, tokenUrl())).getJWTClaimsSet();
        assertThat(second.getIssueTime().toInstant()).isEqualTo(first.getIssueTime().toInstant().plus(Duration.ofMinutes(10)));
        assertThat(second.getExpirationTime().toInstant()).isEqualTo(second.getIssueTime().toInstant().plusSeconds(60));
    }
}
