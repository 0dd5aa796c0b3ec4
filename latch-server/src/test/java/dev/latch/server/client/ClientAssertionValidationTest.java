package dev.latch.server.client;

import static dev.latch.server.OAuthResponses.assertError;
import static dev.latch.server.OAuthResponses.assertInvalidClientWithoutChallenge;
import static dev.latch.server.OAuthResponses.assertNoStoreJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import dev.latch.server.ClientAssertion;
import dev.latch.server.LogCapture;
import dev.latch.server.TestKeys;
import dev.latch.server.TestServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 7523 §3 checks of client assertions, with draft-ietf-oauth-rfc7523bis audience and typing
 * rules, and key selection (by kid, x5t#S256, single key of the algorithm's type; header keys never
 * trusted). Every refusal is {@code invalid_client} (RFC 7521 §4.2.1).
 */
class ClientAssertionValidationTest {

    static TestServer server;
    static JWK key;
    static final String CLIENT = "assertion-client";

    @BeforeAll
    static void start() {
        server = TestServer.start();
        key = TestKeys.rsa("k1");
        registerKeys(CLIENT, key);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void registerKeys(String clientId, JWK... keys) {
        server.register(new Client.Builder().clientId(clientId).scope("read")
                .tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT).jwks(TestKeys.publicJwks(keys)).build());
    }

    private static HttpResponse<String> token(String assertion) {
        return server.postForm("/token", "grant_type=client_credentials&" + ClientAssertion.form(assertion));
    }

    private static ClientAssertion assertion(Object aud) {
        return ClientAssertion.of(CLIENT, aud).kid("k1");
    }

    private static String sign(ClientAssertion a) {
        return a.sign(key, JWSAlgorithm.RS256);
    }

    // --- audience and typ ---

    @Test
    void audienceIsIssuerStringThenToken() {
        assertNoStoreJson(token(sign(assertion(server.issuer()))), 200);
    }

    @Test
    void audienceIsOneElementArrayWithIssuerThenToken() {
        assertNoStoreJson(token(sign(assertion(List.of(server.issuer())))), 200);
    }

    @Test
    void untypedAudienceIsTokenEndpointThenToken() {
        assertNoStoreJson(token(sign(assertion(server.url("/token")))), 200);
    }

    @Test
    void untypedAudienceIsOneElementArrayWithTokenEndpointThenToken() {
        assertNoStoreJson(token(sign(assertion(List.of(server.url("/token"))))), 200);
    }

    @Test
    void typedJwtAudienceIsTokenEndpointThenToken() {
        assertNoStoreJson(token(sign(assertion(server.url("/token")).typ("JWT"))), 200);
    }

    @Test
    void typedClientAuthenticationJwtWithIssuerAudienceThenToken() {
        assertNoStoreJson(token(sign(assertion(server.issuer()).typ("client-authentication+jwt"))), 200);
    }

    @Test
    void typedClientAuthenticationJwtWithTokenEndpointAudienceThenInvalidClient() {
        assertInvalidClientWithoutChallenge(token(sign(assertion(server.url("/token")).typ("client-authentication+jwt"))));
    }

    @Test
    void typedClientAuthenticationJwtWithIssuerInArrayThenInvalidClient() {
        // rfc7523bis: a typed assertion carries exactly the issuer, as a single string
        assertInvalidClientWithoutChallenge(token(sign(assertion(List.of(server.issuer())).typ("client-authentication+jwt"))));
    }

    @Test
    void typedWithFullMediaTypeNameIsTheSameTyp() {
        // RFC 7515 §4.1.9: a typ without '/' means the same as with "application/" in front
        assertNoStoreJson(token(sign(assertion(server.issuer()).typ("application/client-authentication+jwt"))), 200);
        assertInvalidClientWithoutChallenge(token(sign(assertion(server.url("/token")).typ("application/client-authentication+jwt"))));
        assertNoStoreJson(token(sign(assertion(server.url("/token")).typ("application/jwt"))), 200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"at+jwt", "secevent+jwt", "JOSE", "client-authentication+jwt+x"})
    void otherTypThenInvalidClient(String typ) {
        assertInvalidClientWithoutChallenge(token(sign(assertion(server.issuer()).typ(typ))));
    }

