package dev.latch.server.user;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs password checks (Argon2id, RFC 9106: ~20 ms of pure CPU each at the default parameters) on a
 * small bounded pool of platform threads, one per core. On the request's virtual thread a check would
 * hold its carrier for that long, so a burst of sign-ins would stall every other request (tokens,
 * JWKS) behind it; here the virtual thread just waits for the answer and its carrier serves others.
 *
 * <p>The queue is bounded: when it is full the sign-in is refused at once ({@link Busy}) instead of
 * piling up work the pool cannot finish before the people waiting give up.
 */
public final class PasswordVerifier implements AutoCloseable {

    /** Checks waiting per pool thread before new ones are refused: ~16 × 20 ms ≈ 0.3 s of waiting at most. */
    public static final int QUEUE_PER_THREAD = 16;

    /** The pool and its queue are full: answer "busy, try again" (HTTP 503). */
    public static final class Busy extends RuntimeException {
        Busy() {
            super("password verification is saturated", null, false, false);
        }
    }

    private final PasswordHasher hasher;
    private final ThreadPoolExecutor pool;

    /** One thread per available core. */
    public static PasswordVerifier perCore(PasswordHasher hasher) {
        int threads = Runtime.getRuntime().availableProcessors();
        return new PasswordVerifier(hasher, threads, threads * QUEUE_PER_THREAD);
    }

    public PasswordVerifier(PasswordHasher hasher, int threads, int queue) {
        this.hasher = hasher;
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "latch-password-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue), factory,
                new ThreadPoolExecutor.AbortPolicy());
    }

    public PasswordHasher hasher() {
        return hasher;
    }

    /** {@link PasswordHasher#verify} on the pool; the caller waits. @throws Busy when the queue is full */
    public boolean verify(char[] password, String hash) {
        return run(() -> hasher.verify(password, hash));
    }

    /** {@link PasswordHasher#verifyAgainstDummy} on the pool (the same cost, so unknown users look alike). */
    public boolean verifyAgainstDummy(char[] password) {
        return run(() -> hasher.verifyAgainstDummy(password));
    }

    private boolean run(java.util.concurrent.Callable<Boolean> check) {
        Future<Boolean> result;
        try {
            result = pool.submit(check);
        } catch (RejectedExecutionException e) {
            throw new Busy();
        }
        try {
            return result.get();
        } catch (InterruptedException e) {
            result.cancel(true);
            Thread.currentThread().interrupt();
            throw new Busy();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Stops the pool; checks still queued are dropped (the server is stopping). */
    @Override
    public void close() {
        pool.shutdownNow();
    }
}
