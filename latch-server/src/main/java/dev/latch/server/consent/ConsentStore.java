package dev.latch.server.consent;

import dev.latch.server.code.AuthorizationCodeStore;
import dev.latch.server.refresh.RefreshTokenStore;
import dev.latch.server.storage.BatchDelete;
import dev.latch.server.storage.Sql;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Consent decisions remembered per user, client and scope set (OIDC Core §3.1.2.4): a request is
 * covered when the user once approved a set holding every scope it asks for.
 */
public final class ConsentStore {

    private final Sql sql;

    public ConsentStore(Sql sql) {
        this.sql = sql;
    }

    /** True when a remembered consent, or one bound to the SSO session {@code sid}, holds every scope asked. */
    public boolean covers(String subject, String clientId, String scope, String sid) {
        Set<String> asked = scopes(scope);
        // a session-bound consent counts only in its own session: one whose session expired without a logout is dead
        for (String granted : sql.query("SELECT scope FROM consents WHERE subject = ? AND client_id = ? AND (sid IS NULL OR sid = ?)",
                rs -> rs.getString(1), subject, clientId, sid)) {
            if (scopes(granted).containsAll(asked)) {
                return true;
            }
        }
        return false;
    }

    /** Remembers a consent until revoked. */
    public void remember(String subject, String clientId, String scope, long now) {
        remember(subject, clientId, scope, now, null);
    }

    /**
     * Remembers a consent; with a {@code sid} it is session-bound: it lasts only as long as that SSO
     * session and {@link #endSession} drops it. The latest decision for a scope set wins.
     */
    public void remember(String subject, String clientId, String scope, long now, String sid) {
        String normalized = String.join(" ", scopes(scope));
        if (sql.update("UPDATE consents SET granted_at = ?, sid = ? WHERE subject = ? AND client_id = ? AND scope = ?", now, sid, subject,
                clientId, normalized) == 0) {
            sql.insertUnique("INSERT INTO consents (subject, client_id, scope, granted_at, sid) VALUES (?, ?, ?, ?, ?)", subject, clientId,
                    normalized, now, sid);
        }
    }

    /** Drops the consents bound to the SSO session {@code sid} (at logout); returns how many. */
    public int endSession(String sid) {
        return sid == null ? 0 : sql.update("DELETE FROM consents WHERE sid = ?", sid);
    }

    /** Drops session-bound consents whose session no longer exists (expired without a logout); returns how many. */
    public int purgeEnded() {
        return purgeEnded(BatchDelete.DEFAULT);
    }

    public int purgeEnded(BatchDelete delete) {
        return delete.rows(sql, "consents", "(subject, client_id, scope)",
                "sid IS NOT NULL AND sid NOT IN (SELECT sid FROM browser_sessions)");
    }

    /** One remembered consent. */
    public record Consent(String clientId, String scope, long grantedAt, boolean sessionBound) {}

    /** Every consent of {@code subject}, by client then scope. */
    public List<Consent> all(String subject) {
        return sql.query("SELECT client_id, scope, granted_at, sid FROM consents WHERE subject = ? ORDER BY client_id, scope",
                rs -> new Consent(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4) != null), subject);
    }

    /** Removes every consent of {@code subject} for {@code clientId}; returns how many. */
    public int revoke(String subject, String clientId) {
        return sql.update("DELETE FROM consents WHERE subject = ? AND client_id = ?", subject, clientId);
    }

    /** What withdrawing a user's approval of a client removed. */
    public record Withdrawn(int consents, int refreshTokenFamilies) {
        public boolean nothing() {
            return consents == 0 && refreshTokenFamilies == 0;
        }
    }

    /**
     * Withdraws what {@code subject} approved for {@code clientId}: the remembered consents, the refresh tokens (with the
     * access tokens issued under them), since those grants rest on the approval (RFC 6749 §6), and any code not yet
     * redeemed, so the client loses access at once, offline access included, and cannot start a new grant from a code
     * issued a moment before.
     */
    public Withdrawn withdraw(String subject, String clientId, RefreshTokenStore refreshTokens, AuthorizationCodeStore codes, long now) {
        int removed = revoke(subject, clientId);
        codes.expireUnredeemed(subject, clientId, now);
        return new Withdrawn(removed, refreshTokens.revokeFamilies(subject, clientId, now));
    }

    public List<String> list(String subject, String clientId) {
        return sql.query("SELECT scope FROM consents WHERE subject = ? AND client_id = ?", rs -> rs.getString(1), subject, clientId);
    }

    private static Set<String> scopes(String scope) {
        Set<String> set = new TreeSet<>();
        if (scope != null) {
            for (String s : scope.trim().split("\\s+")) {
                if (!s.isEmpty()) set.add(s);
            }
        }
        return set;
    }
}
