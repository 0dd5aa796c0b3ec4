package dev.latch.server.signin;

import static dev.latch.server.OAuthResponses.assertError;
import static dev.latch.server.OAuthResponses.assertNoStoreJson;
import static dev.latch.server.OAuthResponses.basic;
import static dev.latch.server.OAuthResponses.form;
import static dev.latch.server.signin.TokenGrantFixture.REDIRECT;
import static dev.latch.server.signin.TokenGrantFixture.SUBJECT;
import static dev.latch.server.signin.TokenGrantFixture.VERIFIER;
import static dev.latch.server.signin.TokenGrantFixture.grant;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.server.LogCapture;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.claims.AccessTokenHash;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.validators.AccessTokenValidator;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.latch.server.client.Client;
import dev.latch.server.code.ApprovedAuthorization;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The authorization_code grant (RFC 6749 §4.1.3, RFC 7636 §4.6) at the token endpoint, black-box. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthorizationCodeGrantTest {

    private TokenGrantFixture f;

    @BeforeAll
    void start() {
        f = new TokenGrantFixture(Map.of());
    }

    @AfterAll
    void stop() {
        f.close();
    }

    private IDTokenClaimsSet validate(String idToken, String clientId, JWSAlgorithm alg, String nonce) throws Exception {
        JWKSet jwks = JWKSet.parse(f.server.get(f.server.url("/jwks")).body());
        IDTokenValidator validator = new IDTokenValidator(new Issuer(f.server.issuer()), new ClientID(clientId), alg, jwks);
        return validator.validate(JWTParser.parse(idToken), nonce == null ? null : new Nonce(nonce));
    }

    @Test
    void codeWithVerifierThenAccessTokenAndIdTokenThatNimbusAccepts() throws Exception {
        JsonNode body = assertNoStoreJson(f.exchangeAsWeb(f.code(grant("web", "openid profile", false)), ""), 200);
        assertThat(body.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.path("scope").asText()).isEqualTo("openid profile");
        assertThat(body.has("refresh_token")).as("no offline_access, no per-client policy").isFalse();
        IDTokenClaimsSet id = validate(body.path("id_token").asText(), "web", JWSAlgorithm.RS256, "n-0S6_WzA2Mj");
        assertThat(id.getSubject().getValue()).isEqualTo(SUBJECT);
        assertThat(id.getAuthenticationTime().toInstant().getEpochSecond()).isEqualTo(TokenGrantFixture.AUTH_TIME);
        assertThat(id.getStringClaim("sid")).isEqualTo("sid-1");
        assertThat(id.getStringListClaim("amr")).containsExactly("pwd");
        assertThat(id.getStringClaim("azp")).isEqualTo("web");
        AccessTokenValidator.validate(new BearerAccessToken(body.path("access_token").asText()), JWSAlgorithm.RS256, id.getAccessTokenHash());
        SignedJWT at = SignedJWT.parse(body.path("access_token").asText());
        assertThat(at.getJWTClaimsSet().getSubject()).isEqualTo(SUBJECT);
        assertThat(at.getJWTClaimsSet().getAudience()).containsExactly(f.server.issuer());
        assertThat(at.getJWTClaimsSet().getStringClaim("client_id")).isEqualTo("web");
    }

    @Test
    void withoutOpenidThenNoIdToken() {
        JsonNode body = assertNoStoreJson(f.exchangeAsWeb(f.code(grant("web", "read", false)), ""), 200);
        assertThat(body.has("id_token")).isFalse();
    }

    @Test
    void offlineAccessGrantedThenRefreshToken() {
        JsonNode body = assertNoStoreJson(f.exchangeAsWeb(f.code(grant("web", "openid offline_access", true)), ""), 200);
        assertThat(body.path("refresh_token").asText()).hasSizeGreaterThanOrEqualTo(43);
    }

    /**
     * SMART App Launch 2.2 online_access: a refresh token that works while the user stays signed in at Latch and no
     * longer once the sign-in session has ended; with offline_access too it outlives the session.
     */
    @Test
    void onlineAccessThenARefreshTokenThatWorksOnlyWhileTheUsersSessionLives() {
        long now = f.clock.instant().getEpochSecond();
        dev.latch.server.session.SessionStore sessions = f.server.server().sessions();
        for (boolean offlineToo : new boolean[] {false, true}) {
            dev.latch.server.session.SessionStore.Created session = sessions.create(SUBJECT, now);
            String scope = offlineToo ? "openid online_access offline_access" : "openid online_access";
            ApprovedAuthorization grant = new ApprovedAuthorization("web", SUBJECT, TokenGrantFixture.REDIRECT, scope, "n-1",
                    TokenGrantFixture.challenge(TokenGrantFixture.VERIFIER), now, session.session().sid(), List.of("pwd"), List.of(), offlineToo);
            JsonNode issued = assertNoStoreJson(f.exchangeAsWeb(f.code(grant), ""), 200);
            String refreshToken = issued.path("refresh_token").asText();
            assertThat(refreshToken).as("online_access gives a refresh token").hasSizeGreaterThanOrEqualTo(43);
            JsonNode refreshed = assertNoStoreJson(f.refreshAsWeb(refreshToken), 200);
            assertThat(refreshed.path("scope").asText()).isEqualTo(scope);

            sessions.end(session.cookieValue());
            HttpResponse<String> after = f.refreshAsWeb(refreshed.path("refresh_token").asText());
            if (offlineToo) {
                assertThat(after.statusCode()).as("offline_access outlives the session: " + after.body()).isEqualTo(200);
            } else {
                assertThat(after.statusCode()).isEqualTo(400);
                assertThat(dev.latch.server.OAuthResponses.json(after).path("error").asText()).isEqualTo("invalid_grant");
                assertThat(dev.latch.server.OAuthResponses.json(after).path("error_description").asText()).contains("no longer signed in");
            }
        }
    }

    @Test
    void codeUsedTwiceThenInvalidGrantAndWhatTheFirstUseProducedIsRevoked() {
        String code = f.code(grant("web", "openid offline_access", true));
        JsonNode first;
        String accessToken;
        try (LogCapture log = LogCapture.start()) {
            first = assertNoStoreJson(f.exchangeAsWeb(code, ""), 200);
            accessToken = first.path("access_token").asText();
            assertThat(f.userinfo(accessToken).statusCode()).isEqualTo(200);
            assertError(f.exchangeAsWeb(code, ""), 400, "invalid_grant");
            String family = log.audit("token.issue").getFirst().path("family").asText();
            JsonNode replay = log.audit("code.replay").getFirst();
            assertThat(replay.path("outcome").asText()).isEqualTo("failure");
            assertThat(replay.path("client_id").asText()).isEqualTo("web");
            assertThat(replay.path("user").asText()).isEqualTo(TokenGrantFixture.SUBJECT);
            assertThat(replay.path("count").asInt()).as("access tokens revoked").isEqualTo(1);
            assertThat(replay.path("family").asText()).isEqualTo(family).isNotEmpty();
            assertThat(log.audit("token.issue").get(1).path("error").asText()).isEqualTo("invalid_grant");
            assertThat(log.text()).doesNotContain(code).doesNotContain(accessToken);
        }
        assertThat(f.userinfo(accessToken).statusCode()).as("access token of the first use").isEqualTo(401);
        assertError(f.refreshAsWeb(first.path("refresh_token").asText(), ""), 400, "invalid_grant");
    }

    @Test
    void codeOfAnotherClientThenInvalidGrant() {
        String code = f.code(grant("spa", "openid", false));
        assertError(f.exchangeAsWeb(code, ""), 400, "invalid_grant");
    }

    @Test
    void redirectUriMissingThenInvalidRequestAndTheCodeStillWorks() {
        String code = f.code(grant("web", "openid", false));
        assertError(f.tokenAsWeb("grant_type=authorization_code&code=" + form(code) + "&code_verifier=" + VERIFIER), 400, "invalid_request");
        assertNoStoreJson(f.exchangeAsWeb(code, ""), 200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://app.example/cb/", "https://app.example/other", "https://APP.example/cb", "https://app.example/cb?x=1"})
    void redirectUriDifferentThenInvalidGrant(String other) {
        String code = f.code(grant("web", "openid", false));
        assertError(f.tokenAsWeb("grant_type=authorization_code&code=" + form(code) + "&redirect_uri=" + form(other)
                + "&code_verifier=" + VERIFIER), 400, "invalid_grant");
    }

    @Test
    void verifierMissingThenInvalidGrant() {
        String code = f.code(grant("web", "openid", false));
        assertError(f.tokenAsWeb("grant_type=authorization_code&code=" + form(code) + "&redirect_uri=" + form(REDIRECT)), 400, "invalid_grant");
    }

    @Test
    void verifierWrongThenInvalidGrant() {
        String code = f.code(grant("web", "openid", false));
        assertError(f.tokenAsWeb("grant_type=authorization_code&code=" + form(code) + "&redirect_uri=" + form(REDIRECT)
                + "&code_verifier=" + "x".repeat(43)), 400, "invalid_grant");
    }

    @ParameterizedTest
    @ValueSource(strings = {"short", "has+plus-and-is-long-enough-to-pass-the-length-rule-xxxxxxx", "é"})
    void verifierMalformedThenInvalidRequest(String verifier) {
        String code = f.code(grant("web", "openid", false));
        String v = verifier.equals("é") ? "é".repeat(43) : verifier;
        assertError(f.tokenAsWeb("grant_type=authorization_code&code=" + form(code) + "&redirect_uri=" + form(REDIRECT)
                + "&code_verifier=" + form(v)), 400, "invalid_request");
    }

    @Test
    void verifierTooLongThenInvalidRequest() {
        String code = f.code(grant("web", "openid", false));
        assertError(f.tokenAsWeb("grant_type=authorization_code&code=" + form(code) + "&redirect_uri=" + form(REDIRECT)
                + "&code_verifier=" + "a".repeat(129)), 400, "invalid_request");
    }

    @Test
    void verifierSentForCodeWithoutChallengeThenInvalidGrant() {
        String secret = f.server.register(new Client.Builder().clientId("relaxed").scope("openid").requirePkce(false)
                .grantTypes(List.of("authorization_code")).redirectUris(List.of(REDIRECT)).build()).clientSecret();
        ApprovedAuthorization g = new ApprovedAuthorization("relaxed", SUBJECT, REDIRECT, "openid", null, null, 1, null, List.of(), List.of(), false);
        String withVerifier = f.code(g);
        assertError(f.server.postForm("/token", "grant_type=authorization_code&code=" + form(withVerifier) + "&redirect_uri=" + form(REDIRECT)
                + "&code_verifier=" + VERIFIER, "Authorization", basic("relaxed", secret)), 400, "invalid_grant");
        String without = f.code(g);
        assertNoStoreJson(f.server.postForm("/token", "grant_type=authorization_code&code=" + form(without) + "&redirect_uri=" + form(REDIRECT),
                "Authorization", basic("relaxed", secret)), 200);
    }

    @Test
    void codeWithoutChallengeForAClientThatMustUsePkceThenInvalidGrant() {
        ApprovedAuthorization g = new ApprovedAuthorization("web", SUBJECT, REDIRECT, "openid", null, null, 1, null, List.of(), List.of(), false);
        assertError(f.tokenAsWeb("grant_type=authorization_code&code=" + form(f.code(g)) + "&redirect_uri=" + form(REDIRECT)), 400, "invalid_grant");
    }

    @Test
    void codeExpiredThenInvalidGrant() {
        // its own server: moving the clock here would put the shared server's tokens ahead of Nimbus's clock
        try (TokenGrantFixture own = new TokenGrantFixture(Map.of())) {
            String code = own.code(grant("web", "openid", false));
            own.clock.advance(Duration.ofSeconds(61));
            assertError(own.exchangeAsWeb(code, ""), 400, "invalid_grant");
        }
    }

    @Test
    void unknownCodeThenInvalidGrant() {
        assertError(f.exchangeAsWeb("not-a-code-we-issued", ""), 400, "invalid_grant");
    }

    @Test
    void codeMissingThenInvalidRequest() {
        assertError(f.tokenAsWeb("grant_type=authorization_code&redirect_uri=" + form(REDIRECT) + "&code_verifier=" + VERIFIER), 400, "invalid_request");
    }

    @Test
    void publicClientSendsClientIdAndVerifierOnly() {
        String code = f.code(grant("spa", "openid", false));
        JsonNode body = assertNoStoreJson(f.server.postForm("/token", "grant_type=authorization_code&client_id=spa&code=" + form(code)
                + "&redirect_uri=" + form(REDIRECT) + "&code_verifier=" + VERIFIER), 200);
        assertThat(body.has("id_token")).isTrue();
    }

    @Test
    void publicClientWithoutChallengeThenInvalidGrant() {
        ApprovedAuthorization g = new ApprovedAuthorization("spa", SUBJECT, REDIRECT, "openid", null, null, 1, null, List.of(), List.of(), false);
        assertError(f.server.postForm("/token", "grant_type=authorization_code&client_id=spa&code=" + form(f.code(g))
                + "&redirect_uri=" + form(REDIRECT)), 400, "invalid_grant");
    }

    @Test
    void publicClientSendingASecretThenInvalidClient() {
        String code = f.code(grant("spa", "openid", false));
        HttpResponse<String> r = f.server.postForm("/token", "grant_type=authorization_code&client_id=spa&client_secret=guess&code=" + form(code)
                + "&redirect_uri=" + form(REDIRECT) + "&code_verifier=" + VERIFIER);
        assertError(r, 401, "invalid_client");
    }

    @Test
    void clientWithoutTheCodeGrantThenUnauthorizedClient() {
        String secret = f.server.basicClient("machine", "read").clientSecret();
        String code = f.code(grant("machine", "read", false));
        assertError(f.server.postForm("/token", "grant_type=authorization_code&code=" + form(code) + "&redirect_uri=" + form(REDIRECT)
                + "&code_verifier=" + VERIFIER, "Authorization", basic("machine", secret)), 400, "unauthorized_client");
    }

    @Test
    void userDisabledSinceSignInThenInvalidGrant() {
        f.users.insert(new dev.latch.server.user.User("u-gone", "bob", Map.of(), List.of(), null, false, 1, 1));
        ApprovedAuthorization g = new ApprovedAuthorization("web", "u-gone", REDIRECT, "openid", null, TokenGrantFixture.challenge(VERIFIER), 1, null,
                List.of(), List.of(), false);
        assertError(f.exchangeAsWeb(f.code(g), ""), 400, "invalid_grant");
    }

    @Test
    void codesAreNeverStoredInTheClear() {
        String code = f.code(grant("web", "openid", false));
        assertThat(f.server.sql().query("SELECT code_digest FROM authorization_codes", rs -> rs.getString(1))).doesNotContain(code);
    }
}
