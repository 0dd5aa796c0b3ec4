package dev.latch.server.session;

import dev.latch.server.storage.BatchDelete;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.latch.core.smart.LaunchContext;
import dev.latch.server.secret.Secrets;
import dev.latch.server.http.Json;
import dev.latch.server.storage.Sql;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Authorization requests in flight, stored server-side and bound to the pre-login browser cookie so
 * that another browser cannot finish them. Each form shown for an interaction carries a fresh CSRF
 * token (OWASP CSRF Prevention: synchroniser token); presenting it consumes it, so a replayed form fails.
 */
public final class InteractionStore {

    /** Ten minutes to sign in and approve. */
    public static final long LIFETIME_SECONDS = 600;
    private static final TypeReference<Map<String, List<String>>> PARAMETERS = new TypeReference<>() {};

    private final Sql sql;

    public InteractionStore(Sql sql) {
        this.sql = sql;
    }

    /** @return the new interaction's id (plaintext, for the form) */
    public String create(String browser, Map<String, List<String>> parameters, boolean pushed, long now) {
        String id = Secrets.generate(192);
        sql.update("INSERT INTO interactions (id_digest, browser_digest, csrf_digest, parameters, pushed, subject, expires_at) "
                + "VALUES (?, ?, ?, ?, ?, NULL, ?)", Secrets.digest(id), Secrets.digest(browser), Secrets.digest(Secrets.generate(128)),
                Json.write(parameters), pushed, now + LIFETIME_SECONDS);
        return id;
    }

    /** A fresh CSRF token for the next form of {@code id}; the previous one stops working. */
    public String newCsrfToken(String id) {
        String token = Secrets.generate(192);
        sql.update("UPDATE interactions SET csrf_digest = ? WHERE id_digest = ?", Secrets.digest(token), Secrets.digest(id));
        return token;
    }

    /**
     * The interaction {@code id} if it belongs to {@code browser}, is live and {@code csrf} is its current
     * token; the token is consumed (a second use of the same form finds nothing).
     */
    public Optional<Interaction> claim(String id, String browser, String csrf, long now) {
        if (id == null || browser == null || csrf == null || id.length() > 100 || csrf.length() > 100) {
            return Optional.empty();
        }
        String digest = Secrets.digest(id);
        record Row(Interaction interaction, String browserDigest, String csrfDigest, long expiresAt) {}
        Optional<Row> row = sql.queryOne("SELECT parameters, pushed, subject, browser_digest, csrf_digest, expires_at, launch_context "
                        + "FROM interactions WHERE id_digest = ?",
                rs -> new Row(new Interaction(id, parse(rs.getString(1)), rs.getBoolean(2), rs.getString(3), launch(rs.getString(7))),
                        rs.getString(4), rs.getString(5), rs.getLong(6)), digest);
        if (row.isEmpty() || row.get().expiresAt() <= now || !Secrets.matches(browser, row.get().browserDigest())
                || !Secrets.matches(csrf, row.get().csrfDigest())) {
            return Optional.empty();
        }
        // consume the token: of two concurrent submissions of one form only one passes
        String spent = Secrets.digest(Secrets.generate(128));
        if (sql.update("UPDATE interactions SET csrf_digest = ? WHERE id_digest = ? AND csrf_digest = ?", spent, digest,
                row.get().csrfDigest()) != 1) {
            return Optional.empty();
        }
        return Optional.of(row.get().interaction());
    }

    public void signedIn(String id, String subject) {
        sql.update("UPDATE interactions SET subject = ? WHERE id_digest = ?", subject, Secrets.digest(id));
    }

    /** Keeps the launch context the user chose (the patient picker) with the request until the code is issued. */
    public void chose(String id, LaunchContext launch) {
        sql.update("UPDATE interactions SET launch_context = ? WHERE id_digest = ?", Json.write(launch), Secrets.digest(id));
    }

    public void finish(String id) {
        sql.update("DELETE FROM interactions WHERE id_digest = ?", Secrets.digest(id));
    }

    public int purgeExpired(long now) {
        return purgeExpired(now, BatchDelete.DEFAULT);
    }

    public int purgeExpired(long now, BatchDelete delete) {
        return delete.rows(sql, "interactions", "id_digest", "expires_at <= ?", now);
    }

    private static LaunchContext launch(String json) {
        if (json == null) return null;
        try {
            return Json.MAPPER.readValue(json, LaunchContext.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored interaction is unreadable", e);
        }
    }

    private static Map<String, List<String>> parse(String json) {
        try {
            return Json.MAPPER.readValue(json, PARAMETERS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored interaction is unreadable", e);
        }
    }
}
