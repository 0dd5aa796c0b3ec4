package dev.latch.server.storage;

import java.time.Duration;

/**
 * Deletes rows a bounded batch at a time, repeated until a statement removes fewer than {@code n},
 * with a pause between full batches (at least as long as the last batch took). Each statement is
 * short, so removing a million expired rows never holds locks (or the pool's connection) long enough
 * to stall requests. On PostgreSQL a batch is {@code DELETE FROM t WHERE key IN (SELECT key FROM t
 * WHERE condition FETCH FIRST n ROWS ONLY)}; on H2, which bounds a DELETE itself, {@code DELETE FROM t
 * WHERE condition FETCH FIRST n ROWS ONLY} (H2 would scan the whole table for the first form when the
 * key has two columns).
 */
public final class BatchDelete {

    /** Sees every delete statement: the table and how many rows it removed (0 for the last, empty one). */
    @FunctionalInterface
    public interface Observer {
        void deleted(String table, int rows);
    }

    public static final int DEFAULT_SIZE = 1000;

    /** Batches of {@value #DEFAULT_SIZE} without pause, observed by nobody. */
    public static final BatchDelete DEFAULT = new BatchDelete(DEFAULT_SIZE, Duration.ZERO, (table, rows) -> {});

    private final int size;
    private final Duration pause;
    private final Observer observer;

    public BatchDelete(int size, Duration pause, Observer observer) {
        if (size < 1) throw new IllegalArgumentException("batch size must be positive");
        this.size = size;
        this.pause = pause;
        this.observer = observer;
    }

    public int size() {
        return size;
    }

    /**
     * Deletes the rows of {@code table} meeting {@code condition}, batch by batch.
     *
     * @param key       the table's primary key: a column, or columns in parentheses {@code (a, b)}
     * @param condition a WHERE condition on {@code table}, with {@code args} for its parameters
     * @return rows removed; fewer than all when the thread was interrupted (the server is stopping)
     */
    public int rows(Sql sql, String table, String key, String condition, Object... args) {
        String columns = key.startsWith("(") ? key.substring(1, key.length() - 1) : key;
        // H2 bounds a DELETE itself and then walks only the condition's index; for a key IN (subquery) on a
        // key of two columns it scans the whole table each batch. PostgreSQL has no bounded DELETE.
        String statement = sql.isH2()
                ? "DELETE FROM " + table + " WHERE " + condition + " FETCH FIRST " + size + " ROWS ONLY"
                : "DELETE FROM " + table + " WHERE " + key + " IN (SELECT " + columns + " FROM " + table
                        + " WHERE " + condition + " FETCH FIRST " + size + " ROWS ONLY)";
        int total = 0;
        while (true) {
            long started = System.nanoTime();
            int n = sql.update(statement, args);
            long took = System.nanoTime() - started;
            total += n;
            observer.deleted(table, n);
            if (n < size || !pause(took)) {
                return total;
            }
        }
    }

    /**
     * Waits the pause, or as long as the batch took if that is longer, so the purge has the database
     * (and a core) at most half the time however slow the batches are. False when interrupted.
     */
    private boolean pause(long batchNanos) {
        if (Thread.currentThread().isInterrupted()) return false;
        if (pause.isZero()) return true;
        try {
            Thread.sleep(Duration.ofNanos(Math.max(pause.toNanos(), batchNanos)));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
