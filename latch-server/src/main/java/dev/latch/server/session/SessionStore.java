package dev.latch.server.session;

import dev.latch.server.storage.BatchDelete;
import dev.latch.server.secret.Secrets;
import dev.latch.server.storage.Sql;
import java.time.Duration;
import java.util.Optional;

/**
 * Single sign-on sessions, stored by the digest of their cookie value. A session ends when unused for
 * the idle lifetime or at its absolute lifetime, whichever comes first (OWASP Session Management).
 */
public final class SessionStore {

    /** A new session with the cookie value that names it. */
    public record Created(String cookieValue, BrowserSession session) {}

    private final Sql sql;
    private final Duration idle;
    private final Duration absolute;

    public SessionStore(Sql sql, Duration idle, Duration absolute) {
        this.sql = sql;
        this.idle = idle;
        this.absolute = absolute;
    }

    /** Starts a session for {@code subject} who authenticated at {@code now}; always a fresh id (session fixation). */
    public Created create(String subject, long now) {
        String value = Secrets.generate(256);
        String sid = Secrets.generate(128);
        sql.update("INSERT INTO browser_sessions (id_digest, sid, subject, auth_time, last_seen, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                Secrets.digest(value), sid, subject, now, now, now + absolute.toSeconds());
        return new Created(value, new BrowserSession(sid, subject, now));
    }

    /** The live session named by {@code cookieValue}; touching it extends its idle lifetime. */
    public Optional<BrowserSession> find(String cookieValue, long now) {
        if (cookieValue == null || cookieValue.length() > 100) {
            return Optional.empty();
        }
        String digest = Secrets.digest(cookieValue);
        record Row(BrowserSession session, long lastSeen, long expiresAt) {}
        Optional<Row> row = sql.queryOne("SELECT sid, subject, auth_time, last_seen, expires_at FROM browser_sessions WHERE id_digest = ?",
                rs -> new Row(new BrowserSession(rs.getString(1), rs.getString(2), rs.getLong(3)), rs.getLong(4), rs.getLong(5)), digest);
        if (row.isEmpty()) {
            return Optional.empty();
        }
        Row r = row.get();
        if (over(r.lastSeen(), r.expiresAt(), now)) {
            sql.update("DELETE FROM browser_sessions WHERE id_digest = ?", digest);
            return Optional.empty();
        }
        if (r.lastSeen() < now) {
            sql.update("UPDATE browser_sessions SET last_seen = ? WHERE id_digest = ?", now, digest);
        }
        return Optional.of(r.session());
    }

    /**
     * True while the session {@code sid} is live (not signed out, not past its idle or absolute lifetime): what an
     * {@code online_access} refresh token needs (SMART App Launch 2.2: usable while the user remains online).
     * Unlike {@link #find} it does not touch the session: an app refreshing is not the user being active.
     */
    public boolean live(String sid, long now) {
        if (sid == null) {
            return false;
        }
        return sql.queryOne("SELECT last_seen, expires_at FROM browser_sessions WHERE sid = ?",
                rs -> !over(rs.getLong(1), rs.getLong(2), now), sid).orElse(false);
    }

    /** True when a session last seen at {@code lastSeen} is past its idle or absolute lifetime at {@code now}. */
    private boolean over(long lastSeen, long expiresAt, long now) {
        return expiresAt <= now || lastSeen + idle.toSeconds() <= now;
    }

    public void end(String cookieValue) {
        if (cookieValue != null) {
            sql.update("DELETE FROM browser_sessions WHERE id_digest = ?", Secrets.digest(cookieValue));
        }
    }

    public int purgeExpired(long now) {
        return purgeExpired(now, BatchDelete.DEFAULT);
    }

    public int purgeExpired(long now, BatchDelete delete) {
        return delete.rows(sql, "browser_sessions", "id_digest", "expires_at <= ? OR last_seen <= ?", now, now - idle.toSeconds());
    }
}
