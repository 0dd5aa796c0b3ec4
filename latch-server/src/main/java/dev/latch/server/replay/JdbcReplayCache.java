package dev.latch.server.replay;

import dev.latch.server.storage.BatchDelete;
import dev.latch.server.secret.Secrets;
import dev.latch.server.storage.Sql;

/**
 * {@link ReplayCache} on the {@code used_jtis} table: the primary key decides the race, so of two
 * concurrent uses on any nodes sharing the database exactly one insert succeeds.
 */
public final class JdbcReplayCache implements ReplayCache {

    /** Width of {@code used_jtis.jti}; RFC 7519 sets no limit on {@code jti}, so longer ones are kept as digests. */
    static final int MAX_STORED_LENGTH = 512;

    private final Sql sql;

    public JdbcReplayCache(Sql sql) {
        this.sql = sql;
    }

    @Override
    public boolean firstUse(String clientId, String id, long expiresAt) {
        return sql.insertUnique("INSERT INTO used_jtis (client_id, jti, expires_at) VALUES (?, ?, ?)", clientId, stored(id), expiresAt);
    }

    @Override
    public int purgeExpired(long now, BatchDelete delete) {
        return delete.rows(sql, "used_jtis", "(client_id, jti)", "expires_at < ?", now);
    }

    /** The id as stored: itself when it fits the column, else its SHA-256 digest (equal ids, equal digests). */
    private static String stored(String id) {
        return id.length() <= MAX_STORED_LENGTH ? id : Secrets.digest(id);
    }
}
