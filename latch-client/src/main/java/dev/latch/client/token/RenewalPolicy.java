package dev.latch.client.token;

import java.time.Duration;
import java.time.Instant;
import java.util.function.DoubleSupplier;

/**
 * When a {@link CachingTokenSource} renews a token and how it retries a failed renewal (the rules its
 * class comment states): {@code deadline = E − min(skew, L/2)}, {@code refreshAt = deadline −
 * min(refreshMargin, L/10)}; exponential back-off with equal jitter, capped, never below
 * {@code Retry-After}.
 */
record RenewalPolicy(Duration skew, Duration refreshMargin, Duration defaultLifetime, Duration baseBackoff, Duration maxBackoff,
                     int maxAttempts, DoubleSupplier random) {

    /** {@code token} received at {@code now}, with the instants it is due for renewal and no longer handed out. */
    CachedToken cache(AccessToken token, Instant now) {
        Instant expiry = expiryOf(token, now);
        Duration lifetime = Duration.between(now, expiry);
        if (lifetime.isNegative()) {
            lifetime = Duration.ZERO;
        }
        Instant deadline = expiry.minus(min(skew, lifetime.dividedBy(2)));
        Instant refreshAt = deadline.minus(min(refreshMargin, lifetime.dividedBy(10)));
        return new CachedToken(token, refreshAt, deadline);
    }

    /** When the token expires: {@code expires_in}; else a JWT's {@code exp}; else the default lifetime. */
    private Instant expiryOf(AccessToken token, Instant now) {
        if (token.expiresAt() != null) {
            return token.expiresAt();
        }
        try {
            var exp = dev.latch.core.jose.JwtParsing.jwt(token.value()).getJWTClaimsSet().getExpirationTime();
            if (exp != null) {
                return exp.toInstant();
            }
        } catch (java.text.ParseException notAJwt) {
            // opaque token
        }
        return now.plus(defaultLifetime);
    }

    /** Exponential with equal jitter, capped, never below {@code Retry-After}. */
    Duration backoff(int failures, Duration retryAfter) {
        long base = baseBackoff.toMillis() << Math.min(failures - 1, 20);
        long capped = Math.min(base, maxBackoff.toMillis());
        long jittered = capped / 2 + (long) (random.getAsDouble() * (capped / 2.0));
        Duration d = Duration.ofMillis(jittered);
        return retryAfter != null && retryAfter.compareTo(d) > 0 ? retryAfter : d;
    }

    /** True for a wait longer than the back-off cap: thrown to the caller at once rather than slept through. */
    boolean beyondMaxBackoff(Duration wait) {
        return wait.compareTo(maxBackoff) > 0;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
