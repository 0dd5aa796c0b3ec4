package dev.latch.server.code;

import dev.latch.server.storage.BatchDelete;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.latch.server.secret.Secrets;
import dev.latch.server.http.Json;
import dev.latch.server.storage.Sql;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** {@link AuthorizationCodeStore} on the {@code authorization_codes} table. */
public final class JdbcAuthorizationCodeStore implements AuthorizationCodeStore {

    /** Redeemed codes are kept this long past expiry so that a late replay is still recognised. */
    static final long REPLAY_MEMORY_SECONDS = 24 * 3600;

    private final Sql sql;

    public JdbcAuthorizationCodeStore(Sql sql) {
        this.sql = sql;
    }

    @Override
    public String issue(ApprovedAuthorization grant, long expiresAt) {
        String code = Secrets.generate(256);
        sql.update("INSERT INTO authorization_codes (code_digest, client_id, grant_data, expires_at) VALUES (?, ?, ?, ?)",
                Secrets.digest(code), grant.clientId(), Json.write(grant), expiresAt);
        return code;
    }

    @Override
    public Redemption redeem(String code, long now) {
        String digest = Secrets.digest(code);
        record Row(ApprovedAuthorization grant, long expiresAt, Long redeemedAt, String jtis, String family) {}
        Optional<Row> row = sql.queryOne("SELECT grant_data, expires_at, redeemed_at, issued_jtis, refresh_family "
                + "FROM authorization_codes WHERE code_digest = ?", rs -> new Row(parse(rs.getString(1)), rs.getLong(2),
                Sql.nullableLong(rs, "redeemed_at"), rs.getString(4), rs.getString(5)), digest);
        if (row.isEmpty()) {
            return new Redemption.Invalid();
        }
        Row r = row.get();
        if (r.redeemedAt() == null && r.expiresAt() > now
                && sql.update("UPDATE authorization_codes SET redeemed_at = ? WHERE code_digest = ? AND redeemed_at IS NULL AND expires_at > ?",
                now, digest, now) == 1) {
            return new Redemption.Redeemed(r.grant());
        }
        if (r.redeemedAt() == null && r.expiresAt() <= now) {
            return new Redemption.Invalid();
        }
        // used before (possibly a moment ago by a concurrent request): read what that use recorded
        Row latest = sql.queryOne("SELECT grant_data, expires_at, redeemed_at, issued_jtis, refresh_family "
                + "FROM authorization_codes WHERE code_digest = ?", rs -> new Row(parse(rs.getString(1)), rs.getLong(2),
                Sql.nullableLong(rs, "redeemed_at"), rs.getString(4), rs.getString(5)), digest).orElse(r);
        if (latest.redeemedAt() == null) {
            return new Redemption.Invalid(); // ended a moment ago (expireUnredeemed), never used
        }
        List<String> jtis = latest.jtis() == null || latest.jtis().isEmpty() ? List.of() : Arrays.asList(latest.jtis().split(" "));
        return new Redemption.Replayed(latest.grant(), jtis, latest.family());
    }

    @Override
    public void recordIssued(String code, List<String> accessTokenJtis, String refreshFamily) {
        sql.update("UPDATE authorization_codes SET issued_jtis = ?, refresh_family = ? WHERE code_digest = ?",
                String.join(" ", accessTokenJtis), refreshFamily, Secrets.digest(code));
    }

    @Override
    public int purgeExpired(long now, BatchDelete delete) {
        return delete.rows(sql, "authorization_codes", "code_digest", "expires_at < ?", now - REPLAY_MEMORY_SECONDS);
    }

    @Override
    public Optional<ApprovedAuthorization> peek(String code) {
        return sql.queryOne("SELECT grant_data FROM authorization_codes WHERE code_digest = ?", rs -> parse(rs.getString(1)),
                Secrets.digest(code));
    }

    @Override
    public int expireUnredeemed(String subject, String clientId, long now) {
        record Live(String digest, ApprovedAuthorization grant) {}
        int ended = 0;
        for (Live live : sql.query("SELECT code_digest, grant_data FROM authorization_codes WHERE client_id = ? AND redeemed_at IS NULL "
                + "AND expires_at > ?", rs -> new Live(rs.getString(1), parse(rs.getString(2))), clientId, now)) {
            if (subject.equals(live.grant().subject())) {
                ended += sql.update("UPDATE authorization_codes SET expires_at = ? WHERE code_digest = ? AND redeemed_at IS NULL", now,
                        live.digest());
            }
        }
        return ended;
    }

    private static ApprovedAuthorization parse(String json) {
        try {
            return Json.MAPPER.readValue(json, ApprovedAuthorization.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored authorization code is unreadable", e);
        }
    }
}
