package dev.latch.server.token;

import static dev.latch.server.OAuthResponses.assertError;
import static dev.latch.server.OAuthResponses.assertNoStoreJson;
import static dev.latch.server.OAuthResponses.basic;
import static dev.latch.server.OAuthResponses.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.server.ClientAssertion;
import dev.latch.server.TestKeys;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The token endpoint's handling of the request itself (RFC 6749 §3.2, §4.4, §5.2; RFC 8707):
 * form encoding, repeated and missing parameters, size limit, grant types, scopes and resource
 * indicators. Each bad input gets its exact error code and status, with {@code Cache-Control: no-store}.
 */
class TokenRequestValidationTest {

    static final String API = "https://api.example.com";
    static final String FHIR = "https://fhir.example.com/r4";
    static TestServer server;
    static String auth;
    static String readOnlyAuth;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        String secret = server.register(new Client.Builder().clientId("svc").scope("read write openid")
                .allowedResources(List.of(API, FHIR)).build()).clientSecret();
        auth = basic("svc", secret);
        readOnlyAuth = basic("read-only", server.basicClient("read-only", "read").clientSecret());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> token(String body) {
        return server.postForm("/token", body, "Authorization", auth);
    }

    private static HttpResponse<String> post(String contentType, HttpRequest.BodyPublisher body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url("/token"))).header("Authorization", auth).POST(body);
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return TestServer.send(b.build());
    }

    private static JWTClaimsSet claims(HttpResponse<String> response) throws Exception {
        JsonNode body = assertNoStoreJson(response, 200);
        return SignedJWT.parse(body.get("access_token").asText()).getJWTClaimsSet();
    }

    // --- success shape ---

    @Test
    void clientCredentialsThenBearerTokenResponseWithoutRefreshToken() {
        JsonNode body = assertNoStoreJson(token("grant_type=client_credentials&scope=read"), 200);
        assertThat(body.get("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.get("expires_in").asLong()).isEqualTo(3600);
        assertThat(body.get("scope").asText()).isEqualTo("read");
        assertThat(body.has("refresh_token")).isFalse();
        assertThat(body.has("id_token")).isFalse();
    }

    @Test
    void unknownParametersAreIgnored() {
        assertNoStoreJson(token("grant_type=client_credentials&foo=bar&state=xyz"), 200);
    }

    @Test
    void parameterWithEmptyValueCountsAsAbsent() throws Exception {
        // RFC 6749 §3.1: no value = omitted, so this asks for the client's whole allowed scope
        assertThat(claims(token("grant_type=client_credentials&scope=")).getStringClaim("scope")).isEqualTo("read write openid");
    }

    // --- form encoding and content type ---

    @ParameterizedTest
    @ValueSource(strings = {"application/x-www-form-urlencoded; charset=UTF-8", "application/x-www-form-urlencoded;charset=utf-8",
            "application/x-www-form-urlencoded; charset=\"UTF-8\"", "Application/X-WWW-Form-URLEncoded"})
    void formContentTypeWithCharsetOrOtherCaseIsAccepted(String contentType) {
        assertNoStoreJson(post(contentType, HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")), 200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "text/plain", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded; charset=ISO-8859-1"})
    void otherContentTypeThenInvalidRequest(String contentType) {
        assertError(post(contentType, HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")), 400, "invalid_request");
    }

    @Test
    void missingContentTypeThenInvalidRequest() {
        assertError(post(null, HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")), 400, "invalid_request");
    }

    @Test
    void jsonBodyThenInvalidRequest() {
        assertError(post("application/json", HttpRequest.BodyPublishers.ofString("{\"grant_type\":\"client_credentials\"}")),
                400, "invalid_request");
    }

    @Test
    void malformedPercentEncodingThenInvalidRequest() {
        assertError(token("grant_type=client_credentials&scope=%zz"), 400, "invalid_request");
    }

    @Test
    void getInsteadOfPostThenInvalidRequest() {
        HttpRequest get = HttpRequest.newBuilder(URI.create(server.url("/token?grant_type=client_credentials")))
                .header("Authorization", auth).GET().build();
        assertError(TestServer.send(get), 400, "invalid_request");
    }

    // --- size limit ---

    private static String paddedTo(int size) {
        String start = "grant_type=client_credentials&pad=";
        return start + "x".repeat(size - start.length());
    }

    @Test
    void bodyOfExactly64KiBIsAccepted() {
        assertNoStoreJson(token(paddedTo(64 * 1024)), 200);
    }

    @Test
    void bodyOneByteOver64KiBThenInvalidRequest() {
        assertError(token(paddedTo(64 * 1024 + 1)), 400, "invalid_request");
    }

    /** The unread rest of an oversized body makes the connection unusable, so the answer closes it. */
    @Test
    void bodyOver64KiBThenConnectionIsClosedAfterTheAnswer() {
        HttpResponse<String> r = token(paddedTo(200 * 1024));
        assertError(r, 400, "invalid_request");
        assertThat(r.headers().firstValue("Connection")).hasValue("close");
    }

    @Test
    void bodyOfOneMebibyteThenInvalidRequest() {
        assertError(token(paddedTo(1024 * 1024)), 400, "invalid_request");
    }

    @Test
    void chunkedBodyOver64KiBThenInvalidRequest() {
        byte[] big = paddedTo(200 * 1024).getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r = post("application/x-www-form-urlencoded",
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)));
        assertError(r, 400, "invalid_request");
    }

    // --- missing and repeated parameters ---

    @Test
    void missingGrantTypeThenInvalidRequest() {
        assertError(token("scope=read"), 400, "invalid_request");
    }

    @Test
    void emptyBodyThenInvalidRequest() {
        assertError(token(""), 400, "invalid_request");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "grant_type=client_credentials&grant_type=client_credentials",
            "grant_type=client_credentials&scope=read&scope=write",
            "grant_type=client_credentials&client_id=svc&client_id=svc",
            "grant_type=client_credentials&scope=read&scope=read"})
    void repeatedParameterThenInvalidRequest(String body) {
        assertError(token(body), 400, "invalid_request");
    }

    @Test
    void repeatedClientSecretThenInvalidRequest() {
        String secret = server.register(new Client.Builder().clientId("post-svc").tokenEndpointAuthMethod(Client.POST).build()).clientSecret();
        String body = "grant_type=client_credentials&client_id=post-svc&client_secret=" + form(secret) + "&client_secret=" + form(secret);
        assertError(server.postForm("/token", body), 400, "invalid_request");
    }

    @Test
    void repeatedClientAssertionThenInvalidRequest() {
        var key = TestKeys.rsa("k");
        server.register(new Client.Builder().clientId("pkj-svc").tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                .jwks(TestKeys.publicJwks(key)).build());
        String a = ClientAssertion.of("pkj-svc", server.issuer()).sign(key, JWSAlgorithm.RS256);
        String b = ClientAssertion.of("pkj-svc", server.issuer()).sign(key, JWSAlgorithm.RS256);
        String body = "grant_type=client_credentials&" + ClientAssertion.form(a) + "&client_assertion=" + form(b);
        assertError(server.postForm("/token", body), 400, "invalid_request");
    }

    @Test
    void repeatedAudienceIsAllowed() {
        assertNoStoreJson(token("grant_type=client_credentials&audience=a&audience=b"), 200);
    }

    // --- grant types ---

    @ParameterizedTest
    @ValueSource(strings = {"password", "implicit",
            "urn:ietf:params:oauth:grant-type:jwt-bearer", "urn:ietf:params:oauth:grant-type:token-exchange", "CLIENT_CREDENTIALS"})
    void unsupportedGrantTypeThenUnsupportedGrantType(String grantType) {
        assertError(token("grant_type=" + form(grantType)), 400, "unsupported_grant_type");
    }

    /** The description names the grant type asked for, but only in the characters RFC 6749 §5.2 allows. */
    @Test
    void unsupportedGrantTypeWithQuotesAndNonAsciiThenDescriptionStaysInTheRfcCharacterSet() {
        JsonNode body = assertError(token("grant_type=" + form("p\u00e4ss\"word\\\n")), 400, "unsupported_grant_type");
        assertThat(body.path("error_description").asText()).contains("p?ss'word");
    }

    @ParameterizedTest
    @ValueSource(strings = {"authorization_code", "refresh_token"})
    void userGrantForAClientCredentialsClientThenUnauthorizedClient(String grantType) {
        assertError(token("grant_type=" + grantType + "&code=c&refresh_token=r&redirect_uri=https%3A%2F%2Fa.example%2Fcb"), 400, "unauthorized_client");
    }

    @Test
    void grantNotAllowedForClientThenUnauthorizedClient() {
        String secret = server.register(new Client.Builder().clientId("no-grants").grantTypes(List.of()).build()).clientSecret();
        HttpResponse<String> r = server.postForm("/token", "grant_type=client_credentials", "Authorization", basic("no-grants", secret));
        assertError(r, 400, "unauthorized_client");
    }

    // --- scope ---

    @Test
    void withoutScopeTheClientGetsEverythingItIsAllowed() throws Exception {
        HttpResponse<String> r = token("grant_type=client_credentials");
        assertThat(claims(r).getStringClaim("scope")).isEqualTo("read write openid");
    }

    @Test
    void scopeSubsetIsGrantedAsAsked() throws Exception {
        HttpResponse<String> r = token("grant_type=client_credentials&scope=write%20read");
        assertThat(assertNoStoreJson(r, 200).get("scope").asText()).isEqualTo("write read");
        assertThat(claims(r).getStringClaim("scope")).isEqualTo("write read");
    }

    @ParameterizedTest
    @ValueSource(strings = {"admin", "read admin", "READ", "read\twrite"})
    void scopeBeyondAllowedThenInvalidScope(String scope) {
        assertError(token("grant_type=client_credentials&scope=" + form(scope)), 400, "invalid_scope");
    }

    @Test
    void openidWithClientCredentialsIsGrantedAndEchoedWithoutIdToken() throws Exception {
        HttpResponse<String> r = token("grant_type=client_credentials&scope=openid%20read");
        JsonNode body = assertNoStoreJson(r, 200);
        assertThat(body.get("scope").asText()).isEqualTo("openid read");
        assertThat(body.has("id_token")).isFalse();
        assertThat(claims(r).getStringClaim("scope")).isEqualTo("openid read");
    }

    @Test
    void openidWhenNotAllowedThenInvalidScope() {
        HttpResponse<String> r = server.postForm("/token", "grant_type=client_credentials&scope=openid",
                "Authorization", readOnlyAuth);
        assertError(r, 400, "invalid_scope");
    }

    // --- resource indicators (RFC 8707) ---

    @Test
    void withoutResourceTheAudienceIsTheDefault() throws Exception {
        assertThat(claims(token("grant_type=client_credentials")).getAudience()).containsExactly(server.issuer());
    }

    @Test
    void allowedResourceBecomesTheAudience() throws Exception {
        HttpResponse<String> r = token("grant_type=client_credentials&resource=" + form(API));
        assertThat(claims(r).getAudience()).containsExactly(API);
        assertThat(SignedJWT.parse(assertNoStoreJson(r, 200).get("access_token").asText()).getPayload().toJSONObject().get("aud"))
                .as("a single audience is a string (RFC 9068 §2.2)").isEqualTo(API);
    }

    @Test
    void repeatedResourceGivesEveryAudience() throws Exception {
        HttpResponse<String> r = token("grant_type=client_credentials&resource=" + form(API) + "&resource=" + form(FHIR));
        assertThat(claims(r).getAudience()).containsExactly(API, FHIR);
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://unknown.example.com", "https://api.example.com/", "https://api.example.com/sub",
            "/relative/path", "api.example.com", "https://api.example.com#frag", "urn:example:not-listed"})
    void resourceNotAllowedOrMalformedThenInvalidTarget(String resource) {
        assertError(token("grant_type=client_credentials&resource=" + form(resource)), 400, "invalid_target");
    }

    @Test
    void allowedAndDisallowedResourceTogetherThenInvalidTarget() {
        assertError(token("grant_type=client_credentials&resource=" + form(API) + "&resource=" + form("https://evil.example.com")),
                400, "invalid_target");
    }

    @Test
    void resourceForClientWithoutAllowedResourcesThenInvalidTarget() {
        HttpResponse<String> r = server.postForm("/token", "grant_type=client_credentials&resource=" + form(API),
                "Authorization", readOnlyAuth);
        assertError(r, 400, "invalid_target");
    }
}
