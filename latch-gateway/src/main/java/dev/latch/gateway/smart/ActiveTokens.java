package dev.latch.gateway.smart;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.latch.resource.AccessTokenValidator;
import dev.latch.resource.TokenRejectedException;
import java.time.Duration;

/**
 * Refuses tokens revoked at the issuer: the gateway validates JWTs locally and cannot see the issuer's
 * revocations (RFC 7009), so a smart route asks the issuer by RFC 7662 introspection whether each token is
 * still active. Answers are kept {@code cache} long (0: never, every request asks), by the token's SHA-256,
 * never the token itself; while one request asks about a token, the others with that token wait for its
 * answer instead of asking too (single flight: an expired entry costs one introspection, not one per
 * request in flight). An issuer that cannot be reached refuses the request (503): fail closed.
 */
final class ActiveTokens {

    private final AccessTokenValidator validator;
    private final Cache<String, Boolean> answers;
    /** The introspection in flight per token digest (only with a cache). */
    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.CompletableFuture<Boolean>> asking =
            new java.util.concurrent.ConcurrentHashMap<>();

    ActiveTokens(AccessTokenValidator validator, Duration cache) {
        this.validator = validator;
        this.answers = cache.isPositive()
                ? Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(cache).build()
                : null;
    }

    /** @throws TokenRejectedException INACTIVE when revoked or expired at the issuer; ISSUER_UNAVAILABLE when it cannot say */
    void require(String token) {
        if (answers == null) {
            validator.requireActive(token);
            return;
        }
        String key = dev.latch.core.crypto.Digests.sha256Hex(token);
        Boolean active = answers.getIfPresent(key);
        if (active == null) {
            active = askOnce(key, token);
        }
        if (!active) {
            throw new TokenRejectedException(TokenRejectedException.Reason.INACTIVE, "the token is not active",
                    "introspection: active false (kept)", null);
        }
    }

    /** Asks the issuer, or waits for the request already asking about this token; an inactive answer is kept too. */
    private boolean askOnce(String key, String token) {
        java.util.concurrent.CompletableFuture<Boolean> mine = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<Boolean> running = asking.putIfAbsent(key, mine);
        if (running != null) {
            try {
                return running.join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof TokenRejectedException refused) throw refused;
                throw e;
            }
        }
        try {
            // a flight that ended between this request's cache miss and its putIfAbsent left its answer in the cache
            Boolean known = answers.getIfPresent(key);
            if (known != null) {
                mine.complete(known);
                return known;
            }
            try {
                validator.requireActive(token);
            } catch (TokenRejectedException e) {
                if (e.reason() == TokenRejectedException.Reason.INACTIVE) {
                    answers.put(key, Boolean.FALSE);
                    mine.complete(Boolean.FALSE);
                }
                throw e;
            }
            // kept before the waiters are released and the flight ends, so no request falls between the two
            answers.put(key, Boolean.TRUE);
            mine.complete(Boolean.TRUE);
            return true;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            asking.remove(key, mine);
        }
    }
}
