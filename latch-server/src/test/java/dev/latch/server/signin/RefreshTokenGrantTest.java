package dev.latch.server.signin;

import static dev.latch.server.OAuthResponses.assertError;
import static dev.latch.server.OAuthResponses.assertNoStoreJson;
import static dev.latch.server.OAuthResponses.basic;
import static dev.latch.server.OAuthResponses.form;
import static dev.latch.server.signin.TokenGrantFixture.REDIRECT;
import static dev.latch.server.signin.TokenGrantFixture.SUBJECT;
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
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.latch.server.TestClock;
import dev.latch.server.client.Client;
import dev.latch.server.user.User;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The refresh_token grant (RFC 6749 §6) with rotation and family revocation (RFC 9700 §4.14.2), black-box. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RefreshTokenGrantTest {

    private TokenGrantFixture f;

    @BeforeAll
    void start() {
        f = new TokenGrantFixture(Map.of());
    }

    @AfterAll
    void stop() {
        f.close();
    }

    private JsonNode signIn(String scope) {
        return assertNoStoreJson(f.exchangeAsWeb(f.code(grant("web", scope, true)), ""), 200);
    }

    private String refreshToken(String scope) {
        return signIn(scope).path("refresh_token").asText();
    }

    @Test
    void everyUseRotatesAndEachSuccessorWorks() {
        String t1 = refreshToken("openid offline_access");
        JsonNode r2 = assertNoStoreJson(f.refreshAsWeb(t1, ""), 200);
        String t2 = r2.path("refresh_token").asText();
        JsonNode r3 = assertNoStoreJson(f.refreshAsWeb(t2, ""), 200);
        String t3 = r3.path("refresh_token").asText();
        assertThat(List.of(t1, t2, t3)).doesNotHaveDuplicates();
        assertThat(r3.path("scope").asText()).isEqualTo("openid offline_access");
        assertThat(f.userinfo(r3.path("access_token").asText()).statusCode()).isEqualTo(200);
    }

    @Test
    void rotatedTokenPresentedAgainThenInvalidGrantAndTheWholeFamilyIsRevoked() {
        try (LogCapture log = LogCapture.start()) {
            String t1 = refreshToken("openid offline_access");
            String t2 = assertNoStoreJson(f.refreshAsWeb(t1, ""), 200).path("refresh_token").asText();
            assertError(f.refreshAsWeb(t1, ""), 400, "invalid_grant");
            assertError(f.refreshAsWeb(t2, ""), 400, "invalid_grant");

            JsonNode issued = log.audit("token.issue").getFirst();
            assertThat(issued.path("grant_type").asText()).isEqualTo("authorization_code");
            assertThat(issued.path("user").asText()).isEqualTo(TokenGrantFixture.SUBJECT);
            String family = issued.path("family").asText();
            assertThat(family).isNotEmpty();
            assertThat(log.audit("token.issue").get(1).path("grant_type").asText()).isEqualTo("refresh_token");
            assertThat(log.audit("token.issue").get(1).path("family").asText()).as("rotation keeps the family").isEqualTo(family);
            JsonNode reuse = log.audit("refresh.reuse").getFirst();
            assertThat(reuse.path("outcome").asText()).isEqualTo("failure");
            assertThat(reuse.path("client_id").asText()).isEqualTo("web");
            assertThat(reuse.path("user").asText()).isEqualTo(TokenGrantFixture.SUBJECT);
            assertThat(reuse.path("family").asText()).isEqualTo(family);
            assertThat(reuse.path("error").asText()).isEqualTo("invalid_grant");
            assertThat(log.lines()).anyMatch(l -> l.startsWith("latch.audit WARN") && l.contains("refresh.reuse"));
            assertThat(log.text()).doesNotContain(t1).doesNotContain(t2);
        }
    }

    @Test
    void ofTwoConcurrentUsesExactlyOneWins() {
        for (int round = 0; round < 5; round++) {
            String t = refreshToken("openid offline_access");
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> f.refreshAsWeb(t, "")));
            }
            long ok = calls.stream().map(CompletableFuture::join).filter(r -> r.statusCode() == 200).count();
            assertThat(ok).as("round %d", round).isEqualTo(1);
        }
    }

    @Test
    void narrowerScopeNarrowsThatAccessTokenOnlyNeverTheRefreshToken() {
        String t1 = refreshToken("openid profile offline_access");
        JsonNode narrowed = assertNoStoreJson(f.refreshAsWeb(t1, "&scope=openid"), 200);
        assertThat(narrowed.path("scope").asText()).isEqualTo("openid");
        JsonNode next = assertNoStoreJson(f.refreshAsWeb(narrowed.path("refresh_token").asText(), ""), 200);
        assertThat(next.path("scope").asText()).isEqualTo("openid profile offline_access");
    }

    @Test
    void broaderScopeThenInvalidScopeAndTheTokenStillWorks() {
        String t1 = refreshToken("openid offline_access");
        assertError(f.refreshAsWeb(t1, "&scope=" + form("openid email")), 400, "invalid_scope");
        assertNoStoreJson(f.refreshAsWeb(t1, ""), 200);
    }

    @Test
    void anotherClientPresentingItThenInvalidGrantAndTheOwnerKeepsIt() {
        String t1 = refreshToken("openid offline_access");
        assertError(f.server.postForm("/token", "grant_type=refresh_token&client_id=spa&refresh_token=" + form(t1)), 400, "invalid_grant");
        assertNoStoreJson(f.refreshAsWeb(t1, ""), 200);
    }

    @Test
    void revokedAtTheRevocationEndpointThenTheFamilyStopsWorking() {
        String t1 = refreshToken("openid offline_access");
        String t2 = assertNoStoreJson(f.refreshAsWeb(t1, ""), 200).path("refresh_token").asText();
        assertThat(f.server.postForm("/revoke", "token=" + form(t2) + "&token_type_hint=refresh_token", "Authorization",
                basic("web", f.webSecret)).statusCode()).isEqualTo(200);
        assertError(f.refreshAsWeb(t2, ""), 400, "invalid_grant");
    }

    @Test
    void anotherClientRevokingItChangesNothing() {
        String t1 = refreshToken("openid offline_access");
        String other = f.server.basicClient("bystander", "read").clientSecret();
        assertThat(f.server.postForm("/revoke", "token=" + form(t1), "Authorization", basic("bystander", other)).statusCode()).isEqualTo(200);
        assertNoStoreJson(f.refreshAsWeb(t1, ""), 200);
    }

    @Test
    void publicClientRefreshesWithoutClientIdAsFhirclientDoesAndRotationStillHolds() {
        // the public client "spa": code exchange with client_id only (no credential), then refreshes with nothing but the token
        JsonNode first = assertNoStoreJson(f.server.postForm("/token", "grant_type=authorization_code&client_id=spa&code="
                + form(f.code(grant("spa", "openid offline_access", true))) + "&redirect_uri=" + form(REDIRECT)
                + "&code_verifier=" + TokenGrantFixture.VERIFIER), 200);
        String t1 = first.path("refresh_token").asText();
        JsonNode second = assertNoStoreJson(f.server.postForm("/token", "grant_type=refresh_token&refresh_token=" + form(t1)), 200);
        String t2 = second.path("refresh_token").asText();
        assertThat(t2).isNotEqualTo(t1);
        assertThat(f.userinfo(second.path("access_token").asText()).statusCode()).isEqualTo(200);
        // the rotated one presented again, still without client_id: reuse, the family is revoked
        assertError(f.server.postForm("/token", "grant_type=refresh_token&refresh_token=" + form(t1)), 400, "invalid_grant");
        assertError(f.server.postForm("/token", "grant_type=refresh_token&refresh_token=" + form(t2)), 400, "invalid_grant");
    }

    @Test
    void confidentialClientsRefreshTokenWithoutItsCredentialThenInvalidClient() {
        String t1 = refreshToken("openid offline_access");
        assertError(f.server.postForm("/token", "grant_type=refresh_token&refresh_token=" + form(t1)), 401, "invalid_client");
        // an unknown token with no client is no client at all
        assertError(f.server.postForm("/token", "grant_type=refresh_token&refresh_token=unknown"), 401, "invalid_client");
        // and the token was not spent
        assertNoStoreJson(f.refreshAsWeb(t1, ""), 200);
    }

    @Test
    void unknownOrMissingRefreshToken() {
        assertError(f.refreshAsWeb("not-one-of-ours", ""), 400, "invalid_grant");
        assertError(f.tokenAsWeb("grant_type=refresh_token"), 400, "invalid_request");
    }

    @Test
    void idTokenOnRefreshKeepsIssSubAudAzpAndTheOriginalAuthTimeAndHasNoNonce() throws Exception {
        try (TokenGrantFixture own = new TokenGrantFixture(Map.of())) {
            idTokenOnRefresh(own);
        }
    }

    private static void idTokenOnRefresh(TokenGrantFixture f) throws Exception {
        JsonNode first = assertNoStoreJson(f.exchangeAsWeb(f.code(grant("web", "openid offline_access", true)), ""), 200);
        JWKSet jwks = JWKSet.parse(f.server.get(f.server.url("/jwks")).body());
        IDTokenValidator validator = new IDTokenValidator(new Issuer(f.server.issuer()), new ClientID("web"), JWSAlgorithm.RS256, jwks);
        // the server's clock runs ahead of Nimbus's by what the test moves it
        validator.setMaxClockSkew(600);
        f.clock.advance(Duration.ofMinutes(5));
        JsonNode refreshed = assertNoStoreJson(f.refreshAsWeb(first.path("refresh_token").asText(), ""), 200);
        IDTokenClaimsSet before = new IDTokenClaimsSet(SignedJWT.parse(first.path("id_token").asText()).getJWTClaimsSet());
        IDTokenClaimsSet after = validator.validate(JWTParser.parse(refreshed.path("id_token").asText()), null);
        assertThat(after.getIssuer()).isEqualTo(before.getIssuer());
        assertThat(after.getSubject().getValue()).isEqualTo(SUBJECT).isEqualTo(before.getSubject().getValue());
        assertThat(after.getAudience()).isEqualTo(before.getAudience());
        assertThat(after.getStringClaim("azp")).isEqualTo(before.getStringClaim("azp")).isEqualTo("web");
        assertThat(after.getAuthenticationTime()).isEqualTo(before.getAuthenticationTime());
        assertThat(after.getIssueTime()).isAfter(before.getIssueTime());
        assertThat(before.getNonce()).isNotNull();
        assertThat(after.getNonce()).isNull();
    }

    @Test
    void perClientPolicyGivesRefreshTokensWithoutOfflineAccess() {
        String secret = f.server.register(new Client.Builder().clientId("always").scope("openid").refreshTokens(true)
                .grantTypes(List.of("authorization_code", "refresh_token")).redirectUris(List.of(REDIRECT)).build()).clientSecret();
        JsonNode body = assertNoStoreJson(f.server.postForm("/token", "grant_type=authorization_code&code=" + form(f.code(grant("always", "openid", false)))
                + "&redirect_uri=" + form(REDIRECT) + "&code_verifier=" + TokenGrantFixture.VERIFIER, "Authorization", basic("always", secret)), 200);
        assertThat(body.path("refresh_token").asText()).isNotEmpty();
    }

    @Test
    void clientWithoutTheRefreshGrantGetsNoRefreshTokenEvenWithOfflineAccess() {
        String secret = f.server.register(new Client.Builder().clientId("code-only").scope("openid offline_access")
                .grantTypes(List.of("authorization_code")).redirectUris(List.of(REDIRECT)).build()).clientSecret();
        JsonNode body = assertNoStoreJson(f.server.postForm("/token", "grant_type=authorization_code&code="
                + form(f.code(grant("code-only", "openid offline_access", true))) + "&redirect_uri=" + form(REDIRECT)
                + "&code_verifier=" + TokenGrantFixture.VERIFIER, "Authorization", basic("code-only", secret)), 200);
        assertThat(body.has("refresh_token")).isFalse();
    }

    @Test
    void idleLifetimeOfTheClientEndsAnUnusedToken() {
        String secret = f.server.register(new Client.Builder().clientId("idle").scope("openid offline_access").refreshTokenIdleLifetime(3600L)
                .refreshTokenAbsoluteLifetime(100_000L).grantTypes(List.of("authorization_code", "refresh_token"))
                .redirectUris(List.of(REDIRECT)).build()).clientSecret();
        String t = assertNoStoreJson(f.server.postForm("/token", "grant_type=authorization_code&code=" + form(f.code(grant("idle", "openid offline_access", true)))
                + "&redirect_uri=" + form(REDIRECT) + "&code_verifier=" + TokenGrantFixture.VERIFIER, "Authorization", basic("idle", secret)), 200)
                .path("refresh_token").asText();
        f.clock.advance(Duration.ofSeconds(3599));
        String next = assertNoStoreJson(f.server.postForm("/token", "grant_type=refresh_token&refresh_token=" + form(t),
                "Authorization", basic("idle", secret)), 200).path("refresh_token").asText();
        f.clock.advance(Duration.ofSeconds(3600));
        assertError(f.server.postForm("/token", "grant_type=refresh_token&refresh_token=" + form(next),
                "Authorization", basic("idle", secret)), 400, "invalid_grant");
    }

    @Test
    void absoluteLifetimeOfTheClientEndsTheFamilyHoweverOftenItIsUsed() {
        String secret = f.server.register(new Client.Builder().clientId("absolute").scope("openid offline_access").refreshTokenIdleLifetime(3600L)
                .refreshTokenAbsoluteLifetime(7200L).grantTypes(List.of("authorization_code", "refresh_token"))
                .redirectUris(List.of(REDIRECT)).build()).clientSecret();
        String t = assertNoStoreJson(f.server.postForm("/token", "grant_type=authorization_code&code=" + form(f.code(grant("absolute", "openid offline_access", true)))
                + "&redirect_uri=" + form(REDIRECT) + "&code_verifier=" + TokenGrantFixture.VERIFIER, "Authorization", basic("absolute", secret)), 200)
                .path("refresh_token").asText();
        for (int i = 0; i < 2; i++) {
            f.clock.advance(Duration.ofSeconds(3000));
            t = assertNoStoreJson(f.server.postForm("/token", "grant_type=refresh_token&refresh_token=" + form(t),
                    "Authorization", basic("absolute", secret)), 200).path("refresh_token").asText();
        }
        f.clock.advance(Duration.ofSeconds(1200));
        assertError(f.server.postForm("/token", "grant_type=refresh_token&refresh_token=" + form(t),
                "Authorization", basic("absolute", secret)), 400, "invalid_grant");
    }

    @Test
    void userDisabledThenInvalidGrantAndTheTokenIsNotSpent() {
        String t = refreshToken("openid offline_access");
        User alice = f.users.findBySubject(SUBJECT).orElseThrow();
        f.users.update(new User(alice.subject(), alice.username(), alice.claims(), alice.roles(), null, false, alice.createdAt(), alice.updatedAt()));
        try {
            assertError(f.refreshAsWeb(t, ""), 400, "invalid_grant");
        } finally {
            f.users.update(alice);
        }
        assertNoStoreJson(f.refreshAsWeb(t, ""), 200);
    }

    @Test
    void refreshTokensSurviveARestart() throws Exception {
        Path data = Files.createTempDirectory("latch-refresh-restart");
        TestClock clock = TestClock.atNow();
        try {
            String t;
            try (TokenGrantFixture before = TokenGrantFixture.reopen(data.toString(), clock)) {
                t = assertNoStoreJson(before.exchangeAsWeb(before.code(grant("web", "openid offline_access", true)), ""), 200)
                        .path("refresh_token").asText();
            }
            try (TokenGrantFixture after = TokenGrantFixture.reopen(data.toString(), clock)) {
                JsonNode body = assertNoStoreJson(after.server.postForm("/token", "grant_type=refresh_token&refresh_token=" + form(t),
                        "Authorization", basic("web", after.webSecret)), 200);
                assertThat(body.path("refresh_token").asText()).isNotEqualTo(t);
            }
        } finally {
            try (Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void serverDefaultIdleLifetimeApplies() {
        try (TokenGrantFixture shortIdle = new TokenGrantFixture(Map.of("tokens.refresh-token-idle-lifetime", "1h"))) {
            String t = assertNoStoreJson(shortIdle.exchangeAsWeb(shortIdle.code(grant("web", "openid offline_access", true)), ""), 200)
                    .path("refresh_token").asText();
            shortIdle.clock.advance(Duration.ofHours(1));
            assertError(shortIdle.refreshAsWeb(t, ""), 400, "invalid_grant");
        }
    }
}
