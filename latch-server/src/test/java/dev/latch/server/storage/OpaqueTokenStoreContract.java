package dev.latch.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.token.AccessToken;
import dev.latch.server.token.OpaqueTokenStore;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the {@link OpaqueTokenStore} must do, on each database. */
public abstract class OpaqueTokenStoreContract extends StoreContract {

    private OpaqueTokenStore store;

    @BeforeEach
    void createStore() {
        store = new OpaqueTokenStore(sql);
    }

    static AccessToken token(String jti, long exp, String... audience) {
        return new AccessToken("https://issuer.example", "client-1", List.of(audience), "client-1", "read write", jti, 1_000, exp);
    }

    @Test
    void saveThenFindReturnsTheContent() {
        AccessToken at = token("jti-1", 5_000, "https://api.example");

        store.save("opaque-value-1", at);

        assertThat(store.find("opaque-value-1")).contains(at);
    }

    @Test
    void severalAudiencesAndNoScopeRoundTrip() {
        AccessToken at = new AccessToken("https://issuer.example", "c", List.of("https://a.example", "https://b.example"), "c", null,
                "jti-2", 1_000, 5_000);

        store.save("opaque-value-2", at);

        assertThat(store.find("opaque-value-2")).contains(at);
    }

    @Test
    void launchContextRoundTripsForIntrospection() {
        AccessToken at = new AccessToken("https://issuer.example", "sub-1", List.of("https://fhir.example/r4"), "app", "launch",
                "jti-ctx", 1_000, 5_000, new dev.latch.core.smart.LaunchContext("p2", "e1",
                List.of(java.util.Map.of("reference", "DocumentReference/7")), "review", false, "https://ehr.example/style.json", "north"));

        store.save("opaque-with-launch", at);

        assertThat(store.find("opaque-with-launch")).contains(at);
    }

    @Test
    void findWhenUnknownThenEmpty() {
        store.save("known", token("jti-3", 5_000, "aud"));

        assertThat(store.find("unknown")).isEmpty();
        assertThat(store.find("KNOWN")).isEmpty();
    }

    @Test
    void tokenIsStoredOnlyAsDigest() {
        store.save("secret-token-value", token("jti-4", 5_000, "aud"));

        List<String> rows = sql.query("SELECT token_digest FROM opaque_tokens", rs -> rs.getString(1));

        assertThat(rows).singleElement().asString().startsWith("sha256:").doesNotContain("secret-token-value");
    }

    @Test
    void revokeThenNotFoundAndOthersUntouched() {
        store.save("a", token("jti-a", 5_000, "aud"));
        store.save("b", token("jti-b", 5_000, "aud"));

        assertThat(store.revoke("a")).isTrue();

        assertThat(store.find("a")).isEmpty();
        assertThat(store.find("b")).isPresent();
    }

    @Test
    void revokeWhenUnknownThenFalse() {
        assertThat(store.revoke("never-issued")).isFalse();
    }

    @Test
    void findDoesNotJudgeExpiry() {
        store.save("expired", token("jti-e", 10, "aud"));

        assertThat(store.find("expired")).isPresent();
    }

    @Test
    void purgeExpiredRemovesOnlyExpiredTokens() {
        store.save("old", token("jti-old", 100, "aud"));
        store.save("now", token("jti-now", 200, "aud"));
        store.save("young", token("jti-young", 300, "aud"));

        assertThat(store.purgeExpired(200)).isEqualTo(1);

        assertThat(store.find("old")).isEmpty();
        assertThat(store.find("now")).isPresent();
        assertThat(store.find("young")).isPresent();
    }
}
