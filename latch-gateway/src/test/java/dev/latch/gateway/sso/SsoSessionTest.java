package dev.latch.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import dev.latch.client.token.AccessToken;
import dev.latch.gateway.config.GatewayConfig;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The session cookie of a route that does not forward the ID token holds the ID token's claims the route reads
 * instead of the token, so a refresh that brings no new ID token gives the same identity as before.
 */
class SsoSessionTest {

    private static final GatewayConfig.Sso SETTINGS = new GatewayConfig.Sso(URI.create("https://idp.example"), null,
            List.of("openid"), List.of("c".repeat(32)), "_s", false, "/oauth2/", null, List.of(), List.of(),
            Map.of("https://example.com/dept", List.of("ward-3")), List.of("realm_access.roles", "https://example.com/roles"),
            Duration.ofHours(12), Duration.ofSeconds(60), "/", false, false);

    private static final JWTClaimsSet ID_CLAIMS = new JWTClaimsSet.Builder().subject("alice-id").issuer("https://idp.example")
            .audience("portal").claim("nonce", "n-1").claim("at_hash", "h").claim("preferred_username", "alice")
            .claim("email", "alice@example.org").claim("realm_access", Map.of("roles", List.of("staff")))
            .claim("https://example.com/roles", List.of("editor")).claim("https://example.com/dept", "ward-3").build();

    @Test
    void aRefreshWithoutANewIdTokenKeepsTheIdentityReadFromTheSignInsIdToken() {
        SsoSession signedIn = SsoSession.of(SETTINGS, ID_CLAIMS, Map.of(), tokens("rt-1", "header.claims.signature"),
                "header.claims.signature", null, 100, 200);
        SsoSession stored = SsoSession.fromJson(signedIn.withoutIdToken().toJson());

        assertThat(stored.idToken()).isNull();
        assertThat(stored.idClaims()).containsOnlyKeys("preferred_username", "email", "realm_access", "https://example.com/roles",
                "https://example.com/dept");

        SsoSession refreshed = SsoSession.of(SETTINGS, stored.previousIdClaims(), Map.of(), tokens("rt-2", null), null,
                stored.refreshToken(), stored.startedAt(), stored.endsAt());
        assertThat(refreshed.subject()).isEqualTo("alice-id");
        assertThat(refreshed.username()).isEqualTo("alice");
        assertThat(refreshed.email()).isEqualTo("alice@example.org");
        assertThat(refreshed.roles()).containsExactly("staff", "editor").isEqualTo(signedIn.roles());
        assertThat(refreshed.claims()).isEqualTo(signedIn.claims()).containsEntry("https://example.com/dept", List.of("ward-3"));
        assertThat(refreshed.refreshToken()).isEqualTo("rt-2");
    }

    @Test
    void aCookieSealedBeforeTheClaimsWereKeptReadsThemFromItsIdToken() {
        String idToken = new PlainJWT(ID_CLAIMS).serialize();
        SsoSession old = new SsoSession("alice-id", "alice", "alice@example.org", List.of("staff", "editor"), Map.of(), null, 0,
                "rt-1", idToken, 100, 200, null);
        SsoSession read = SsoSession.fromJson(old.toJson());

        assertThat(read.previousIdClaims().getClaims()).isEqualTo(ID_CLAIMS.getClaims());
    }

    @Test
    void withoutAnyIdTokenOnlyTheSubjectIsKnown() {
        SsoSession bare = new SsoSession("alice-id", null, null, List.of(), Map.of(), null, 0, null, null, 100, 200, null);
        assertThat(bare.previousIdClaims().getClaims()).containsOnlyKeys("sub");
    }

    private static AccessToken tokens(String refreshToken, String idToken) {
        return new AccessToken("opaque-access-token", "Bearer", Instant.ofEpochSecond(400), "openid", refreshToken, idToken, Map.of());
    }
}
