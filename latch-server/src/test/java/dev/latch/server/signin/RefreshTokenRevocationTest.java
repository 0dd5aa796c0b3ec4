package dev.latch.server.signin;

import static dev.latch.server.OAuthResponses.assertError;
import static dev.latch.server.OAuthResponses.assertNoStoreJson;
import static dev.latch.server.OAuthResponses.basic;
import static dev.latch.server.OAuthResponses.form;
import static dev.latch.server.signin.TokenGrantFixture.grant;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * RFC 7009 §2.1: revoking a refresh token revokes the access tokens issued under the same grant —
 * by the code exchange and by every refresh — as introspection and userinfo show at once; the
 * tokens of other grants stay active. On the embedded database here, on PostgreSQL in
 * {@link RefreshTokenRevocationOnPostgresTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RefreshTokenRevocationTest {

    TokenGrantFixture f;

    /** The server's database settings (none: the embedded H2). */
    Map<String, String> settings() {
        return Map.of();
    }

    @BeforeAll
    void start() {
        f = new TokenGrantFixture(settings());
    }

    @AfterAll
    void stop() {
        if (f != null) f.close();
        closeDatabase();
    }

    void closeDatabase() {
    }

    private JsonNode signIn() {
        return assertNoStoreJson(f.exchangeAsWeb(f.code(grant("web", "openid offline_access", true)), ""), 200);
    }

    private JsonNode refresh(JsonNode previous) {
        return assertNoStoreJson(f.refreshAsWeb(previous.path("refresh_token").asText(), ""), 200);
    }

    private boolean active(JsonNode issued) {
        String token = issued.path("access_token").asText();
        JsonNode body = assertNoStoreJson(f.server.postForm("/introspect", "token=" + form(token), "Authorization",
                basic("web", f.webSecret)), 200);
        return body.path("active").asBoolean();
    }

    private void revoke(String refreshToken) {
        assertThat(f.server.postForm("/revoke", "token=" + form(refreshToken) + "&token_type_hint=refresh_token",
                "Authorization", basic("web", f.webSecret)).statusCode()).isEqualTo(200);
    }

    @Test
    void revokedRefreshTokenThenAccessTokensFromTheCodeExchangeAndEveryRefreshAreInactive() {
        JsonNode fromCode = signIn();
        JsonNode firstRefresh = refresh(fromCode);
        JsonNode secondRefresh = refresh(firstRefresh);
        JsonNode unrelated = signIn();
        for (JsonNode issued : List.of(fromCode, firstRefresh, secondRefresh, unrelated)) {
            assertThat(active(issued)).as("active before the revocation").isTrue();
        }

        revoke(secondRefresh.path("refresh_token").asText());

        assertThat(active(fromCode)).as("issued by the code exchange").isFalse();
        assertThat(active(firstRefresh)).as("issued by the first refresh").isFalse();
        assertThat(active(secondRefresh)).as("issued by the last refresh").isFalse();
        assertThat(f.userinfo(secondRefresh.path("access_token").asText()).statusCode()).as("userinfo").isEqualTo(401);
        assertThat(active(unrelated)).as("another grant's token").isTrue();
        assertThat(f.userinfo(unrelated.path("access_token").asText()).statusCode()).isEqualTo(200);
        assertNoStoreJson(f.refreshAsWeb(unrelated.path("refresh_token").asText(), ""), 200);
    }

    @Test
    void revokedRotatedRefreshTokenThenTheGrantsAccessTokensAreInactiveToo() {
        JsonNode fromCode = signIn();
        JsonNode refreshed = refresh(fromCode);

        revoke(fromCode.path("refresh_token").asText());

        assertThat(active(fromCode)).isFalse();
        assertThat(active(refreshed)).isFalse();
        assertError(f.refreshAsWeb(refreshed.path("refresh_token").asText(), ""), 400, "invalid_grant");
    }
}
