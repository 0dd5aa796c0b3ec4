package dev.latch.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.purge.Janitor;
import dev.latch.server.storage.TestDatabase;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Two servers on one database purge as one: both try at once, every interval, and exactly one takes
 * the lease and removes the expired rows; the other does nothing, and neither purges again until the
 * interval has passed. Time is a {@link TestClock} both share, moved by the test (no waiting).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
abstract class PurgeAcrossServersContract {

    static final int ROUNDS = 4;
    static final int EXPIRED_PER_ROUND = 1_200;

    TestDatabase db;
    TestClock clock;
    TestServer first;
    TestServer second;
    ExecutorService threads;

    abstract TestDatabase createDatabase();

    @BeforeAll
    void start() {
        db = createDatabase();
        clock = TestClock.atNow();
        Map<String, String> settings = new HashMap<>(db.settings());
        // the maintenance threads' first run is an interval away: in this test only the test purges
        settings.put("database.purge-interval", "1h");
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        settings.put("master-key", java.util.Base64.getEncoder().encodeToString(key)); // one key for the nodes of one database
        first = TestServer.start(settings, clock);
        second = TestServer.start(settings, clock);
        threads = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    void stop() {
        try {
            if (threads != null) threads.shutdownNow();
            if (second != null) second.close();
            if (first != null) first.close();
        } finally {
            if (db != null) db.close();
        }
    }

    @Test
    void everyIntervalExactlyOneServerPurgesAndTheOtherRepeatsNothing() throws Exception {
        long removedByFirst = 0;
        long removedBySecond = 0;
        for (int round = 0; round < ROUNDS; round++) {
            long now = clock.instant().getEpochSecond();
            insertExpired(round, now);

            CountDownLatch go = new CountDownLatch(1);
            CompletableFuture<Janitor.Outcome> a = CompletableFuture.supplyAsync(() -> await(go, first), threads);
            CompletableFuture<Janitor.Outcome> b = CompletableFuture.supplyAsync(() -> await(go, second), threads);
            go.countDown();
            Janitor.Outcome byFirst = a.get(1, TimeUnit.MINUTES);
            Janitor.Outcome bySecond = b.get(1, TimeUnit.MINUTES);

            assertThat(List.of(byFirst.purged(), bySecond.purged())).as("round " + round).containsExactlyInAnyOrder(true, false);
            Janitor.Outcome winner = byFirst.purged() ? byFirst : bySecond;
            Janitor.Outcome loser = byFirst.purged() ? bySecond : byFirst;
            assertThat(winner.rows()).containsEntry("opaque_tokens", (long) EXPIRED_PER_ROUND);
            assertThat(loser.rows()).isEmpty();
            assertThat(count("SELECT COUNT(*) FROM opaque_tokens")).isZero();
            if (byFirst.purged()) {
                removedByFirst += EXPIRED_PER_ROUND;
            } else {
                removedBySecond += EXPIRED_PER_ROUND;
            }

            // within the interval neither purges again, the holder included, even with new expired rows waiting
            clock.advance(Duration.ofMinutes(59));
            insertExpired(1000 + round, clock.instant().getEpochSecond());
            assertThat(first.server().purgeExpired().purged()).isFalse();
            assertThat(second.server().purgeExpired().purged()).isFalse();
            assertThat(count("SELECT COUNT(*) FROM opaque_tokens")).isEqualTo(EXPIRED_PER_ROUND);
            clearLeftovers();

            clock.advance(Duration.ofMinutes(1)); // the interval has passed: the lease is free again
        }

        // each row was removed once: what the two servers counted adds up to what there was
        assertThat(metric(first) + metric(second)).isEqualTo((double) ROUNDS * EXPIRED_PER_ROUND);
        assertThat(metric(first)).isEqualTo((double) removedByFirst);
        assertThat(metric(second)).isEqualTo((double) removedBySecond);
    }

    private static Janitor.Outcome await(CountDownLatch go, TestServer server) {
        try {
            go.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return server.server().purgeExpired();
    }

    private static double metric(TestServer server) {
        String scrape = server.server().metrics().scrape();
        return scrape.contains("latch_purged_rows_total{table=\"opaque_tokens\"") ? PurgeContract.purgedMetric(scrape, "opaque_tokens") : 0;
    }

    private void insertExpired(int round, long now) {
        first.sql().transaction(c -> {
            try (var ps = c.prepareStatement("INSERT INTO opaque_tokens (token_digest, jti, client_id, claims, expires_at) "
                    + "VALUES (?, ?, 'c', '{}', ?)")) {
                for (int i = 0; i < EXPIRED_PER_ROUND; i++) {
                    ps.setString(1, "r" + round + "-" + i);
                    ps.setString(2, "j" + round + "-" + i);
                    ps.setLong(3, now - 10);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /** Clears the rows left for the next round (no server purged them: they are the test's). */
    private void clearLeftovers() {
        first.sql().update("DELETE FROM opaque_tokens");
    }

    private long count(String query) {
        return first.sql().queryOne(query, rs -> rs.getLong(1)).orElseThrow();
    }
}
