package dev.latch.server.cpu;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a request's CPU-bound work (token signatures, Argon2id password checks) on a small bounded pool of
 * platform threads, one per core by default, while the request's virtual thread waits for the answer.
 *
 * <p>Why: virtual threads are not pre-empted. A virtual thread that signs holds its carrier until it is
 * done, and under saturation the virtual-thread scheduler serves the requests unfairly: most finish at
 * once while some wait behind many others (at 16 connections, RS256 p99 of hundreds of ms with p50 under
 * one). Here the work waits in one FIFO queue and runs on threads the operating system time-slices, so
 * every request waits about as long as the others; the virtual thread, parked, frees its carrier for the
 * cheap rest of the requests (parsing, I/O, database).
 *
 * <p>The queue is bounded: when it is full the work is refused at once ({@link Busy}, answered as
 * {@code 503} with {@code Retry-After}) instead of piling up more than the pool can finish before the
 * callers give up.
 */
public final class CpuPool implements AutoCloseable {

    /** The pool and its queue are full, or the pool is stopped: answer "busy, try again" (HTTP 503). */
    public static final class Busy extends RuntimeException {
        Busy(String pool) {
            super(pool + " is saturated", null, false, false);
        }
    }

    /** Work that returns a value and may throw one checked exception, which {@link #run} passes on unchanged. */
    @FunctionalInterface
    public interface Work<T, E extends Exception> {
        T run() throws E;
    }

    private final String name;
    private final ThreadPoolExecutor pool;

    /** One thread per available core, {@code queuePerThread} waiting per thread. */
    public static CpuPool perCore(String name, int queuePerThread) {
        int threads = Runtime.getRuntime().availableProcessors();
        return new CpuPool(name, threads, threads * queuePerThread);
    }

    /** @param name the threads' name prefix ({@code name-1}, …), as profilers and {@code bench/} see them */
    public CpuPool(String name, int threads, int queue) {
        if (threads < 1 || queue < 1) {
            throw new IllegalArgumentException(name + ": needs at least one thread and one queue place");
        }
        this.name = name;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue), r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    }

    /**
     * Runs {@code work} on the pool; the caller waits for it. Its result is returned, its exception thrown
     * here as it was thrown there.
     *
     * @throws Busy when the queue is full, the pool is stopped, or the caller is interrupted while it waits
     */
    public <T, E extends Exception> T run(Work<T, E> work) throws E {
        Future<T> result;
        try {
            result = pool.submit(work::run);
        } catch (RejectedExecutionException e) {
            throw new Busy(name);
        }
        try {
            return result.get();
        } catch (InterruptedException e) {
            result.cancel(true);
            Thread.currentThread().interrupt();
            throw new Busy(name);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) throw r;
            if (cause instanceof Error err) throw err;
            // Work.run throws only E besides unchecked exceptions
            @SuppressWarnings("unchecked") E checked = (E) cause;
            throw checked;
        }
    }

    /** How much work waits in the queue now (for metrics and tests). */
    public int queued() {
        return pool.getQueue().size();
    }

    /** Stops the pool; work still queued is dropped and later calls are refused (the server is stopping). */
    @Override
    public void close() {
        pool.shutdownNow();
    }
}
