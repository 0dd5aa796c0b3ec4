package dev.latch.server.client;

import static dev.latch.server.OAuthResponses.assertError;
import static dev.latch.server.OAuthResponses.assertInvalidClientWithBasicChallenge;
import static dev.latch.server.OAuthResponses.assertInvalidClientWithoutChallenge;
import static dev.latch.server.OAuthResponses.assertNoStoreJson;
import static dev.latch.server.OAuthResponses.basic;
import static dev.latch.server.OAuthResponses.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import dev.latch.server.ClientAssertion;
import dev.latch.server.TestKeys;
import dev.latch.server.TestServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Client authentication with a secret (RFC 6749 §2.3.1): client_secret_basic and
 * client_secret_post, driven by the Nimbus OAuth SDK as an independent client and by raw requests
 * for the malformed cases.
 */
class SecretAuthenticationTest {

    static TestServer server;
    static String basicSecret;
    static String postSecret;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        basicSecret = server.register(new Client.Builder().clientId("basic-client").scope("read write").build()).clientSecret();
        postSecret = server.register(new Client.Builder().clientId("post-client").scope("read")
                .tokenEndpointAuthMethod(Client.POST).build()).clientSecret();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> token(String body, String... headers) {
        return server.postForm("/token", body, headers);
    }

    private static TokenRequest nimbusRequest(com.nimbusds.oauth2.sdk.auth.ClientAuthentication auth, String scope) {
        return new TokenRequest(URI.create(server.url("/token")), auth, new ClientCredentialsGrant(),
                scope == null ? null : new Scope(scope));
    }

    @Test
    void clientSecretBasicWithNimbusThenSignedAccessToken() throws Exception {
        HTTPResponse http = nimbusRequest(new ClientSecretBasic(new ClientID("basic-client"), new Secret(basicSecret)), "read")
                .toHTTPRequest().send();
        assertThat(http.getHeaderValue("Cache-Control")).isEqualTo("no-store");
        TokenResponse response = TokenResponse.parse(http);
        assertThat(response.indicatesSuccess()).as(http.getBody()).isTrue();
        var tokens = response.toSuccessResponse().getTokens();
        assertThat(tokens.getAccessToken().getScope()).isEqualTo(new Scope("read"));
        assertThat(SignedJWT.parse(tokens.getAccessToken().getValue()).getJWTClaimsSet().getStringClaim("client_id"))
                .isEqualTo("basic-client");
    }

    @Test
    void clientSecretPostWithNimbusThenSignedAccessToken() throws Exception {
        HTTPResponse http = nimbusRequest(new ClientSecretPost(new ClientID("post-client"), new Secret(postSecret)), null)
                .toHTTPRequest().send();
        TokenResponse response = TokenResponse.parse(http);
        assertThat(response.indicatesSuccess()).as(http.getBody()).isTrue();
        assertThat(response.toSuccessResponse().getTokens().getAccessToken().getScope()).isEqualTo(new Scope("read"));
    }

    @Test
    void clientSecretBasicWhenIdAndSecretHoldReservedAndNonAsciiCharactersThenFormUrlEncodedCredentialsWork() throws Exception {
        // client_id may hold ':' and '+'; the secret carries ':', '%', '+', a space and non-ASCII.
        String clientId = "svc:reporting+batch";
        String secret = "s3cr:t%41+plus space-ünïcødé-€-0123456789abcdef";
        server.clients().create(new Client.Builder().clientId(clientId).scope("read").build(), secret, true, null);

        HTTPResponse viaNimbus = nimbusRequest(new ClientSecretBasic(new ClientID(clientId), new Secret(secret)), "read")
                .toHTTPRequest().send();
        assertThat(viaNimbus.getStatusCode()).as(viaNimbus.getBody()).isEqualTo(200);

        HttpResponse<String> viaHeader = token("grant_type=client_credentials", "Authorization", basic(clientId, secret));
        assertNoStoreJson(viaHeader, 200);
    }

