package dev.latch.gateway.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.latch.gateway.config.GatewayConfig;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A token bucket per caller: {@code burst} requests at once, refilled at {@code perSecond}. Buckets of
 * callers not seen for ten minutes are forgotten; at most 100,000 are kept (a flood of new callers
 * evicts the idle ones, never the memory).
 */
public final class TokenBuckets {

    private final double perNano;
    private final double burst;
    private final LongSupplier nanoTime;
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterAccess(Duration.ofMinutes(10)).build();

    public TokenBuckets(GatewayConfig.RateLimit limit) {
        this(limit, System::nanoTime);
    }

    TokenBuckets(GatewayConfig.RateLimit limit, LongSupplier nanoTime) {
        this.perNano = limit.perSecond() / 1e9;
        this.burst = limit.burst();
        this.nanoTime = nanoTime;
    }

    /**
     * Takes one token for {@code caller}.
     *
     * @return 0 when the request may go, else the whole seconds until a token is back (for {@code Retry-After})
     */
    public long take(String caller) {
        Bucket bucket = buckets.get(caller, k -> new Bucket(burst, nanoTime.getAsLong()));
        synchronized (bucket) {
            long now = nanoTime.getAsLong();
            bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.at) * perNano);
            bucket.at = now;
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return 0;
            }
            double waitNanos = (1 - bucket.tokens) / perNano;
            return Math.max(1, (long) Math.ceil(waitNanos / 1e9));
        }
    }

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }
}
