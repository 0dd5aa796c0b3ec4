package dev.latch.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.secret.Secrets;
import dev.latch.server.refresh.JdbcRefreshTokenStore;
import dev.latch.server.refresh.RefreshTokenStore.Family;
import dev.latch.server.refresh.RefreshTokenStore.Use;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What every {@link dev.latch.server.refresh.RefreshTokenStore} must do, on each database. */
public abstract class RefreshTokenStoreContract extends StoreContract {

    static final Family FAMILY = new Family(null, "app", "sub-1", "openid offline_access", List.of("https://api.example"),
            900, "sid-1", List.of("pwd"), 1_000, 1_000 + 90 * 86_400);
    static final long IDLE = 3_600;

    private JdbcRefreshTokenStore store;

    @BeforeEach
    void createStore() {
        store = new JdbcRefreshTokenStore(sql);
    }

    @Test
    void startedFamilyKeepsWhatItStandsFor() {
        Use.Rotated started = store.start(FAMILY, 1_000 + IDLE);
        assertThat(started.token()).hasSizeGreaterThanOrEqualTo(43);
        Use used = store.use(started.token(), "app", 1_010, IDLE);
        assertThat(used).isInstanceOf(Use.Rotated.class);
        Family f = ((Use.Rotated) used).family();
        assertThat(f.familyId()).isEqualTo(started.family().familyId()).isNotNull();
        assertThat(f).usingRecursiveComparison().ignoringFields("familyId").isEqualTo(FAMILY);
    }

    @Test
    void tokensAreStoredOnlyAsDigests() {
        Use.Rotated started = store.start(FAMILY, 1_000 + IDLE);
        String next = ((Use.Rotated) store.use(started.token(), "app", 1_010, IDLE)).token();
        List<String> digests = sql.query("SELECT token_digest FROM refresh_tokens", rs -> rs.getString(1));
        assertThat(digests).containsExactlyInAnyOrder(Secrets.digest(started.token()), Secrets.digest(next));
        String families = String.join("", sql.query("SELECT grant_data FROM refresh_families", rs -> rs.getString(1)));
        assertThat(families).doesNotContain(started.token()).doesNotContain(next);
    }

    @Test
    void eachUseRotatesAndTheSuccessorWorks() {
        String t1 = store.start(FAMILY, 1_000 + IDLE).token();
        String t2 = ((Use.Rotated) store.use(t1, "app", 1_010, IDLE)).token();
        String t3 = ((Use.Rotated) store.use(t2, "app", 1_020, IDLE)).token();
        assertThat(List.of(t1, t2, t3)).doesNotHaveDuplicates();
    }

    @Test
    void reusingARotatedTokenRevokesTheWholeFamily() {
        String t1 = store.start(FAMILY, 1_000 + IDLE).token();
        String t2 = ((Use.Rotated) store.use(t1, "app", 1_010, IDLE)).token();
        assertThat(store.use(t1, "app", 1_020, IDLE)).isInstanceOf(Use.Reused.class);
        assertThat(store.use(t2, "app", 1_030, IDLE)).isInstanceOf(Use.Invalid.class);
    }

    @Test
    void anotherClientPresentingTheTokenIsInvalidAndChangesNothing() {
        String t1 = store.start(FAMILY, 1_000 + IDLE).token();
        assertThat(store.use(t1, "other", 1_010, IDLE)).isInstanceOf(Use.Invalid.class);
        assertThat(store.use(t1, "app", 1_020, IDLE)).isInstanceOf(Use.Rotated.class);
    }

    @Test
    void idleDeadlineEndsAToken() {
        String t1 = store.start(FAMILY, 1_000 + IDLE).token();
        assertThat(store.use(t1, "app", 1_000 + IDLE, IDLE)).isInstanceOf(Use.Invalid.class);
        String fresh = store.start(FAMILY, 1_000 + IDLE).token();
        assertThat(store.use(fresh, "app", 1_000 + IDLE - 1, IDLE)).isInstanceOf(Use.Rotated.class);
    }

    @Test
    void absoluteEndOfTheFamilyCapsEverySuccessor() {
        Family shortLived = new Family(null, "app", "sub-1", "openid", List.of(), 900, null, List.of(), 1_000, 1_100);
        String t1 = store.start(shortLived, 1_000 + IDLE).token();
        String t2 = ((Use.Rotated) store.use(t1, "app", 1_050, IDLE)).token();
        assertThat(store.use(t2, "app", 1_100, IDLE)).isInstanceOf(Use.Invalid.class);
    }

    @Test
    void revokedFamiliesOfAUserAndClientStopWorking() {
        String t1 = store.start(FAMILY, 1_000 + IDLE).token();
        String other = store.start(new Family(null, "other", "sub-1", "openid", List.of(), 900, null, List.of(), 1_000, 9_999_999), 9_999_999).token();
        assertThat(store.revokeFamilies("sub-1", "app", 1_005)).isEqualTo(1);
        assertThat(store.use(t1, "app", 1_010, IDLE)).isInstanceOf(Use.Invalid.class);
        assertThat(store.use(other, "other", 1_010, IDLE)).isInstanceOf(Use.Rotated.class);
    }

    @Test
    void revokingOneTokenRevokesItsFamilyForItsOwnClientOnly() {
        String t1 = store.start(FAMILY, 1_000 + IDLE).token();
        assertThat(store.revoke(t1, "other", 1_005)).isFalse();
        assertThat(store.revoke("unknown", "app", 1_005)).isFalse();
        String t2 = ((Use.Rotated) store.use(t1, "app", 1_010, IDLE)).token();
        assertThat(store.revoke(t2, "app", 1_020)).isTrue();
        assertThat(store.use(t2, "app", 1_030, IDLE)).isInstanceOf(Use.Invalid.class);
    }

    @Test
    void purgeForgetsEndedFamiliesOnly() {
        Family shortLived = new Family(null, "app", "sub-1", "openid", List.of(), 900, null, List.of(), 1_000, 1_100);
        store.start(shortLived, 1_100);
        String kept = store.start(FAMILY, 1_000 + IDLE).token();
        assertThat(store.purgeExpired(1_101)).isEqualTo(1);
        assertThat(sql.query("SELECT family_id FROM refresh_families", rs -> rs.getString(1))).hasSize(1);
        assertThat(store.use(kept, "app", 1_200, IDLE)).isInstanceOf(Use.Rotated.class);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void ofConcurrentUsesOfOneTokenExactlyOneRotatesIt() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 20; round++) {
                String token = store.start(FAMILY, 1_000 + IDLE).token();
                CyclicBarrier start = new CyclicBarrier(4);
                List<Future<Use>> results = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    results.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        return store.use(token, "app", 1_010, IDLE);
                    }));
                }
                int rotated = 0;
                for (Future<Use> f : results) {
                    if (f.get(30, TimeUnit.SECONDS) instanceof Use.Rotated) rotated++;
                }
                assertThat(rotated).as("round %d", round).isEqualTo(1);
                assertThat(sql.query("SELECT token_digest FROM refresh_tokens WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_digest = ?)",
                        rs -> rs.getString(1), Secrets.digest(token))).as("round %d: one successor", round).hasSize(2);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
