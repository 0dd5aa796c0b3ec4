package dev.latch.server.refresh;

import dev.latch.server.storage.BatchDelete;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.latch.core.smart.LaunchContext;
import dev.latch.server.secret.Secrets;
import dev.latch.server.http.Json;
import dev.latch.server.storage.Sql;
import java.util.List;
import java.util.Optional;

/**
 * {@link RefreshTokenStore} on the {@code refresh_families}, {@code refresh_tokens} and
 * {@code family_access_tokens} tables.
 *
 * <p>Revoking a family and issuing an access token under it may run at once on two nodes. The
 * revocation sets {@code revoked_at} and then reads the family's access tokens; the issuance records
 * its token and then reads {@code revoked_at}. Whichever comes second sees the other's write, so
 * every access token of a revoked family reaches the deny-list.
 */
public final class JdbcRefreshTokenStore implements RefreshTokenStore {

    /** The part of a family kept as JSON. */
    record GrantData(String scope, List<String> resources, long authTime, String sessionId, List<String> amr, LaunchContext launch) {}

    private final Sql sql;
    private final AccessTokenDenyList denyList;

    public JdbcRefreshTokenStore(Sql sql, AccessTokenDenyList denyList) {
        this.sql = sql;
        this.denyList = denyList;
    }

    @Override
    public Use.Rotated start(Family family, long idleExpiresAt) {
        String familyId = Secrets.generate(128);
        Family stored = new Family(familyId, family.clientId(), family.subject(), family.scope(),
                family.resources() == null ? List.of() : List.copyOf(family.resources()), family.authTime(), family.sessionId(),
                family.amr() == null ? List.of() : List.copyOf(family.amr()), family.createdAt(), family.expiresAt(),
                family.launch() == null || family.launch().empty() ? null : family.launch());
        GrantData data = new GrantData(stored.scope(), stored.resources(), stored.authTime(), stored.sessionId(), stored.amr(),
                stored.launch());
        String token = Secrets.generate(256);
        sql.transaction(c -> {
            try (var ps = Sql.prepare(c, "INSERT INTO refresh_families (family_id, client_id, subject, grant_data, created_at, expires_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?)", familyId, stored.clientId(), stored.subject(), Json.write(data),
                    stored.createdAt(), stored.expiresAt())) {
                ps.executeUpdate();
            }
            try (var ps = Sql.prepare(c, "INSERT INTO refresh_tokens (token_digest, family_id, issued_at, expires_at) VALUES (?, ?, ?, ?)",
                    Secrets.digest(token), familyId, stored.createdAt(), Math.min(idleExpiresAt, stored.expiresAt()))) {
                ps.executeUpdate();
            }
            return null;
        });
        return new Use.Rotated(stored, token);
    }

