package dev.latch.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.purge.Janitor;
import dev.latch.server.storage.Sql;
import dev.latch.server.storage.TestDatabase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The expiry purge on a real database: tens of thousands of expired rows across every table the
 * purge serves, beside live ones; one run removes every expired row and no live one, never more than
 * a batch per statement, and counts what it removed by table in {@code latch_purged_rows_total}.
 * Written once, run on H2 and on PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
abstract class PurgeContract {

    static final int MANY = 20_000;
    static final int SOME = 1_500;
    static final int LIVE = 40;

    TestDatabase db;
    TestServer server;
    Sql sql;

    abstract TestDatabase createDatabase();

    @BeforeAll
    void start() {
        db = createDatabase();
        Map<String, String> settings = new HashMap<>(db.settings());
        settings.put("database.purge-interval", "1d"); // no purge in the background: the test runs it
        server = TestServer.start(settings);
        sql = server.sql();
    }

    @AfterAll
    void stop() {
        try {
            if (server != null) server.close();
        } finally {
            if (db != null) db.close();
        }
    }

    @Test
    void everyExpiredRowGoesInBoundedBatchesEveryLiveRowStaysAndTheRowsAreCounted() {
        long now = Instant.now().getEpochSecond();
        long past = now - 3 * 86_400; // past every grace period (codes are remembered a day after they expire)
        long future = now + 3 * 86_400;

        insert("INSERT INTO opaque_tokens (token_digest, jti, client_id, claims, expires_at) VALUES (?, ?, 'c', '{}', ?)", MANY + LIVE,
                i -> new Object[] {"ot" + i, "j" + i, i < MANY ? past : future});
        insert("INSERT INTO used_jtis (client_id, jti, expires_at) VALUES (?, ?, ?)", SOME + LIVE,
                i -> new Object[] {"c" + (i % 7), "jti" + i, i < SOME ? past : future});
        insert("INSERT INTO revoked_tokens (jti, client_id, expires_at) VALUES (?, 'c', ?)", SOME + LIVE,
                i -> new Object[] {"rv" + i, i < SOME ? past : future});
        insert("INSERT INTO authorization_codes (code_digest, client_id, grant_data, expires_at) VALUES (?, 'c', '{}', ?)", SOME + LIVE,
                i -> new Object[] {"ac" + i, i < SOME ? past : future});
        // sessions end at their absolute deadline or when idle (30 minutes by default): both kinds expire here
        insert("INSERT INTO browser_sessions (id_digest, sid, subject, auth_time, last_seen, expires_at) VALUES (?, ?, 's', ?, ?, ?)",
                SOME + LIVE, i -> new Object[] {"bs" + i, "sid" + i, past, i < SOME && i % 2 == 0 ? past : now,
                        i < SOME && i % 2 == 1 ? past : future});
        // consents bound to an ended session go; those of live sessions and those bound to none stay
        insert("INSERT INTO consents (subject, client_id, scope, granted_at, sid) VALUES ('s', 'c', ?, ?, ?)", SOME + 2 * LIVE,
                i -> new Object[] {"scope" + i, past, i < SOME + LIVE ? "sid" + i : null});
        insert("INSERT INTO interactions (id_digest, browser_digest, csrf_digest, parameters, pushed, expires_at) "
                + "VALUES (?, 'b', 'x', '{}', FALSE, ?)", SOME + LIVE, i -> new Object[] {"in" + i, i < SOME ? past : future});
        insert("INSERT INTO pushed_requests (uri_digest, client_id, parameters, expires_at) VALUES (?, 'c', '{}', ?)", SOME + LIVE,
                i -> new Object[] {"pr" + i, i < SOME ? past : future});
        insert("INSERT INTO smart_launches (launch_digest, client_id, iss, context, created_at, expires_at) VALUES (?, 'c', 'https://f', '{}', ?, ?)",
                SOME + LIVE, i -> new Object[] {"sl" + i, past, i < SOME ? past : future});
        // families past their absolute deadline go with every token, even one whose idle deadline is later;
        // a live family keeps its tokens, even a rotated one whose idle deadline passed (reuse detection needs it)
        insert("INSERT INTO refresh_families (family_id, client_id, subject, grant_data, created_at, expires_at) VALUES (?, 'c', 's', '{}', ?, ?)",
                SOME + LIVE, i -> new Object[] {"rf" + i, past, i < SOME ? past : future});
        insert("INSERT INTO refresh_tokens (token_digest, family_id, issued_at, expires_at, rotated_at) VALUES (?, ?, ?, ?, ?)",
                2 * (SOME + LIVE), i -> new Object[] {"rt" + i, "rf" + (i / 2), past, i % 2 == 0 ? past : future, i % 2 == 0 ? past : null});
        insert("INSERT INTO family_access_tokens (jti, family_id, client_id, expires_at) VALUES (?, ?, 'c', ?)", SOME + LIVE,
                i -> new Object[] {"fa" + i, "rf" + i, i < SOME ? past : future});
        insert("INSERT INTO login_failures (throttle_key, failures, last_failure, expires_at) VALUES (?, 5, ?, ?)", SOME + LIVE,
                i -> new Object[] {"ip:10.0." + i / 256 + "." + i % 256, past * 1000, i < SOME ? past : future});

        Map<String, List<Integer>> batches = new HashMap<>();
        server.server().janitor().observe((table, rows) -> batches.computeIfAbsent(table, t -> new ArrayList<>()).add(rows));

        Janitor.Outcome outcome = server.server().purgeExpired();

        assertThat(outcome.purged()).isTrue();
        Map<String, Long> expected = new HashMap<>();
        expected.put("opaque_tokens", (long) MANY);
        for (String t : List.of("used_jtis", "revoked_tokens", "authorization_codes", "browser_sessions", "consents", "interactions",
                "pushed_requests", "smart_launches", "refresh_families", "family_access_tokens", "login_failures")) {
            expected.put(t, (long) SOME);
        }
        expected.put("refresh_tokens", 2L * SOME);
        assertThat(outcome.rows()).isEqualTo(expected);

        // what stays is exactly the live rows
        Map<String, Long> left = new HashMap<>();
        for (String t : expected.keySet()) left.put(t, count("SELECT COUNT(*) FROM " + t));
        Map<String, Long> live = new HashMap<>();
        for (String t : expected.keySet()) live.put(t, (long) LIVE);
        live.put("consents", 2L * LIVE);
        live.put("refresh_tokens", 2L * LIVE);
        assertThat(left).isEqualTo(live);
        assertThat(count("SELECT COUNT(*) FROM opaque_tokens WHERE expires_at < " + now)).isZero();
        assertThat(count("SELECT COUNT(*) FROM refresh_tokens WHERE family_id IN (SELECT family_id FROM refresh_families)"))
                .isEqualTo(2L * LIVE);
        assertThat(count("SELECT COUNT(*) FROM consents WHERE sid IS NULL")).isEqualTo(LIVE);

        // bounded: no statement removed more than a batch; 20 000 rows took 20 full batches and one that found none
        int size = server.server().janitor().batchSize();
        assertThat(size).isEqualTo(1000);
        batches.forEach((table, rows) -> assertThat(rows).as(table).allMatch(n -> n <= size));
        assertThat(batches.get("opaque_tokens")).hasSize(MANY / size + 1).endsWith(0);
        assertThat(batches.get("used_jtis")).containsExactly(1000, 500);

        // counted by table
        String metrics = server.server().metrics().scrape();
        assertThat(purgedMetric(metrics, "opaque_tokens")).isEqualTo(MANY);
        assertThat(purgedMetric(metrics, "refresh_tokens")).isEqualTo(2.0 * SOME);
        assertThat(purgedMetric(metrics, "consents")).isEqualTo(SOME);

        // the same node does not purge again within the interval: it holds the lease and it has not run out
        assertThat(server.server().purgeExpired().purged()).isFalse();
    }

    static double purgedMetric(String scrape, String table) {
        Matcher m = Pattern.compile("(?m)^latch_purged_rows_total\\{table=\"" + table + "\",?} (\\S+)$").matcher(scrape);
        assertThat(m.find()).as("latch_purged_rows_total for " + table + " in\n" + scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }

    long count(String query) {
        return sql.queryOne(query, rs -> rs.getLong(1)).orElseThrow();
    }

    /** {@code n} rows in one transaction, sent a thousand at a time. */
    void insert(String statement, int n, IntFunction<Object[]> row) {
        sql.transaction(c -> {
            try (var ps = c.prepareStatement(statement)) {
                for (int i = 0; i < n; i++) {
                    Object[] args = row.apply(i);
                    for (int a = 0; a < args.length; a++) ps.setObject(a + 1, args[a]);
                    ps.addBatch();
                    if (i % 1000 == 999) ps.executeBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }
}
