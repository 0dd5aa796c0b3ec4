package dev.latch.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.replay.JdbcReplayCache;
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

/** What every {@link dev.latch.server.replay.ReplayCache} must do, on each database. */
public abstract class ReplayCacheContract extends StoreContract {

    private JdbcReplayCache cache;

    @BeforeEach
    void createCache() {
        cache = new JdbcReplayCache(sql);
    }

    @Test
    void firstUseThenTrueSecondUseThenFalse() {
        assertThat(cache.firstUse("client", "jti-1", 1_000)).isTrue();
        assertThat(cache.firstUse("client", "jti-1", 1_000)).isFalse();
    }

    @Test
    void sameIdentifierOfAnotherClientIsAnotherUse() {
        assertThat(cache.firstUse("alice", "shared", 1_000)).isTrue();
        assertThat(cache.firstUse("bob", "shared", 1_000)).isTrue();
    }

    @Test
    void identifiersAreCaseSensitive() {
        assertThat(cache.firstUse("client", "AbC", 1_000)).isTrue();
        assertThat(cache.firstUse("client", "abc", 1_000)).isTrue();
    }

    @Test
    void purgeExpiredForgetsOnlyIdentifiersWhoseLifetimeEnded() {
        cache.firstUse("client", "old", 100);
        cache.firstUse("client", "edge", 200);
        cache.firstUse("client", "young", 300);

        assertThat(cache.purgeExpired(200)).isEqualTo(1);

        assertThat(cache.firstUse("client", "old", 400)).isTrue();
        assertThat(cache.firstUse("client", "edge", 400)).isFalse();
        assertThat(cache.firstUse("client", "young", 400)).isFalse();
    }

    @Test
    void veryLongIdentifierIsStillSingleUse() {
        String jti = "j".repeat(5_000);

        assertThat(cache.firstUse("client", jti, 1_000)).isTrue();
        assertThat(cache.firstUse("client", jti, 1_000)).isFalse();
        assertThat(cache.firstUse("client", jti + "x", 1_000)).isTrue();
    }

    @Test
    void unicodeIdentifierIsStillSingleUse() {
        assertThat(cache.firstUse("client", "jti-東京-✓", 1_000)).isTrue();
        assertThat(cache.firstUse("client", "jti-東京-✓", 1_000)).isFalse();
    }

    /** RFC 7523 §3 item 7 under contention: of concurrent uses of one identifier exactly one wins. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void concurrentUsesOfOneIdentifierThenExactlyOneWins() throws Exception {
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 50; round++) {
                String jti = "race-" + round;
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<Boolean>> uses = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    uses.add(pool.submit(() -> {
                        start.await(30, TimeUnit.SECONDS);
                        return cache.firstUse("client", jti, 1_000);
                    }));
                }
                int wins = 0;
                for (Future<Boolean> use : uses) {
                    if (use.get(60, TimeUnit.SECONDS)) wins++;
                }
                assertThat(wins).as("winners in round %d", round).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
