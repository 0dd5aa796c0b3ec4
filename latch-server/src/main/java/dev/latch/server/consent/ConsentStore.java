package dev.latch.server.consent;

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

    public boolean covers(String subject, String clientId, String scope) {
        Set<String> asked = scopes(scope);
        for (String granted : sql.query("SELECT scope FROM consents WHERE subject = ? AND client_id = ?", rs -> rs.getString(1),
                subject, clientId)) {
            if (scopes(granted).containsAll(asked)) {
                return true;
            }
        }
        return false;
    }

    public void remember(String subject, String clientId, String scope, long now) {
        String normalized = String.join(" ", scopes(scope));
        if (sql.update("UPDATE consents SET granted_at = ? WHERE subject = ? AND client_id = ? AND scope = ?", now, subject, clientId,
                normalized) == 0) {
            sql.insertUnique("INSERT INTO consents (subject, client_id, scope, granted_at) VALUES (?, ?, ?, ?)", subject, clientId,
                    normalized, now);
        }
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