    @Test
    void clientSecretBasicWhenCredentialsNotFormUrlEncodedThenInvalidClient() {
        // RFC 6749 §2.3.1: '+' in the encoded form is a space, so a raw '+' no longer matches.
        String clientId = "raw-encoding";
        String secret = "raw+secret+with+plus+signs-0123456789";
        server.clients().create(new Client.Builder().clientId(clientId).scope("read").build(), secret, true, null);
        String raw = "Basic " + Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));

        assertInvalidClientWithBasicChallenge(token("grant_type=client_credentials", "Authorization", raw));
    }

    @Test
    void clientSecretBasicWhenMatchingClientIdInBodyThenToken() {
        HttpResponse<String> r = token("grant_type=client_credentials&client_id=basic-client",
                "Authorization", basic("basic-client", basicSecret));
        assertNoStoreJson(r, 200);
    }

    @Test
    void clientSecretBasicWhenDifferentClientIdInBodyThenInvalidRequest() {
        HttpResponse<String> r = token("grant_type=client_credentials&client_id=post-client",
                "Authorization", basic("basic-client", basicSecret));
        assertError(r, 400, "invalid_request");
    }

    @Test
    void clientSecretBasicWhenSecretWrongThenInvalidClientWithBasicChallenge() {
        assertInvalidClientWithBasicChallenge(token("grant_type=client_credentials",
                "Authorization", basic("basic-client", basicSecret + "x")));
    }

    @Test
    void clientSecretBasicWhenSecretEmptyThenInvalidClientWithBasicChallenge() {
        assertInvalidClientWithBasicChallenge(token("grant_type=client_credentials",
                "Authorization", basic("basic-client", "")));
    }

    @Test
    void clientSecretBasicWhenClientUnknownThenInvalidClientWithBasicChallenge() {
        assertInvalidClientWithBasicChallenge(token("grant_type=client_credentials",
                "Authorization", basic("no-such-client", basicSecret)));
    }

    @Test
    void clientSecretBasicWhenClientDisabledThenInvalidClientWithBasicChallenge() {
        String secret = server.register(new Client.Builder().clientId("disabled-client").scope("read").enabled(false).build())
                .clientSecret();
        assertInvalidClientWithBasicChallenge(token("grant_type=client_credentials",
                "Authorization", basic("disabled-client", secret)));
    }

    @Test
    void clientSecretBasicWhenHeaderNotBase64ThenInvalidClientWithBasicChallenge() {
        assertInvalidClientWithBasicChallenge(token("grant_type=client_credentials", "Authorization", "Basic !!!not-base64!!!"));
    }

    @Test
    void clientSecretBasicWhenNoColonThenInvalidClientWithBasicChallenge() {
        String noColon = "Basic " + Base64.getEncoder().encodeToString("basic-client".getBytes(StandardCharsets.UTF_8));
        assertInvalidClientWithBasicChallenge(token("grant_type=client_credentials", "Authorization", noColon));
    }

    @Test
    void clientSecretBasicWhenClientRegisteredForPostThenInvalidClientWithBasicChallenge() {
        assertInvalidClientWithBasicChallenge(token("grant_type=client_credentials",
                "Authorization", basic("post-client", postSecret)));
    }

    @Test
    void clientSecretPostWhenClientRegisteredForBasicThenInvalidClient() {
        assertInvalidClientWithoutChallenge(token("grant_type=client_credentials&client_id=basic-client&client_secret="
                + form(basicSecret)));
    }

    @Test
    void clientSecretPostWhenSecretWrongThenInvalidClient() throws Exception {
        HTTPResponse http = nimbusRequest(new ClientSecretPost(new ClientID("post-client"), new Secret(postSecret + "x")), null)
                .toHTTPRequest().send();
        assertThat(http.getStatusCode()).isEqualTo(401);
        assertThat(http.getHeaderValue("Cache-Control")).isEqualTo("no-store");
        TokenErrorResponse error = TokenResponse.parse(http).toErrorResponse();
        assertThat(error.getErrorObject().getCode()).isEqualTo("invalid_client");
    }

    @Test
    void clientSecretPostWhenClientIdMissingThenInvalidClient() {
        assertInvalidClientWithoutChallenge(token("grant_type=client_credentials&client_secret=" + form(postSecret)));
    }

    @Test
    void clientSecretPostWhenClientUnknownThenInvalidClient() {
        assertInvalidClientWithoutChallenge(token("grant_type=client_credentials&client_id=nobody&client_secret=" + form(postSecret)));
    }

    @Test
    void noClientAuthenticationThenInvalidClient() {
        assertInvalidClientWithoutChallenge(token("grant_type=client_credentials"));
    }

    @Test
    void clientIdAloneForConfidentialClientThenInvalidClient() {
        assertInvalidClientWithoutChallenge(token("grant_type=client_credentials&client_id=post-client"));
    }

    @Test
    void basicAndPostTogetherThenInvalidRequest() {
        HttpResponse<String> r = token("grant_type=client_credentials&client_id=basic-client&client_secret=" + form(basicSecret),
                "Authorization", basic("basic-client", basicSecret));
        assertError(r, 400, "invalid_request");
    }

    @Test
    void basicAndAssertionTogetherThenInvalidRequest() {
        String assertion = ClientAssertion.of("basic-client", server.issuer()).sign(TestKeys.rsa("k"), JWSAlgorithm.RS256);
        HttpResponse<String> r = token("grant_type=client_credentials&" + ClientAssertion.form(assertion),
                "Authorization", basic("basic-client", basicSecret));
        assertError(r, 400, "invalid_request");
    }

    @Test
    void postAndAssertionTogetherThenInvalidRequest() {
        String assertion = ClientAssertion.of("post-client", server.issuer()).sign(TestKeys.rsa("k"), JWSAlgorithm.RS256);
        HttpResponse<String> r = token("grant_type=client_credentials&client_id=post-client&client_secret=" + form(postSecret)
                + "&" + ClientAssertion.form(assertion));
        assertError(r, 400, "invalid_request");
    }

    @Test
    void twoAuthorizationHeadersThenInvalidRequest() {
        HttpResponse<String> r = token("grant_type=client_credentials",
                "Authorization", basic("basic-client", basicSecret), "Authorization", basic("post-client", postSecret));
        assertError(r, 400, "invalid_request");
    }

    @Test
    void bearerAuthorizationSchemeThenInvalidRequest() {
        assertError(token("grant_type=client_credentials", "Authorization", "Bearer " + basicSecret), 400, "invalid_request");
    }

    @Test
    void assertionWhenClientRegisteredForSecretThenInvalidClient() {
        // A client_secret_basic client signing an HS256 assertion with its own secret uses a method it did not register.
        String assertion = ClientAssertion.of("basic-client", server.issuer()).signHmac(basicSecret, JWSAlgorithm.HS256);
        assertInvalidClientWithoutChallenge(token("grant_type=client_credentials&" + ClientAssertion.form(assertion)));
    }

    @Test
    void basicSchemeNameIsCaseInsensitive() {
        String header = basic("basic-client", basicSecret).replace("Basic ", "bAsIc ");
        assertNoStoreJson(token("grant_type=client_credentials", "Authorization", header), 200);
    }

    @Test
    void secretIsNeverEchoedInErrors() {
        HttpResponse<String> r = token("grant_type=client_credentials&client_id=post-client&client_secret=" + form(basicSecret));
        assertThat(r.body()).doesNotContain(basicSecret);
        HttpRequest plain = HttpRequest.newBuilder(URI.create(server.url("/token")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", basic("basic-client", "wrong-" + basicSecret))
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build();
        assertThat(TestServer.send(plain).body()).doesNotContain(basicSecret);
    }
}
