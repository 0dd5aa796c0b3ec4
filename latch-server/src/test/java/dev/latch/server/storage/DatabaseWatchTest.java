package dev.latch.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A busy pool is waited for (up to the connection timeout), not refused: only a database that does not
 * answer is refused at once (DatabaseOutageOnPostgresTest stops a real one).
 */
class DatabaseWatchTest {

    @Test
    void aRequestWaitsWhileEveryConnectionIsBusyInsteadOfBeingRefused() throws Exception {
        try (Database db = Database.open("jdbc:h2:mem:watch-busy;DB_CLOSE_DELAY=-1", null, null, 2,
                new Database.Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(10)))) {
            CompletableFuture<List<Integer>> waiting;
            try (Connection held = db.dataSource().getConnection(); Connection alsoHeld = db.dataSource().getConnection()) {
                waiting = CompletableFuture.supplyAsync(() -> db.sql().query("SELECT 1", rs -> rs.getInt(1)));
                Thread.sleep(2 * DatabaseWatch.INTERVAL_MILLIS + 200); // the watch has checked meanwhile, and found it answering
                assertThat(waiting).as("still waiting for a held connection").isNotDone();
                assertThat(held.isValid(1) && alsoHeld.isValid(1)).isTrue();
            }
            assertThat(waiting.get(10, TimeUnit.SECONDS)).containsExactly(1);
            assertThat(db.reachable()).isTrue();
        }
    }

    /**
     * After a recovery the database may answer through the pool before the watch's own connection does (H2
     * reopening a database it closed on a full disk: DiskFullOnH2Test once saw a 503 right after a 200). The
     * watch must then stay up, not say down and up on every other check.
     */
    @Test
    void aDatabaseThatAnswersThroughThePoolButNotTheWatchsOwnConnectionStaysUp() throws Exception {
        org.h2.jdbcx.JdbcDataSource pool = new org.h2.jdbcx.JdbcDataSource();
        pool.setURL("jdbc:h2:mem:watch-pool;DB_CLOSE_DELAY=-1");
        try (DatabaseWatch watch = new DatabaseWatch("jdbc:postgresql://127.0.0.1:1/none", "nobody", null, pool).start()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!watch.down() && System.nanoTime() < deadline) Thread.sleep(10);
            assertThat(watch.down()).as("the own connection fails at first, so down").isTrue();
            while (watch.down() && System.nanoTime() < deadline) Thread.sleep(10);
            assertThat(watch.down()).as("the pool answers: up").isFalse();
            int downSamples = 0;
            for (int i = 0; i < 150; i++) {
                if (watch.down()) downSamples++;
                Thread.sleep(10);
            }
            assertThat(downSamples).as("samples saying down over 1.5 s (six checks) while the pool answers").isZero();
        }
    }

    @Test
    void aWatchFindsADatabaseThatAnswersAndStopsWhenClosed() throws Exception {
        DatabaseWatch watch = new DatabaseWatch("jdbc:h2:mem:watch-close;DB_CLOSE_DELAY=-1", null, null, null).start();
        Thread.sleep(DatabaseWatch.INTERVAL_MILLIS + 100);
        assertThat(watch.down()).isFalse();
        assertThat(watch.running()).isTrue();
        watch.close();
        assertThat(watch.running()).isFalse();
    }

    @Test
    void aWatchOnADatabaseThatCannotBeReachedSaysItIsDown() throws Exception {
        // nothing listens on port 1: every check fails at once
        try (DatabaseWatch watch = new DatabaseWatch("jdbc:postgresql://127.0.0.1:1/none", "nobody", null, null).start()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!watch.down() && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(watch.down()).isTrue();
        }
    }
}
