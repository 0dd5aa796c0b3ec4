package dev.latch.server.signin;

import static dev.latch.server.OAuthResponses.assertNoStoreJson;
import static dev.latch.server.OAuthResponses.basic;
import static dev.latch.server.OAuthResponses.form;
import static dev.latch.server.signin.TokenGrantFixture.SUBJECT;
import static dev.latch.server.signin.TokenGrantFixture.grant;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.openid.connect.sdk.UserInfoResponse;
import com.nimbusds.openid.connect.sdk.claims.UserInfo;
import dev.latch.server.OAuthResponses;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The UserInfo endpoint (OIDC Core §5.3) with RFC 6750 bearer errors, black-box. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UserinfoTest {

    private TokenGrantFixture f;

    @BeforeAll
    void start() {
        f = new TokenGrantFixture(Map.of());
    }

    @AfterAll
    void stop() {
        f.close();
    }

    private String accessToken(String scope) {
        return assertNoStoreJson(f.exchangeAsWeb(f.code(grant("web", scope, false)), ""), 200).path("access_token").asText();
    }

    private static void assertBearerError(HttpResponse<String> r, int status, String error) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("WWW-Authenticate")).get().asString().startsWith("Bearer ").contains("error=\"" + error + "\"");
        OAuthResponses.assertNoStackTrace(r);
    }

    @Test
    void nimbusReadsTheClaimsOfTheGrantedScopes() throws Exception {
        String token = accessToken("openid profile email");
        UserInfoResponse response = UserInfoResponse.parse(new UserInfoRequest(URI.create(f.server.url("/userinfo")),
                new BearerAccessToken(token)).toHTTPRequest().send());
        assertThat(response.indicatesSuccess()).isTrue();
        UserInfo info = response.toSuccessResponse().getUserInfo();
        assertThat(info.getSubject().getValue()).isEqualTo(SUBJECT);
        assertThat(info.getName()).isEqualTo("Alice Example");
        assertThat(info.getPreferredUsername()).isEqualTo("alice");
        assertThat(info.getEmailAddress()).isEqualTo("alice@example.com");
        assertThat(info.getEmailVerified()).isTrue();
        assertThat(info.getPhoneNumber()).as("phone not granted").isNull();
        assertThat(info.getAddress()).as("address not granted").isNull();
    }

    @Test
    void phoneAndAddressScopesGiveThoseClaimsOnly() {
        JsonNode body = assertNoStoreJson(f.userinfo(accessToken("openid phone address")), 200);
        assertThat(body.path("phone_number").asText()).isEqualTo("+1 555 0100");
        assertThat(body.path("address").path("country").asText()).isEqualTo("NZ");
        assertThat(body.has("name")).isFalse();
        assertThat(body.has("email")).isFalse();
    }

    @Test
    void postWithTheTokenInTheFormBodyWorks() {
        JsonNode body = assertNoStoreJson(f.server.postForm("/userinfo", "access_token=" + form(accessToken("openid"))), 200);
        assertThat(body.path("sub").asText()).isEqualTo(SUBJECT);
    }

    @Test
    void postWithTheBearerHeaderWorks() {
        HttpResponse<String> r = f.server.postForm("/userinfo", "", "Authorization", "Bearer " + accessToken("openid"));
        assertThat(assertNoStoreJson(r, 200).path("sub").asText()).isEqualTo(SUBJECT);
    }

    @Test
    void tokenInHeaderAndBodyThenInvalidRequest() {
        String token = accessToken("openid");
        assertBearerError(f.server.postForm("/userinfo", "access_token=" + form(token), "Authorization", "Bearer " + token), 400, "invalid_request");
    }

    @Test
    void noTokenThenChallengeWithoutErrorCode() {
        HttpResponse<String> r = f.server.get(f.server.url("/userinfo"));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).get().asString().startsWith("Bearer ").doesNotContain("error=");
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-a-token", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."})
    void unknownTokenThenInvalidToken(String token) {
        assertBearerError(f.userinfo(token), 401, "invalid_token");
    }

    @Test
    void malformedAuthorizationHeaderThenInvalidRequest() {
        assertBearerError(f.server.get(f.server.url("/userinfo"), "Authorization", "Basic abc"), 400, "invalid_request");
    }

    @Test
    void expiredTokenThenInvalidToken() {
        String token = accessToken("openid");
        f.clock.advance(Duration.ofHours(2));
        assertBearerError(f.userinfo(token), 401, "invalid_token");
    }

    @Test
    void revokedTokenThenInvalidToken() {
        String token = accessToken("openid");
        f.server.postForm("/revoke", "token=" + form(token), "Authorization", basic("web", f.webSecret));
        assertBearerError(f.userinfo(token), 401, "invalid_token");
    }

    @Test
    void tokenWithoutOpenidThenInsufficientScope() {
        assertBearerError(f.userinfo(accessToken("profile")), 403, "insufficient_scope");
    }

    @Test
    void clientCredentialsTokenWithOpenidHasNoUserThenInvalidToken() {
        String secret = f.server.basicClient("machine-ui", "openid").clientSecret();
        String token = assertNoStoreJson(f.server.postForm("/token", "grant_type=client_credentials", "Authorization",
                basic("machine-ui", secret)), 200).path("access_token").asText();
        assertBearerError(f.userinfo(token), 401, "invalid_token");
    }

    @Test
    void anyAudienceIsAccepted() throws Exception {
        String secret = f.server.register(new dev.latch.server.client.Client.Builder().clientId("fhir-app").scope("openid")
                .allowedResources(java.util.List.of("https://fhir.example/r4")).grantTypes(java.util.List.of("authorization_code"))
                .redirectUris(java.util.List.of(TokenGrantFixture.REDIRECT)).build()).clientSecret();
        var g = new dev.latch.server.code.ApprovedAuthorization("fhir-app", SUBJECT, TokenGrantFixture.REDIRECT, "openid", null,
                TokenGrantFixture.challenge(TokenGrantFixture.VERIFIER), 1, null, java.util.List.of(), java.util.List.of("https://fhir.example/r4"), false);
        String token = assertNoStoreJson(f.server.postForm("/token", "grant_type=authorization_code&code=" + form(f.code(g))
                + "&redirect_uri=" + form(TokenGrantFixture.REDIRECT) + "&code_verifier=" + TokenGrantFixture.VERIFIER,
                "Authorization", basic("fhir-app", secret)), 200).path("access_token").asText();
        assertThat(com.nimbusds.jwt.SignedJWT.parse(token).getJWTClaimsSet().getAudience()).containsExactly("https://fhir.example/r4");
        assertThat(assertNoStoreJson(f.userinfo(token), 200).path("sub").asText()).isEqualTo(SUBJECT);
    }
}
