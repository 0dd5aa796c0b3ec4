package dev.latch.server.user;

import dev.latch.server.cpu.CpuPool;

/**
 * Runs password checks (Argon2id, RFC 9106: ~20 ms of pure CPU each at the default parameters) on a
 * {@link CpuPool} of its own, one platform thread per core. On the request's virtual thread a check would
 * hold its carrier for that long, so a burst of sign-ins would stall every other request (tokens, JWKS)
 * behind it; here the virtual thread just waits for the answer and its carrier serves others. The pool is
 * not the one that signs tokens: a burst of sign-ins queues behind itself, not in front of token requests.
 *
 * <p>The queue is bounded: when it is full the sign-in is refused at once ({@link CpuPool.Busy}) instead of
 * piling up work the pool cannot finish before the people waiting give up.
 */
public final class PasswordVerifier implements AutoCloseable {

    /** Checks waiting per pool thread before new ones are refused: ~16 × 20 ms ≈ 0.3 s of waiting at most. */
    public static final int QUEUE_PER_THREAD = 16;

    private final PasswordHasher hasher;
    private final CpuPool pool;

    /** One thread per available core. */
    public static PasswordVerifier perCore(PasswordHasher hasher) {
        int threads = Runtime.getRuntime().availableProcessors();
        return new PasswordVerifier(hasher, threads, threads * QUEUE_PER_THREAD);
    }

    public PasswordVerifier(PasswordHasher hasher, int threads, int queue) {
        this.hasher = hasher;
        this.pool = new CpuPool("latch-password", threads, queue);
    }

    public PasswordHasher hasher() {
        return hasher;
    }

    /** {@link PasswordHasher#verify} on the pool; the caller waits. @throws CpuPool.Busy when the queue is full */
    public boolean verify(char[] password, String hash) {
        return pool.run(() -> hasher.verify(password, hash));
    }

    /** {@link PasswordHasher#verifyAgainstDummy} on the pool (the same cost, so unknown users look alike). */
    public boolean verifyAgainstDummy(char[] password) {
        return pool.run(() -> hasher.verifyAgainstDummy(password));
    }

    /** Stops the pool; checks still queued are dropped (the server is stopping). */
    @Override
    public void close() {
        pool.close();
    }
}
