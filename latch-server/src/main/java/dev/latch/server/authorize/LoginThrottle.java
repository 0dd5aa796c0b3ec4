package dev.latch.server.authorize;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Brute-force defence for password logins (OWASP Authentication Cheat Sheet, "Account lockout"):
 * failures are counted per account and per client IP; past a free allowance each further failure
 * doubles the wait before the next attempt, up to a cap. Waiting instead of locking out keeps an
 * attacker from locking a victim out for long. Counts are kept per node, in memory.
 */
public final class LoginThrottle {

    static final int FREE_ACCOUNT_FAILURES = 3;
    static final int FREE_IP_FAILURES = 20;
    static final Duration MAX_WAIT = Duration.ofMinutes(15);

    private record Failures(int count, long waitUntilMillis) {}

    private final Clock clock;
    private final Cache<String, Failures> failures = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterWrite(Duration.ofHours(1)).build();

    public LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /** How long the caller must still wait before trying {@code username} from {@code ip}; empty when it may try now. */
    public Optional<Duration> wait(String username, String ip) {
        long now = clock.millis();
        long until = Math.max(waitUntil(accountKey(username)), waitUntil(ipKey(ip)));
        return until > now ? Optional.of(Duration.ofMillis(until - now)) : Optional.empty();
    }

    public void failed(String username, String ip) {
        record(accountKey(username), FREE_ACCOUNT_FAILURES);
        record(ipKey(ip), FREE_IP_FAILURES);
    }

    /** A successful login clears the account's count (not the IP's: one good password must not reset a spray). */
    public void succeeded(String username) {
        failures.invalidate(accountKey(username));
    }

    private void record(String key, int free) {
        long now = clock.millis();
        failures.asMap().compute(key, (k, f) -> {
            int count = f == null ? 1 : f.count() + 1;
            long wait = 0;
            if (count > free) {
                int doublings = Math.min(count - free - 1, 20);
                wait = Math.min(1000L << doublings, MAX_WAIT.toMillis());
            }
            return new Failures(count, now + wait);
        });
    }

    private long waitUntil(String key) {
        Failures f = failures.getIfPresent(key);
        return f == null ? 0 : f.waitUntilMillis();
    }

    private static String accountKey(String username) {
        return "account:" + (username == null ? "" : username.toLowerCase(Locale.ROOT));
    }

    private static String ipKey(String ip) {
        return "ip:" + ip;
    }
}
