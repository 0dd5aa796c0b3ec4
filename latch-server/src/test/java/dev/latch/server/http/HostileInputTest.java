package dev.latch.server.http;

import static dev.latch.server.OAuthResponses.assertNoStackTrace;
import static dev.latch.server.OAuthResponses.basic;
import static dev.latch.server.OAuthResponses.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.Base64URL;
import dev.latch.server.ClientAssertion;
import dev.latch.server.TestKeys;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile and malformed requests to every endpoint: never a 5xx, never a stack trace, and on the
 * protocol endpoints always an RFC error body with {@code Cache-Control: no-store}.
 */
class HostileInputTest {

    static final String INITIAL = "hostile-initial-access-token-0123456789abcdef";
    static TestServer server;
    static JWK key;
    static String secret;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("registration.initial-access-token", INITIAL));
        key = TestKeys.rsa("k");
        server.register(new Client.Builder().clientId("pkj").tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                .jwks(TestKeys.publicJwks(key)).build());
        secret = server.basicClient("basic", "read").clientSecret();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String b64(String s) {
        return Base64URL.encode(s.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** An assertion with a raw header and payload, signed properly so parsing is what gets tested. */
    private static String rawSigned(String headerJson, String payloadJson) {
        try {
            String input = b64(headerJson) + "." + b64(payloadJson);
            java.security.Signature rs = java.security.Signature.getInstance("SHA256withRSA");
            rs.initSign(key.toRSAKey().toPrivateKey());
            rs.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + Base64URL.encode(rs.sign());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<Arguments> formBodies() {
        String iss = "\"iss\":\"pkj\",\"sub\":\"pkj\",\"jti\":\"j\",\"exp\":9999999999";
        byte[] random = new byte[2048];
        new Random(7).nextBytes(random);
        return Stream.of(
                Arguments.of("binary body", new String(random, StandardCharsets.ISO_8859_1)),
                Arguments.of("lone percent", "grant_type=client_credentials&%"),
                Arguments.of("equals only", "=&=&="),
                Arguments.of("no equals", "grant_type"),
                Arguments.of("nul bytes", "grant_type=client%00credentials&client_id=%00"),
                Arguments.of("invalid utf-8 escapes", "grant_type=client_credentials&client_id=%C3%28&client_secret=%FF%FE"),
                Arguments.of("many parameters", "grant_type=client_credentials" + "&p=1".repeat(10_000)),
                Arguments.of("assertion aud number", "grant_type=client_credentials&" + ClientAssertion.form(
                        rawSigned("{\"alg\":\"RS256\"}", "{" + iss + ",\"aud\":123}"))),
                Arguments.of("assertion exp huge", "grant_type=client_credentials&" + ClientAssertion.form(
                        rawSigned("{\"alg\":\"RS256\"}", "{\"iss\":\"pkj\",\"sub\":\"pkj\",\"jti\":\"j\",\"aud\":\"x\",\"exp\":1e40}"))),
                Arguments.of("assertion exp negative", "grant_type=client_credentials&" + ClientAssertion.form(
                        rawSigned("{\"alg\":\"RS256\"}", "{\"iss\":\"pkj\",\"sub\":\"pkj\",\"jti\":\"j\",\"aud\":\"x\",\"exp\":-1}"))),
                Arguments.of("assertion jti number", "grant_type=client_credentials&" + ClientAssertion.form(
                        rawSigned("{\"alg\":\"RS256\"}", "{\"iss\":\"pkj\",\"sub\":\"pkj\",\"jti\":5,\"aud\":\"x\",\"exp\":9999999999}"))),
                Arguments.of("assertion iss object", "grant_type=client_credentials&" + ClientAssertion.form(
                        rawSigned("{\"alg\":\"RS256\"}", "{\"iss\":{\"a\":1},\"sub\":\"pkj\",\"aud\":\"x\"}"))),
                Arguments.of("assertion payload array", "grant_type=client_credentials&" + ClientAssertion.form(
                        rawSigned("{\"alg\":\"RS256\"}", "[1,2,3]"))),
                Arguments.of("assertion kid number", "grant_type=client_credentials&" + ClientAssertion.form(
                        rawSigned("{\"alg\":\"RS256\",\"kid\":5}", "{" + iss + ",\"aud\":\"x\"}"))),
                Arguments.of("assertion jwk not object", "grant_type=client_credentials&" + ClientAssertion.form(
                        rawSigned("{\"alg\":\"RS256\",\"jwk\":\"x\"}", "{" + iss + ",\"aud\":\"x\"}"))),
                Arguments.of("assertion jku not url", "grant_type=client_credentials&" + ClientAssertion.form(
                        rawSigned("{\"alg\":\"RS256\",\"jku\":\"::not a url\"}", "{" + iss + ",\"aud\":\"x\"}"))),
                Arguments.of("assertion crit unknown", "grant_type=client_credentials&" + ClientAssertion.form(
                        rawSigned("{\"alg\":\"RS256\",\"crit\":[\"exp\"],\"exp\":1}", "{" + iss + ",\"aud\":\"" + "x" + "\"}"))),
                Arguments.of("assertion unencoded payload", "grant_type=client_credentials&" + ClientAssertion.form(
                        rawSigned("{\"alg\":\"RS256\",\"b64\":false,\"crit\":[\"b64\"]}", "{" + iss + "}"))),
                Arguments.of("assertion alg unknown", "grant_type=client_credentials&" + ClientAssertion.form(
                        rawSigned("{\"alg\":\"XX999\"}", "{" + iss + "}"))),
                Arguments.of("assertion typ number", "grant_type=client_credentials&" + ClientAssertion.form(
                        rawSigned("{\"alg\":\"RS256\",\"typ\":7}", "{" + iss + "}"))),
                Arguments.of("assertion header huge", "grant_type=client_credentials&" + ClientAssertion.form(
                        rawSigned("{\"alg\":\"RS256\",\"x\":\"" + "y".repeat(40_000) + "\"}", "{" + iss + "}"))),
                Arguments.of("assertion deeply nested", "grant_type=client_credentials&" + ClientAssertion.form(
                        rawSigned("{\"alg\":\"RS256\"}", "{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formBodies")
    void tokenEndpointAnswersMalformedBodiesWithAnRfcError(String name, String body) {
        HttpResponse<String> r = server.postForm("/token", body);
        assertProtocolError(r);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formBodies")
    void introspectionAndRevocationAnswerMalformedBodiesWithAnRfcError(String name, String body) {
        assertProtocolError(server.postForm("/introspect", body));
        assertProtocolError(server.postForm("/revoke", body));
    }

    static Stream<Arguments> authorizationHeaders() {
        return Stream.of(
                Arguments.of("Basic"), Arguments.of("Basic "), Arguments.of("Basic Og=="), Arguments.of("Basic OmFiYw=="),
                Arguments.of("Basic " + Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, (byte) 0xfe, ':', 'x'})),
                Arguments.of("Basic " + Base64.getEncoder().encodeToString("%zz:%zz".getBytes(StandardCharsets.UTF_8))),
                Arguments.of("Basic " + Base64.getEncoder().encodeToString(("basic:" + "a".repeat(3000)).getBytes(StandardCharsets.UTF_8))),
                Arguments.of("Basic ===="), Arguments.of("Digest username=\"x\""), Arguments.of("Bearer"), Arguments.of("  "));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("authorizationHeaders")
    void malformedAuthorizationHeadersGetAnRfcError(String header) {
        assertProtocolError(server.postForm("/token", "grant_type=client_credentials", "Authorization", header));
        assertProtocolError(server.postForm("/introspect", "token=x", "Authorization", header));
    }

    static Stream<Arguments> registrationBodies() {
        return Stream.of(
                Arguments.of("{\"jwks\":{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\"}]},\"token_endpoint_auth_method\":\"private_key_jwt\"}"),
                Arguments.of("{\"jwks\":{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AA\",\"e\":\"AQAB\"}]},\"token_endpoint_auth_method\":\"private_key_jwt\"}"),
                Arguments.of("{\"jwks\":{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"AA\"}]},\"token_endpoint_auth_method\":\"private_key_jwt\"}"),
                Arguments.of("{\"jwks\":{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-999\",\"x\":\"AA\",\"y\":\"AA\"}]},\"token_endpoint_auth_method\":\"private_key_jwt\"}"),
                Arguments.of("{\"jwks\":{\"keys\":[{\"kty\":\"oct\",\"k\":\"AAAA\"}]},\"token_endpoint_auth_method\":\"private_key_jwt\"}"),
                Arguments.of("{\"jwks\":{\"keys\":[{\"kty\":\"RSA\",\"n\":\"!!\",\"e\":\"AQAB\"}]},\"token_endpoint_auth_method\":\"private_key_jwt\"}"),
                Arguments.of("{\"jwks\":{\"keys\":\"x\"},\"token_endpoint_auth_method\":\"private_key_jwt\"}"),
                Arguments.of("{\"jwks\":{},\"token_endpoint_auth_method\":\"private_key_jwt\"}"),
                Arguments.of("{\"jwks_uri\":\"https://exa mple.com\",\"token_endpoint_auth_method\":\"private_key_jwt\"}"),
                Arguments.of("{\"jwks_uri\":\"https://[::1\",\"token_endpoint_auth_method\":\"private_key_jwt\"}"),
                Arguments.of("{\"token_endpoint_auth_signing_alg\":\"RS256\",\"token_endpoint_auth_method\":\"private_key_jwt\",\"jwks_uri\":\"https://c.example.com/jwks\",\"access_token_signed_response_alg\":\"none\"}"),
                Arguments.of("{\"scope\":\"read\",\"scope\":\"write\"}"),
                Arguments.of("{\"client_name\":\"" + "n".repeat(300) + "\"}"),
                Arguments.of("{\"grant_types\":[null]}"),
                Arguments.of("{\"grant_types\":[1,2]}"),
                Arguments.of("{\"redirect_uris\":[null]}"),
                Arguments.of("{\"redirect_uris\":\"https://x\"}"),
                Arguments.of("{\"allowed_resources\":null}"),
                Arguments.of("{\"access_token_lifetime\":-5}"),
                Arguments.of("{\"access_token_format\":\"jwe\"}"),
                Arguments.of("{\"scope\":\"" + "s ".repeat(20_000) + "\"}"),
                Arguments.of("[" + "[".repeat(5000) + "]".repeat(5000) + "]"),
                Arguments.of("{\"a\":" + "9".repeat(5000) + "}"));
    }

    private static HttpResponse<String> register(String json) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.url("/register"))).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + INITIAL).POST(HttpRequest.BodyPublishers.ofString(json)).build();
        return TestServer.send(request);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("registrationBodies")
    void registrationRefusesMalformedMetadataWithAnRfcError(String json) {
        HttpResponse<String> r = register(json);
        assertNoStackTrace(r);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(json(r).get("error").asText()).isIn("invalid_client_metadata", "invalid_redirect_uri");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    }

    @org.junit.jupiter.api.Test
    void registrationWithALoneSurrogateInTheNameIsNoServerError() {
        HttpResponse<String> r = register("{\"client_name\":\"\\ud800\"}");
        assertNoStackTrace(r);
        assertThat(r.statusCode()).as(r.body()).isIn(201, 400);
    }

    static Stream<Arguments> otherRequests() {
        return Stream.of(
                Arguments.of("GET", "/no-such-path", null), Arguments.of("POST", "/jwks", "x=y"),
                Arguments.of("DELETE", "/token", null), Arguments.of("PUT", "/introspect", "token=x"),
                Arguments.of("GET", "/revoke", null), Arguments.of("GET", "/register", null),
                Arguments.of("PATCH", "/register/abc", "{}"), Arguments.of("GET", "/register/%2e%2e%2f", null),
                Arguments.of("GET", "/.well-known/openid-configuration", null),
                Arguments.of("GET", "/.well-known/oauth-authorization-server/extra", null),
                Arguments.of("GET", "/jwks?x=%25zz&x=%00", null), Arguments.of("OPTIONS", "/token", null),
                Arguments.of("GET", "/" + "a".repeat(4000), null));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("otherRequests")
    void otherMethodsAndPathsNeverFailWithAServerError(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url(path)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/x-www-form-urlencoded");
        }
        HttpResponse<String> r = TestServer.send(b.build());
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isBetween(200, 499);
        assertNoStackTrace(r);
    }

    private static void assertProtocolError(HttpResponse<String> r) {
        assertNoStackTrace(r);
        assertThat(r.statusCode()).as(r.body()).isIn(400, 401);
        assertThat(json(r).get("error").asText()).isIn("invalid_request", "invalid_client", "unsupported_grant_type");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(r.body()).doesNotContain(secret);
    }

}