    @Test
    void audienceWithTwoValuesThenInvalidClient() {
        assertInvalidClientWithoutChallenge(token(sign(assertion(List.of(server.issuer(), server.url("/token"))))));
    }

    @Test
    void audienceMissingThenInvalidClient() {
        assertInvalidClientWithoutChallenge(token(sign(assertion(server.issuer()).without("aud"))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/introspect", "/revoke", "/jwks", "/token/", "/"})
    void audienceIsAnotherUrlOfThisServerThenInvalidClient(String path) {
        assertInvalidClientWithoutChallenge(token(sign(assertion(server.url(path)))));
    }

    @Test
    void audienceIsAnotherServerThenInvalidClient() {
        HttpResponse<String> r = token(sign(assertion("https://other.example.com/token")));
        assertInvalidClientWithoutChallenge(r);
        // an untyped assertion may name either, so the description names both
        assertThat(r.body()).contains("client_assertion aud must be the issuer " + server.issuer() + " or the token endpoint URL");
    }

    // --- iss, sub, client_id ---

    @Test
    void issuerDiffersFromSubjectThenInvalidClient() {
        assertInvalidClientWithoutChallenge(token(sign(assertion(server.issuer()).claim("iss", "someone-else"))));
    }

    @Test
    void issuerMissingThenInvalidClient() {
        assertInvalidClientWithoutChallenge(token(sign(assertion(server.issuer()).without("iss"))));
    }

    @Test
    void clientIdInBodyDiffersFromSubjectThenInvalidClient() {
        String body = "grant_type=client_credentials&client_id=other&" + ClientAssertion.form(sign(assertion(server.issuer())));
        assertInvalidClientWithoutChallenge(server.postForm("/token", body));
    }

    @Test
    void clientIdInBodyMatchesSubjectThenToken() {
        String body = "grant_type=client_credentials&client_id=" + CLIENT + "&" + ClientAssertion.form(sign(assertion(server.issuer())));
        assertNoStoreJson(server.postForm("/token", body), 200);
    }

    @Test
    void subjectIsUnknownClientThenInvalidClient() {
        String a = ClientAssertion.of("nobody", server.issuer()).kid("k1").sign(key, JWSAlgorithm.RS256);
        assertInvalidClientWithoutChallenge(token(a));
    }

    // --- times and jti ---

    @Test
    void expMissingThenInvalidClient() {
        assertInvalidClientWithoutChallenge(token(sign(assertion(server.issuer()).without("exp"))));
    }

    @Test
    void jtiMissingThenInvalidClient() {
        assertInvalidClientWithoutChallenge(token(sign(assertion(server.issuer()).without("jti"))));
    }

    @Test
    void expiredThenInvalidClient() {
        Instant past = Instant.now().minus(Duration.ofMinutes(10));
        assertInvalidClientWithoutChallenge(token(sign(ClientAssertion.of(CLIENT, server.issuer(), past).kid("k1"))));
    }

    @Test
    void expMoreThanFiveMinutesAheadThenInvalidClient() {
        long exp = Instant.now().plus(Duration.ofMinutes(6)).getEpochSecond();
        assertInvalidClientWithoutChallenge(token(sign(assertion(server.issuer()).claim("exp", exp))));
    }

    @Test
    void expFourMinutesAheadThenToken() {
        long exp = Instant.now().plus(Duration.ofMinutes(4)).getEpochSecond();
        assertNoStoreJson(token(sign(assertion(server.issuer()).claim("exp", exp))), 200);
    }

    @Test
    void notBeforeInTheFutureThenInvalidClient() {
        long nbf = Instant.now().plus(Duration.ofMinutes(3)).getEpochSecond();
        assertInvalidClientWithoutChallenge(token(sign(assertion(server.issuer()).claim("nbf", nbf))));
    }

    @Test
    void expNotANumberThenInvalidClient() {
        assertInvalidClientWithoutChallenge(token(sign(assertion(server.issuer()).claim("exp", "tomorrow"))));
    }

    @Test
    void replayedJtiThenSecondUseInvalidClient() {
        String once = sign(assertion(server.issuer()));
        assertNoStoreJson(token(once), 200);
        assertInvalidClientWithoutChallenge(token(once));
        // a fresh assertion with the same jti is a replay too
        String jti = (String) parse(once).getPayload().toJSONObject().get("jti");
        assertInvalidClientWithoutChallenge(token(sign(assertion(server.issuer()).claim("jti", jti))));
    }

    @Test
    void concurrentUsesOfOneAssertionThenExactlyOneWins() throws Exception {
        String once = sign(assertion(server.issuer()));
        int n = 8;
        var start = new java.util.concurrent.CountDownLatch(1);
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(n)) {
            List<java.util.concurrent.Future<HttpResponse<String>>> results = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return token(once);
                }));
            }
            start.countDown();
            int won = 0;
            for (var f : results) {
                HttpResponse<String> r = f.get();
                if (r.statusCode() == 200) {
                    won++;
                } else {
                    assertInvalidClientWithoutChallenge(r);
                }
            }
            assertThat(won).isEqualTo(1);
        }
    }

    private static com.nimbusds.jose.JWSObject parse(String jws) {
        try {
            return com.nimbusds.jose.JWSObject.parse(jws);
        } catch (java.text.ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    // --- algorithms and signatures ---

    @Test
    void algNoneThenInvalidClient() {
        assertInvalidClientWithoutChallenge(token(assertion(server.issuer()).unsecured()));
    }

    @Test
    void hmacSignedWithTheClientsPublicKeyThenInvalidClient() throws Exception {
        byte[] der = key.toRSAKey().toPublicKey().getEncoded();
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END PUBLIC KEY-----\n";
        String publicJwkJson = key.toPublicJWK().toJSONString();
        for (byte[] secret : List.of(der, pem.getBytes(StandardCharsets.US_ASCII), publicJwkJson.getBytes(StandardCharsets.UTF_8))) {
            for (JWSAlgorithm alg : List.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512)) {
                assertInvalidClientWithoutChallenge(token(assertion(server.issuer()).signHmac(secret, alg)));
            }
        }
    }

    @Test
    void signatureByAnotherKeyWithRegisteredKidThenInvalidClient() {
        assertInvalidClientWithoutChallenge(token(assertion(server.issuer()).sign(TestKeys.rsa("k1"), JWSAlgorithm.RS256)));
    }

    @Test
    void tamperedPayloadThenInvalidClient() {
        String good = sign(assertion(server.issuer()));
        String[] parts = good.split("\\.");
        String forged = com.nimbusds.jose.util.Base64URL.encode(
                new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8).replace("\"jti\":\"", "\"jti\":\"x")).toString();
        assertInvalidClientWithoutChallenge(token(parts[0] + "." + forged + "." + parts[2]));
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-a-jwt", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30.", "....", "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln"})
    void malformedAssertionThenInvalidClient(String assertion) {
        assertInvalidClientWithoutChallenge(token(assertion));
    }

    @Test
    void assertionTypeMissingThenInvalidRequest() {
        String body = "grant_type=client_credentials&client_assertion=" + sign(assertion(server.issuer()));
        assertError(server.postForm("/token", body), 400, "invalid_request");
    }

    @Test
    void assertionTypeUnsupportedThenInvalidRequest() {
        String body = "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Asaml2-bearer"
                + "&client_assertion=" + sign(assertion(server.issuer()));
        assertError(server.postForm("/token", body), 400, "invalid_request");
    }

    @Test
    void assertionMissingThenInvalidRequest() {
        String body = "grant_type=client_credentials&client_assertion_type=" + ClientAssertion.JWT_BEARER;
        assertError(server.postForm("/token", body), 400, "invalid_request");
    }

    // --- keys offered in the header are never trusted ---

    @Test
    void embeddedJwkOfUnregisteredKeyThenInvalidClient() {
        JWK attacker = TestKeys.rsa("attacker");
        assertInvalidClientWithoutChallenge(token(assertion(server.issuer()).kid(null)
                .header("jwk", attacker.toPublicJWK().toJSONObject()).sign(attacker, JWSAlgorithm.RS256)));
        assertInvalidClientWithoutChallenge(token(assertion(server.issuer()).kid("attacker")
                .header("jwk", attacker.toPublicJWK().toJSONObject()).sign(attacker, JWSAlgorithm.RS256)));
        assertInvalidClientWithoutChallenge(token(assertion(server.issuer())
                .header("jwk", attacker.toPublicJWK().toJSONObject()).sign(attacker, JWSAlgorithm.RS256)));
    }

    @Test
    void embeddedX5cOfUnregisteredKeyThenInvalidClient() {
        JWK attacker = TestKeys.withSelfSignedCertificate(TestKeys.rsa("attacker"));
        List<String> x5c = attacker.getX509CertChain().stream().map(Object::toString).toList();
        String thumbprint = attacker.getX509CertSHA256Thumbprint().toString();
        assertInvalidClientWithoutChallenge(token(assertion(server.issuer()).kid(null).header("x5c", x5c)
                .sign(attacker, JWSAlgorithm.RS256)));
        assertInvalidClientWithoutChallenge(token(assertion(server.issuer()).kid(null).header("x5c", x5c)
                .header("x5t#S256", thumbprint).sign(attacker, JWSAlgorithm.RS256)));
    }

    @Test
    void jkuOnClientWithInlineKeysThenInvalidClient() {
        assertInvalidClientWithoutChallenge(token(sign(assertion(server.issuer()).header("jku", "https://client.example.com/jwks"))));
    }

    // --- key selection ---

    @Test
    void keySelectedByKid() {
        JWK a = TestKeys.rsa("a");
        JWK b = TestKeys.rsa("b");
        registerKeys("by-kid", a, b);
        assertNoStoreJson(token(ClientAssertion.of("by-kid", server.issuer()).kid("b").sign(b, JWSAlgorithm.RS256)), 200);
        assertNoStoreJson(token(ClientAssertion.of("by-kid", server.issuer()).kid("a").sign(a, JWSAlgorithm.RS256)), 200);
        assertInvalidClientWithoutChallenge(token(ClientAssertion.of("by-kid", server.issuer()).kid("a").sign(b, JWSAlgorithm.RS256)));
    }

    @Test
    void unknownKidThenInvalidClient() {
        assertInvalidClientWithoutChallenge(token(assertion(server.issuer()).kid("k9").sign(key, JWSAlgorithm.RS256)));
    }

    @Test
    void kidOfAKeyOfAnotherTypeThenInvalidClient() {
        JWK ec = TestKeys.generate(JWSAlgorithm.ES256, "ec");
        registerKeys("kid-type", key, ec);
        // kid names the RSA key, the algorithm needs EC: no key fits
        assertInvalidClientWithoutChallenge(token(ClientAssertion.of("kid-type", server.issuer()).kid("k1").sign(ec, JWSAlgorithm.ES256)));
    }

    @Test
    void keySelectedByX509Sha256Thumbprint() {
        JWK a = TestKeys.withSelfSignedCertificate(new RSAKey.Builder(TestKeys.rsa("x").toRSAKey()).keyID(null).build());
        JWK b = TestKeys.withSelfSignedCertificate(new RSAKey.Builder(TestKeys.rsa("y").toRSAKey()).keyID(null).build());
        registerKeys("by-x5t", a, b);
        String tb = b.getX509CertSHA256Thumbprint().toString();
        String ta = a.getX509CertSHA256Thumbprint().toString();
        assertNoStoreJson(token(ClientAssertion.of("by-x5t", server.issuer()).header("x5t#S256", tb).sign(b, JWSAlgorithm.RS256)), 200);
        assertNoStoreJson(token(ClientAssertion.of("by-x5t", server.issuer()).header("x5t#S256", ta).sign(a, JWSAlgorithm.PS256)), 200);
        assertInvalidClientWithoutChallenge(token(ClientAssertion.of("by-x5t", server.issuer()).header("x5t#S256", ta).sign(b, JWSAlgorithm.RS256)));
        // an unknown thumbprint matches nothing
        String unknown = com.nimbusds.jose.util.Base64URL.encode(new byte[32]).toString();
        assertInvalidClientWithoutChallenge(token(ClientAssertion.of("by-x5t", server.issuer()).header("x5t#S256", unknown).sign(b, JWSAlgorithm.RS256)));
    }

    @Test
    void withoutKidTheSingleKeyOfTheAlgorithmsTypeIsUsed() {
        JWK rsa = new RSAKey.Builder(TestKeys.rsa("r").toRSAKey()).keyID(null).build();
        JWK ec = TestKeys.generate(JWSAlgorithm.ES256, null);
        JWK ed = TestKeys.generate(JWSAlgorithm.Ed25519, null);
        registerKeys("by-kty", rsa, ec, ed);
        assertNoStoreJson(token(ClientAssertion.of("by-kty", server.issuer()).sign(rsa, JWSAlgorithm.RS256)), 200);
        assertNoStoreJson(token(ClientAssertion.of("by-kty", server.issuer()).sign(ec, JWSAlgorithm.ES256)), 200);
        assertNoStoreJson(token(ClientAssertion.of("by-kty", server.issuer()).sign(ed, JWSAlgorithm.Ed25519)), 200);
        // an ES384 assertion finds no P-384 key, although an EC key is registered
        JWK p384 = TestKeys.generate(JWSAlgorithm.ES384, null);
        assertInvalidClientWithoutChallenge(token(ClientAssertion.of("by-kty", server.issuer()).sign(p384, JWSAlgorithm.ES384)));
    }

    @Test
    void withoutKidAndTwoKeysOfTheAlgorithmsTypeThenInvalidClient() {
        JWK a = new RSAKey.Builder(TestKeys.rsa("a").toRSAKey()).keyID(null).build();
        JWK b = new RSAKey.Builder(TestKeys.rsa("b").toRSAKey()).keyID(null).build();
        registerKeys("ambiguous", a, b);
        assertInvalidClientWithoutChallenge(token(ClientAssertion.of("ambiguous", server.issuer()).sign(a, JWSAlgorithm.RS256)));
        assertInvalidClientWithoutChallenge(token(ClientAssertion.of("ambiguous", server.issuer()).sign(b, JWSAlgorithm.RS256)));
    }

    // --- jwks_uri under the default outbound policy ---

    @Test
    void jwksUriOnLoopbackIsRefusedByDefault() {
        try (JwksHost host = new JwksHost(); LogCapture log = LogCapture.start()) {
            JWK k = TestKeys.rsa("remote");
            host.serve("/jwks", JwksHost.Answer.json(new com.nimbusds.jose.jwk.JWKSet(k).toPublicJWKSet().toString(), null));
            Client http = new Client.Builder().clientId("loopback-http").tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                    .jwksUri(host.url("/jwks")).build();
            Client https = new Client.Builder().clientId("loopback-https").tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                    .jwksUri("https://localhost:" + host.port() + "/jwks").build();
            // refused when registered, with the reason a fetch would give ...
            for (Client c : List.of(http, https)) {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> server.register(c))
                        .isInstanceOfSatisfying(dev.latch.core.error.OAuthError.class, e -> assertThat(e.description())
                                .startsWith("jwks_uri ").containsAnyOf("only https", "loopback"));
            }
            // ... and still at every fetch, for clients stored before that rule (or whose host's DNS changed since)
            for (Client c : List.of(http, https)) {
                server.clients().store().insert(new StoredClient(server.clients().normalize(c.toBuilder().jwksUri("https://jwks.invalid/keys")
                        .build(), true).toBuilder().jwksUri(c.jwksUri()).build(), null, null, null, 0, 0));
            }

            assertInvalidClientWithoutChallenge(token(ClientAssertion.of("loopback-http", server.issuer()).kid("remote").sign(k, JWSAlgorithm.RS256)));
            assertInvalidClientWithoutChallenge(token(ClientAssertion.of("loopback-https", server.issuer()).kid("remote").sign(k, JWSAlgorithm.RS256)));

            assertThat(host.fetches("/jwks")).as("the loopback host was never contacted").isZero();
            assertThat(log.text()).contains("loopback-https").contains("loopback");
        }
    }
}
