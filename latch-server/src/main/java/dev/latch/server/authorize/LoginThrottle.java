package dev.latch.server.authorize;

import dev.latch.server.secret.Secrets;
import dev.latch.server.storage.BatchDelete;
import dev.latch.server.storage.Sql;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Brute-force defence for password logins (OWASP Authentication Cheat Sheet, "Account lockout"):
 * failures are counted per account and per client IP; past a free allowance each further failure
 * doubles the wait before the next attempt, up to a cap. Waiting instead of locking out keeps an
 * attacker from locking a victim out for long.
 *
 * <p>The counts live in the database ({@code login_failures}), so every node of a cluster sees the
 * same ones and adding nodes gives an attacker no more guesses. A failure costs one upsert (the
 * increment is done by the database, so failures on two nodes at once both count), an attempt one
 * read of two rows by primary key, a success one delete. A count lapses an hour after its last
 * failure, whether or not the expiry purge has removed its row yet.
 */
public final class LoginThrottle {

    static final int FREE_ACCOUNT_FAILURES = 3;
    static final int FREE_IP_FAILURES = 20;
    static final Duration MAX_WAIT = Duration.ofMinutes(15);
    /** How long a count is remembered after its last failure. */
    static final Duration MEMORY = Duration.ofHours(1);

    private static final String ACCOUNT = "account:";
    private static final String IP = "ip:";

    private final Sql sql;
    private final Clock clock;

    public LoginThrottle(Sql sql, Clock clock) {
        this.sql = sql;
        this.clock = clock;
    }

    /** How long the caller must still wait before trying {@code username} from {@code ip}; empty when it may try now. */
    public Optional<Duration> wait(String username, String ip) {
        long now = clock.millis();
        String account = accountKey(username);
        long until = sql.query("SELECT throttle_key, failures, last_failure FROM login_failures WHERE throttle_key IN (?, ?) AND expires_at > ?",
                        row -> row.getLong("last_failure") + delayAfter(row.getInt("failures"),
                                row.getString("throttle_key").equals(account) ? FREE_ACCOUNT_FAILURES : FREE_IP_FAILURES),
                        account, ipKey(ip), now / 1000)
                .stream().mapToLong(Long::longValue).max().orElse(0);
        return until > now ? Optional.of(Duration.ofMillis(until - now)) : Optional.empty();
    }

    /** Counts a failure against the account and the address, in one statement. */
    public void failed(String username, String ip) {
        long now = clock.millis();
        long nowSeconds = now / 1000;
        long expires = nowSeconds + MEMORY.toSeconds();
        String account = accountKey(username);
        String address = ipKey(ip);
        if (!sql.isH2()) {
            // an expired row starts again from one, as if the purge had already removed it
            sql.update("INSERT INTO login_failures (throttle_key, failures, last_failure, expires_at) VALUES (?, 1, ?, ?), (?, 1, ?, ?) "
                    + "ON CONFLICT (throttle_key) DO UPDATE SET failures = CASE WHEN login_failures.expires_at <= ? THEN 1 "
                    + "ELSE login_failures.failures + 1 END, last_failure = EXCLUDED.last_failure, expires_at = EXCLUDED.expires_at",
                    account, now, expires, address, now, expires, nowSeconds);
            return;
        }
        String merge = "MERGE INTO login_failures t USING (VALUES (CAST(? AS VARCHAR(200))), (CAST(? AS VARCHAR(200)))) s(k) "
                + "ON t.throttle_key = s.k "
                + "WHEN MATCHED THEN UPDATE SET failures = CASE WHEN t.expires_at <= ? THEN 1 ELSE t.failures + 1 END, "
                + "last_failure = ?, expires_at = ? "
                + "WHEN NOT MATCHED THEN INSERT (throttle_key, failures, last_failure, expires_at) VALUES (s.k, 1, ?, ?)";
        // of two nodes inserting the first row of a key at once one fails on the primary key; run again, it finds the row
        for (int attempt = 1; ; attempt++) {
            try {
                sql.update(merge, account, address, nowSeconds, now, expires, now, expires);
                return;
            } catch (Sql.StorageException e) {
                if (attempt >= 3 || !(e.getCause() instanceof SQLException s) || !Sql.UNIQUE_VIOLATION.equals(s.getSQLState())) {
                    throw e;
                }
            }
        }
    }

    /** A successful login clears the account's count (not the IP's: one good password must not reset a spray). */
    public void succeeded(String username) {
        sql.update("DELETE FROM login_failures WHERE throttle_key = ?", accountKey(username));
    }

    /** Forgets counts whose last failure is older than {@link #MEMORY} ({@code now} in epoch seconds). */
    public int purgeExpired(long now, BatchDelete delete) {
        return delete.rows(sql, "login_failures", "throttle_key", "expires_at <= ?", now);
    }

    /** The wait after the {@code count}th failure: none within the free allowance, then 1 s doubling up to {@link #MAX_WAIT}. */
    static long delayAfter(int count, int free) {
        if (count <= free) return 0;
        int doublings = Math.min(count - free - 1, 20);
        return Math.min(1000L << doublings, MAX_WAIT.toMillis());
    }

    private static String accountKey(String username) {
        return ACCOUNT + Secrets.digest(username == null ? "" : username.toLowerCase(Locale.ROOT));
    }

    private static String ipKey(String ip) {
        String address = ip == null ? "" : ip;
        // a socket address fits the column; anything longer is kept as a digest
        return IP + (address.length() <= 150 ? address : Secrets.digest(address));
    }
}
