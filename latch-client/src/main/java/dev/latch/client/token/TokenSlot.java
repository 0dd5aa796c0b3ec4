package dev.latch.client.token;

import dev.latch.client.OAuthClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One cached token of a {@link CachingTokenSource} and the state of renewing it: lock-free lookups of a
 * fresh token, a single flight however many callers ask, background refreshes from {@code refreshAt},
 * retries with back-off for a waiting caller, and the refresh token it holds (rotated ones replace it).
 */
final class TokenSlot {

    private record Flight(CompletableFuture<CachedToken> future, boolean blocking) {}

    private final Renewal renewal;
    private final TokenRequest request;
    private volatile String refreshToken;
    private volatile CachedToken cached;
    private final ReentrantLock lock = new ReentrantLock();
    private Flight flight;
    private Future<?> scheduled;
    /** No request before this (Retry-After, back-off of a failed background refresh). */
    private volatile Instant notBefore = Instant.MIN;
    private volatile TokenEndpointUnavailableException lastUnavailable;
    private int backgroundFailures;

    TokenSlot(Renewal renewal, TokenRequest request, String refreshToken) {
        this.renewal = renewal;
        this.request = request;
        this.refreshToken = refreshToken;
    }

    /** The refresh token held, or null. */
    String refreshToken() {
        return refreshToken;
    }

    /** The cached token while it is fresh; else renews it (in the background until its deadline, then waiting). */
    AccessToken get() {
        CachedToken c = cached;
        Instant now = renewal.clock().instant();
        if (c != null && now.isBefore(c.refreshAt())) {
            return c.token();
        }
        if (c != null && now.isBefore(c.deadline())) {
            startBackground(now);
            return c.token();
        }
        return blocking();
    }

    /** Forgets the cached token if it is {@code token}. */
    void invalidate(AccessToken token) {
        lock.lock();
        try {
            CachedToken c = cached;
            if (c != null && c.token().value().equals(token.value())) {
                cached = null;
            }
        } finally {
            lock.unlock();
        }
    }

    private void startBackground(Instant now) {
        if (renewal.closed().getAsBoolean() || now.isBefore(notBefore)) {
            return;
        }
        Flight mine;
        lock.lock();
        try {
            if (flight != null) {
                return;
            }
            mine = new Flight(new CompletableFuture<>(), false);
            flight = mine;
        } finally {
            lock.unlock();
        }
        try {
            renewal.scheduler().schedule(() -> run(mine), Duration.ZERO);
        } catch (RuntimeException e) { // e.g. the executor was shut down
            finish(mine, null, e);
        }
    }

    private AccessToken blocking() {
        while (true) {
            Flight joined;
            Flight mine = null;
            lock.lock();
            try {
                CachedToken c = cached;
                if (c != null && renewal.clock().instant().isBefore(c.deadline())) {
                    return c.token();
                }
                if (flight == null) {
                    mine = new Flight(new CompletableFuture<>(), true);
                    flight = mine;
                }
                joined = flight;
            } finally {
                lock.unlock();
            }
            if (mine != null) {
                run(mine);
            }
            try {
                return joined.future().join().token();
            } catch (CompletionException e) {
                if (joined.blocking() || !(e.getCause() instanceof TokenEndpointUnavailableException)) {
                    throw rethrow(e.getCause());
                }
                // a background attempt failed transiently: try (with retries) for this caller
            }
        }
    }

    private void run(Flight flight) {
        CachedToken result = null;
        RuntimeException failure = null;
        try {
            result = fetch(flight.blocking());
        } catch (RuntimeException e) {
            failure = e;
        }
        finish(flight, result, failure);
    }

    private void finish(Flight f, CachedToken result, RuntimeException failure) {
        lock.lock();
        try {
            if (flight == f) {
                flight = null;
            }
        } finally {
            lock.unlock();
        }
        if (failure != null) {
            f.future().completeExceptionally(failure);
        } else {
            f.future().complete(result);
        }
    }