    @Override
    public Use use(String token, String clientId, long now, long idleSeconds, java.util.function.Consumer<Family> check) {
        String digest = Secrets.digest(token);
        record Row(Family family, long expiresAt, Long rotatedAt, Long revokedAt) {}
        Optional<Row> found = sql.queryOne("SELECT f.family_id, f.client_id, f.subject, f.grant_data, f.created_at, f.expires_at, "
                + "t.expires_at AS token_expires_at, t.rotated_at, f.revoked_at FROM refresh_tokens t "
                + "JOIN refresh_families f ON f.family_id = t.family_id WHERE t.token_digest = ?", rs -> {
                    GrantData d = parse(rs.getString(4));
                    Family f = new Family(rs.getString(1), rs.getString(2), rs.getString(3), d.scope(), d.resources(), d.authTime(),
                            d.sessionId(), d.amr(), rs.getLong(5), rs.getLong(6), d.launch());
                    return new Row(f, rs.getLong(7), Sql.nullableLong(rs, "rotated_at"), Sql.nullableLong(rs, "revoked_at"));
                }, digest);
        if (found.isEmpty()) {
            return new Use.Invalid();
        }
        Row row = found.get();
        Family family = row.family();
        // another client holding this token learns nothing and changes nothing
        if (!family.clientId().equals(clientId) || row.revokedAt() != null) {
            return new Use.Invalid();
        }
        if (row.rotatedAt() != null) {
            revokeFamily(family.familyId(), now);
            return new Use.Reused(family);
        }
        if (now >= row.expiresAt() || now >= family.expiresAt()) {
            return new Use.Invalid();
        }
        check.accept(family);
        String next = Secrets.generate(256);
        boolean won = sql.transaction(c -> {
            try (var ps = Sql.prepare(c, "UPDATE refresh_tokens SET rotated_at = ? WHERE token_digest = ? AND rotated_at IS NULL", now, digest)) {
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            try (var ps = Sql.prepare(c, "INSERT INTO refresh_tokens (token_digest, family_id, issued_at, expires_at) VALUES (?, ?, ?, ?)",
                    Secrets.digest(next), family.familyId(), now, Math.min(now + idleSeconds, family.expiresAt()))) {
                ps.executeUpdate();
            }
            return true;
        });
        if (!won) {
            // a concurrent use rotated it first: this is a second use of the same token
            revokeFamily(family.familyId(), now);
            return new Use.Reused(family);
        }
        // a revocation racing with this rotation is not lost: the family flag is checked on every use
        return new Use.Rotated(family, next);
    }

    @Override
    public void recordAccessToken(String familyId, String clientId, String jti, long expiresAt) {
        sql.update("INSERT INTO family_access_tokens (jti, family_id, client_id, expires_at) VALUES (?, ?, ?, ?)",
                jti, familyId, clientId, expiresAt);
        boolean revoked = sql.queryOne("SELECT revoked_at FROM refresh_families WHERE family_id = ?",
                rs -> rs.getObject(1) != null, familyId).orElse(true);
        if (revoked) {
            denyList.deny(jti, clientId, expiresAt);
        }
    }

    @Override
    public Optional<String> clientOf(String token) {
        return sql.queryOne("SELECT f.client_id FROM refresh_tokens t JOIN refresh_families f ON f.family_id = t.family_id "
                + "WHERE t.token_digest = ?", rs -> rs.getString(1), Secrets.digest(token));
    }

    @Override
    public boolean revoke(String token, String clientId, long now) {
        Optional<String> familyId = sql.queryOne("SELECT f.family_id FROM refresh_tokens t JOIN refresh_families f "
                + "ON f.family_id = t.family_id WHERE t.token_digest = ? AND f.client_id = ?", rs -> rs.getString(1),
                Secrets.digest(token), clientId);
        if (familyId.isEmpty()) {
            return false;
        }
        boolean revoked = sql.update("UPDATE refresh_families SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL",
                now, familyId.get()) == 1;
        denyAccessTokens(familyId.get(), now);
        return revoked;
    }

    @Override
    public void revokeFamily(String familyId, long now) {
        sql.update("UPDATE refresh_families SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL", now, familyId);
        denyAccessTokens(familyId, now);
    }

    @Override
    public int revokeFamilies(String subject, String clientId, long now) {
        List<String> families = sql.query("SELECT family_id FROM refresh_families WHERE subject = ? AND client_id = ? AND revoked_at IS NULL",
                rs -> rs.getString(1), subject, clientId);
        int revoked = sql.update("UPDATE refresh_families SET revoked_at = ? WHERE subject = ? AND client_id = ? AND revoked_at IS NULL",
                now, subject, clientId);
        for (String familyId : families) {
            denyAccessTokens(familyId, now);
        }
        return revoked;
    }

    @Override
    public List<String> clientsWithLiveFamilies(String subject, long now) {
        return sql.query("SELECT DISTINCT f.client_id FROM refresh_families f WHERE f.subject = ? AND f.revoked_at IS NULL AND f.expires_at > ? "
                + "AND EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.family_id = f.family_id AND t.rotated_at IS NULL AND t.expires_at > ?) "
                + "ORDER BY f.client_id", rs -> rs.getString(1), subject, now, now);
    }

    /** Puts the family's unexpired access tokens on the deny-list (again, for those already there: it is idempotent). */
    private void denyAccessTokens(String familyId, long now) {
        record Issued(String jti, String clientId, long expiresAt) {}
        for (Issued at : sql.query("SELECT jti, client_id, expires_at FROM family_access_tokens WHERE family_id = ? AND expires_at > ?",
                rs -> new Issued(rs.getString(1), rs.getString(2), rs.getLong(3)), familyId, now)) {
            denyList.deny(at.jti(), at.clientId(), at.expiresAt());
        }
    }

    @Override
    public int purgeExpired(long now, BatchDelete delete) {
        delete.rows(sql, "family_access_tokens", "jti", "expires_at < ?", now);
        // refresh_families.expires_at is the family's absolute deadline (no token of it outlives it: a
        // token's idle deadline is capped there). A family past it goes with all its tokens, rotated or
        // not, whatever their own deadlines; tokens first, in batches, so the cascade has nothing left.
        delete.rows(sql, "refresh_tokens", "token_digest",
                "family_id IN (SELECT family_id FROM refresh_families WHERE expires_at < ?)", now);
        return delete.rows(sql, "refresh_families", "family_id", "expires_at < ?", now);
    }

    private static GrantData parse(String json) {
        try {
            return Json.MAPPER.readValue(json, GrantData.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored refresh-token family is unreadable", e);
        }
    }
}
