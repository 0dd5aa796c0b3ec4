package dev.latch.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.core.smart.LaunchContext;
import dev.latch.server.authorize.EhrLaunches.EhrLaunch;
import dev.latch.server.smart.LaunchStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the {@link LaunchStore} must do, on each database. */
public abstract class LaunchStoreContract extends StoreContract {

    private static final LaunchContext CONTEXT = new LaunchContext("123", "enc-9",
            List.of(Map.of("reference", "DocumentReference/77")), "reconcile-medications", true, "https://ehr.example/style.json", "t-1");

    private LaunchStore store;

    @BeforeEach
    void createStore() {
        store = new LaunchStore(sql);
        sql.update("DELETE FROM smart_launches");
    }

    private static EhrLaunch launch(String clientId, long expiresAt) {
        return new EhrLaunch(clientId, "https://fhir.example/r4", "alice", CONTEXT, expiresAt);
    }

    @Test
    void createThenFindReturnsWhatWasStored() {
        String value = store.create(launch("app", 1_300), 1_000);

        assertThat(store.find(value, 1_000)).contains(launch("app", 1_300));
    }

    @Test
    void launchValueHasAtLeast128BitsAndIsStoredOnlyAsDigest() {
        String value = store.create(launch("app", 1_300), 1_000);

        assertThat(value).hasSizeGreaterThanOrEqualTo(22); // 128 bits in base64url
        List<String> rows = sql.query("SELECT launch_digest FROM smart_launches", rs -> rs.getString(1));
        assertThat(rows).singleElement().asString().startsWith("sha256:").doesNotContain(value);
        assertThat(store.create(launch("app", 1_300), 1_000)).isNotEqualTo(value);
    }

    @Test
    void findWhenExpiredOrUnknownThenEmpty() {
        String value = store.create(launch("app", 1_300), 1_000);

        assertThat(store.find(value, 1_300)).isEmpty();
        assertThat(store.find("unknown", 1_000)).isEmpty();
        assertThat(store.find(null, 1_000)).isEmpty();
        assertThat(store.consume(value, 1_300)).isFalse();
    }

    @Test
    void consumeOnceThenNeverAgain() {
        String value = store.create(launch("app", 1_300), 1_000);

        assertThat(store.consume(value, 1_010)).isTrue();
        assertThat(store.consume(value, 1_011)).isFalse();
        assertThat(store.find(value, 1_011)).isEmpty();
    }

    @Test
    void concurrentConsumptionsLetExactlyOneWin() throws Exception {
        String value = store.create(launch("app", 1_300), 1_000);
        var pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                results.add(pool.submit((Callable<Boolean>) () -> store.consume(value, 1_010)));
            }
            int won = 0;
            for (Future<Boolean> f : results) {
                if (f.get()) won++;
            }
            assertThat(won).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void emptyContextRoundTrips() {
        EhrLaunch bare = new EhrLaunch("app", "https://fhir.example/r4", null, LaunchContext.NONE, 1_300);
        String value = store.create(bare, 1_000);

        assertThat(store.find(value, 1_000)).contains(bare);
    }

    @Test
    void purgeForgetsEndedLaunchesOnly() {
        String ended = store.create(launch("app", 1_100), 1_000);
        String live = store.create(launch("app", 2_000), 1_000);

        assertThat(store.purgeExpired(1_500)).isEqualTo(1);
        assertThat(store.find(ended, 1_000)).isEmpty();
        assertThat(store.find(live, 1_000)).isPresent();
    }
}
