package dev.latch.server.client;

import static dev.latch.server.OAuthResponses.assertError;
import static dev.latch.server.OAuthResponses.basic;
import static dev.latch.server.OAuthResponses.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import dev.latch.server.ClientAssertion;
import dev.latch.server.LogCapture;
import dev.latch.server.TestKeys;
import dev.latch.server.TestServer;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Nothing is learnt by probing client ids: for every client authentication method, an unknown client
 * and a known client with a wrong credential get the same answer — status, body and headers — at
 * the token endpoint and at every other endpoint that authenticates clients; the reason is in the log.
 */
class ClientProbingTest {

    static TestServer server;
    static JWK registeredKey;
    static final String HMAC_SECRET = "an-hmac-key-of-sixty-four-bytes-for-HS512-0123456789abcdefghijkl";

    @BeforeAll
    static void start() {
        server = TestServer.start();
        server.register(new Client.Builder().clientId("basic-known").scope("read").build());
        server.register(new Client.Builder().clientId("post-known").scope("read").tokenEndpointAuthMethod(Client.POST).build());
        server.clients().create(new Client.Builder().clientId("hmac-known").scope("read").tokenEndpointAuthMethod(Client.SECRET_JWT).build(),
                HMAC_SECRET, true, null);
        registeredKey = TestKeys.rsa("k1");
        server.register(new Client.Builder().clientId("key-known").scope("read").tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                .jwks(TestKeys.publicJwks(registeredKey)).build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void clientSecretBasicWhenClientUnknownThenSameAnswerAsWrongSecret() {
        for (String endpoint : List.of("/token", "/introspect", "/revoke", "/par")) {
            HttpResponse<String> unknown = server.postForm(endpoint, body(endpoint), "Authorization", basic("basic-unknown", "a-wrong-secret"));
            HttpResponse<String> wrong = server.postForm(endpoint, body(endpoint), "Authorization", basic("basic-known", "a-wrong-secret"));
            assertSameRefusal(endpoint, unknown, wrong);
            assertThat(wrong.headers().firstValue("WWW-Authenticate")).as("Basic challenge").get().asString().startsWith("Basic ");
        }
    }

    @Test
    void clientSecretPostWhenClientUnknownThenSameAnswerAsWrongSecret() {
        for (String endpoint : List.of("/token", "/introspect", "/revoke", "/par")) {
            HttpResponse<String> unknown = server.postForm(endpoint, body(endpoint) + "&client_id=post-unknown&client_secret=wrong");
            HttpResponse<String> wrong = server.postForm(endpoint, body(endpoint) + "&client_id=post-known&client_secret=wrong");
            assertSameRefusal(endpoint, unknown, wrong);
        }
    }

    @Test
    void clientSecretJwtWhenIssuerUnknownThenSameAnswerAsWrongSecret() {
        String otherSecret = "another-hmac-key-of-sixty-four-bytes-for-HS512-0123456789abcdefg";
        for (String endpoint : List.of("/token", "/introspect", "/revoke", "/par")) {
            String unknown = ClientAssertion.of("hmac-unknown", server.issuer()).signHmac(otherSecret, JWSAlgorithm.HS256);
            String wrong = ClientAssertion.of("hmac-known", server.issuer()).signHmac(otherSecret, JWSAlgorithm.HS256);
            assertSameRefusal(endpoint, server.postForm(endpoint, body(endpoint) + "&" + ClientAssertion.form(unknown)),
                    server.postForm(endpoint, body(endpoint) + "&" + ClientAssertion.form(wrong)));
        }
    }

    @Test
    void privateKeyJwtWhenIssuerUnknownThenSameAnswerAsWrongKey() {
        JWK attackerKey = TestKeys.rsa("k1");
        for (String endpoint : List.of("/token", "/introspect", "/revoke", "/par")) {
            String unknown = ClientAssertion.of("key-unknown", server.issuer()).kid("k1").sign(attackerKey, JWSAlgorithm.RS256);
            String wrongKey = ClientAssertion.of("key-known", server.issuer()).kid("k1").sign(attackerKey, JWSAlgorithm.RS256);
            String unknownKid = ClientAssertion.of("key-known", server.issuer()).kid("k9").sign(attackerKey, JWSAlgorithm.RS256);
            HttpResponse<String> unknownResponse = server.postForm(endpoint, body(endpoint) + "&" + ClientAssertion.form(unknown));
            assertSameRefusal(endpoint, unknownResponse, server.postForm(endpoint, body(endpoint) + "&" + ClientAssertion.form(wrongKey)));
            assertSameRefusal(endpoint, unknownResponse, server.postForm(endpoint, body(endpoint) + "&" + ClientAssertion.form(unknownKid)));
        }
    }

    @Test
    void clientRegisteredForAnotherMethodThenSameAnswerAsUnknownClient() {
        HttpResponse<String> unknown = server.postForm("/token", "grant_type=client_credentials&client_id=post-unknown&client_secret=wrong");
        HttpResponse<String> otherMethod = server.postForm("/token", "grant_type=client_credentials&client_id=basic-known&client_secret=wrong");
        String assertion = ClientAssertion.of("hmac-known", server.issuer()).kid("k1").sign(TestKeys.rsa("k1"), JWSAlgorithm.RS256);
        HttpResponse<String> keyForHmacClient = server.postForm("/token", "grant_type=client_credentials&" + ClientAssertion.form(assertion));
        assertSameRefusal("/token", unknown, otherMethod);
        assertSameRefusal("/token", unknown, keyForHmacClient);
    }

    @Test
    void unknownClientAndWrongSecretThenReasonsOnlyInTheLog() {
        try (LogCapture log = LogCapture.atTrace(dev.latch.server.http.ErrorRenderer.class.getName())) {
            assertError(server.postForm("/token", "grant_type=client_credentials", "Authorization", basic("basic-unknown", "x")), 401, "invalid_client");
            assertError(server.postForm("/token", "grant_type=client_credentials", "Authorization", basic("basic-known", "x")), 401, "invalid_client");
            assertThat(log.text()).contains("unknown or disabled client basic-unknown").contains("wrong secret for basic-known");
        }
    }

    /**
     * RFC 7518 §3.2: without a registered algorithm, a 32-byte secret serves HS256 but not HS512 (its
     * hash is 64 bytes), even when the assertion's HS512 MAC was computed with exactly that secret.
     */
    @Test
    void clientSecretJwtWithoutRegisteredAlgWhenTheAssertionsAlgNeedsALongerKeyThenInvalidClient() throws Exception {
        String secret = "k".repeat(32);
        server.clients().create(new Client.Builder().clientId("hmac-any-alg").scope("read").tokenEndpointAuthMethod(Client.SECRET_JWT)
                .build(), secret, true, null);
        String hs256 = ClientAssertion.of("hmac-any-alg", server.issuer()).signHmac(secret, JWSAlgorithm.HS256);
        assertThat(server.postForm("/token", "grant_type=client_credentials&" + ClientAssertion.form(hs256)).statusCode()).isEqualTo(200);

        // Nimbus will not sign HS512 with a short key, so the MAC is computed here over a well-formed assertion
        String shape = ClientAssertion.of("hmac-any-alg", server.issuer()).signHmac("x".repeat(64), JWSAlgorithm.HS512);
        String input = shape.substring(0, shape.lastIndexOf('.'));
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA512");
        mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA512"));
        String hs512 = input + "." + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(mac.doFinal(input.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        var body = assertError(server.postForm("/token", "grant_type=client_credentials&" + ClientAssertion.form(hs512)), 401, "invalid_client");
        assertThat(body.path("error_description").asText()).isEqualTo(ClientAuthentication.FAILED);
    }

    /** Each endpoint's own well-formed request, so the only thing wrong is the client's credential. */
    private static String body(String endpoint) {
        return switch (endpoint) {
            case "/token" -> "grant_type=client_credentials";
            case "/par" -> "response_type=code&redirect_uri=" + form("https://app.example.com/cb") + "&code_challenge="
                    + "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256";
            default -> "token=some-token";
        };
    }

    private static void assertSameRefusal(String endpoint, HttpResponse<String> unknown, HttpResponse<String> known) {
        assertError(unknown, 401, "invalid_client");
        assertThat(unknown.body()).as(endpoint + " body").isEqualTo(known.body())
                .contains(ClientAuthentication.FAILED);
        assertThat(unknown.statusCode()).as(endpoint + " status").isEqualTo(known.statusCode());
        assertThat(headers(unknown)).as(endpoint + " headers").isEqualTo(headers(known));
    }

    /** The headers, without Date (the only one that may differ between two answers a second apart). */
    private static Map<String, List<String>> headers(HttpResponse<String> response) {
        Map<String, List<String>> out = new TreeMap<>(response.headers().map());
        out.remove("date");
        return out;
    }
}
