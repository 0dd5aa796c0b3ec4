package dev.latch.server.token;

import dev.latch.server.storage.BatchDelete;
import dev.latch.server.storage.Sql;

/**
 * The deny-list of revoked JWT access tokens, by {@code jti}, kept until the token would have
 * expired anyway (a self-contained token cannot be recalled otherwise).
 */
public final class RevokedTokens {

    private final Sql sql;

    public RevokedTokens(Sql sql) {
        this.sql = sql;
    }

    public void revoke(String jti, String clientId, long expiresAt) {
        sql.insertUnique("INSERT INTO revoked_tokens (jti, client_id, expires_at) VALUES (?, ?, ?)", jti, clientId, expiresAt);
    }

    public boolean isRevoked(String jti) {
        return sql.queryOne("SELECT jti FROM revoked_tokens WHERE jti = ?", rs -> rs.getString(1), jti).isPresent();
    }

    public int purgeExpired(long now) {
        return purgeExpired(now, BatchDelete.DEFAULT);
    }

    public int purgeExpired(long now, BatchDelete delete) {
        return delete.rows(sql, "revoked_tokens", "jti", "expires_at < ?", now);
    }
}