    /** Gets a new token, retrying transient failures (sleeping) when a caller waits. */
    private CachedToken fetch(boolean blocking) {
        int attempt = 0;
        while (true) {
            Instant now = renewal.clock().instant();
            if (now.isBefore(notBefore)) {
                Duration wait = Duration.between(now, notBefore);
                if (!blocking || renewal.policy().beyondMaxBackoff(wait)) {
                    throw new TokenEndpointUnavailableException("token endpoint asked to wait until " + notBefore
                            + (lastUnavailable == null ? "" : " (" + lastUnavailable.getMessage() + ")"), wait, lastUnavailable);
                }
                sleep(wait);
            }
            try {
                CachedToken c = fetchOnce();
                backgroundFailures = 0;
                notBefore = Instant.MIN;
                lastUnavailable = null;
                return c;
            } catch (TokenEndpointUnavailableException e) {
                attempt++;
                int failures = blocking ? attempt : ++backgroundFailures;
                Duration delay = renewal.policy().backoff(failures, e.retryAfter());
                lastUnavailable = e;
                notBefore = renewal.clock().instant().plus(delay);
                boolean retryAfterTooLong = e.retryAfter() != null && renewal.policy().beyondMaxBackoff(e.retryAfter());
                if (!blocking) {
                    schedule(delay);
                    throw e;
                }
                if (attempt >= renewal.policy().maxAttempts() || retryAfterTooLong) {
                    throw e;
                }
                sleep(delay);
            }
        }
    }

    private void sleep(Duration d) {
        try {
            renewal.sleeper().sleep(d);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new OAuthClientException("interrupted while waiting to retry the token request", ie);
        }
    }

    private CachedToken fetchOnce() {
        TokenEndpoint where = renewal.fetcher().endpoint();
        AccessToken token;
        String rt = refreshToken;
        if (rt != null) {
            try {
                token = renewal.fetcher().refresh(where, rt);
            } catch (ReauthenticationRequiredException e) {
                refreshToken = null;
                if (request == null) {
                    throw e;
                }
                token = renewal.fetcher().grant(where, request);
            }
        } else if (request != null) {
            token = renewal.fetcher().grant(where, request);
        } else {
            throw new ReauthenticationRequiredException("no refresh token is held and no grant is configured: sign in again", null, 0);
        }
        CachedToken c = store(token, renewal.clock().instant()); // keeps a rotated refresh token too
        if (!renewal.clock().instant().isBefore(c.deadline())) {
            cached = null;
            throw new OAuthClientException("the token endpoint issued a token that is already expired (expires_in too short)");
        }
        return c;
    }

    /** Keeps {@code token} (and a refresh token it carries), renewal due per the policy; schedules the proactive refresh. */
    CachedToken store(AccessToken token, Instant now) {
        CachedToken c = renewal.policy().cache(token, now);
        cached = c;
        if (token.refreshToken() != null) {
            refreshToken = token.refreshToken();
        }
        if (renewal.proactive() && now.isBefore(c.refreshAt())) {
            schedule(Duration.between(now, c.refreshAt()));
        }
        return c;
    }

    private void schedule(Duration delay) {
        if (renewal.closed().getAsBoolean()) {
            return;
        }
        lock.lock();
        try {
            if (scheduled != null) {
                scheduled.cancel(false);
            }
            scheduled = renewal.scheduler().schedule(() -> {
                CachedToken c = cached;
                Instant now = renewal.clock().instant();
                if (c == null || !now.isBefore(c.refreshAt())) {
                    startBackground(now);
                }
            }, delay);
        } catch (RuntimeException e) {
            scheduled = null; // the executor is shut down: callers still renew on demand
        } finally {
            lock.unlock();
        }
    }

    /** Cancels the scheduled proactive refresh. */
    void cancelScheduled() {
        lock.lock();
        try {
            if (scheduled != null) {
                scheduled.cancel(false);
            }
        } finally {
            lock.unlock();
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        return new OAuthClientException(String.valueOf(t.getMessage()), t);
    }
}
