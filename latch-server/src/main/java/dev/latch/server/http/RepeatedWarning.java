package dev.latch.server.http;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * A warning that comes in floods — a saturated server refuses hundreds of requests a second with
 * {@code 503 temporarily_unavailable} — written at most once per interval, with how many occurred
 * since the line before, so overload (or a database outage) does not also fill the disk with one identical
 * line per request.
 */
public final class RepeatedWarning {

    private final Logger log;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final LongAdder occurred = new LongAdder();
    private final AtomicLong lastWritten;

    public RepeatedWarning(Logger log, long interval, TimeUnit unit, LongSupplier nanoTime) {
        this.log = log;
        this.intervalNanos = unit.toNanos(interval);
        this.nanoTime = nanoTime;
        this.lastWritten = new AtomicLong(nanoTime.getAsLong() - intervalNanos);
    }

    /** Counts one occurrence; writes {@code message} and the count when the interval since the last line has passed. */
    public void occurred(String message) {
        occurred.increment();
        long now = nanoTime.getAsLong();
        long last = lastWritten.get();
        if (now - last >= intervalNanos && lastWritten.compareAndSet(last, now)) {
            long count = occurred.sumThenReset();
            log.warn("{} ({} time{} in the last {} s)", message, count, count == 1 ? "" : "s",
                    Math.max(1, TimeUnit.NANOSECONDS.toSeconds(Math.min(now - last, intervalNanos))));
        }
    }
}
