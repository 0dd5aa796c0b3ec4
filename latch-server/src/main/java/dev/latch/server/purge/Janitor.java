package dev.latch.server.purge;

import dev.latch.server.metrics.Metrics;
import dev.latch.server.storage.BatchDelete;
import dev.latch.server.storage.Lease;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The expiry purge: once per interval, on the one node holding the {@code purge} lease, every store
 * forgets what has expired, in bounded batches ({@link BatchDelete}) with a short pause between them,
 * so a backlog of a million rows never stalls the token endpoint. The other nodes find the lease held
 * and do nothing. Rows removed are counted by table in {@code latch_purged_rows_total}.
 */
public final class Janitor {

    private static final Logger LOG = LoggerFactory.getLogger(Janitor.class);

    /** Rows per delete statement. */
    public static final int BATCH_SIZE = BatchDelete.DEFAULT_SIZE;
    /** Between two full batches at least (or as long as the batch took), so other statements get the tables, the pool and the CPU. */
    public static final Duration PAUSE = Duration.ofMillis(10);

    /** One store's part of the purge: forget what expired before {@code now} (epoch seconds). */
    @FunctionalInterface
    public interface Task {
        void purge(long now, BatchDelete delete);
    }

    /** What one run did: whether this node held the lease, and rows removed by table. */
    public record Outcome(boolean purged, Map<String, Long> rows) {}

    private final Lease lease;
    private final Duration interval;
    private final Clock clock;
    private final Metrics metrics;
    private final List<Task> tasks;
    private final int batchSize;
    private final Duration pause;
    private final List<BatchDelete.Observer> observers = new CopyOnWriteArrayList<>();

    public Janitor(Lease lease, Duration interval, Clock clock, Metrics metrics, List<Task> tasks) {
        this(lease, interval, clock, metrics, tasks, BATCH_SIZE, PAUSE);
    }

    public Janitor(Lease lease, Duration interval, Clock clock, Metrics metrics, List<Task> tasks, int batchSize, Duration pause) {
        this.lease = lease;
        this.interval = interval;
        this.clock = clock;
        this.metrics = metrics;
        this.tasks = List.copyOf(tasks);
        this.batchSize = batchSize;
        this.pause = pause;
    }

    public Duration interval() {
        return interval;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Also tells {@code observer} of every delete statement (table, rows removed). */
    public void observe(BatchDelete.Observer observer) {
        observers.add(observer);
    }

    /** Purges if this node takes the lease for the coming interval; does nothing if another node holds it. */
    public Outcome run() {
        if (!lease.take(clock.millis(), interval)) {
            return new Outcome(false, Map.of());
        }
        Map<String, Long> rows = new LinkedHashMap<>();
        BatchDelete delete = new BatchDelete(batchSize, pause, (table, n) -> {
            rows.merge(table, (long) n, Long::sum);
            if (n > 0) metrics.purged(table, n);
            for (BatchDelete.Observer o : observers) o.deleted(table, n);
        });
        long now = clock.instant().getEpochSecond();
        for (Task task : tasks) {
            if (Thread.currentThread().isInterrupted()) break;
            try {
                task.purge(now, delete);
            } catch (RuntimeException e) {
                LOG.warn("purging expired rows failed: {}", e.getMessage());
            }
            // a long purge keeps the lease, so no other node starts the same work meanwhile
            lease.renew(clock.millis(), interval);
        }
        return new Outcome(true, rows);
    }
}
