package dev.latch.server.replay;

import dev.latch.server.storage.Sql;

/** {@link ReplayCache} on the {@code used_jtis} table: the primary key decides the race. */
public final class JdbcReplayCache implements ReplayCache {

    private final Sql sql;

    public JdbcReplayCache(Sql sql) {
        this.sql = sql;
    }

    @Override
    public boolean firstUse(String clientId, String id, long expiresAt) {
        return sql.insertUnique("INSERT INTO used_jtis (client_id, jti, expires_at) VALUES (?, ?, ?)", clientId, id, expiresAt);
    }

    @Override
    public int purgeExpired(long now) {
        return sql.update("DELETE FROM used_jtis WHERE expires_at < ?", now);
    }
}
