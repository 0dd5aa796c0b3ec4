package dev.latch.server.par;

import dev.latch.server.storage.BatchDelete;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.latch.server.secret.Secrets;
import dev.latch.server.http.Json;
import dev.latch.server.storage.Sql;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pushed authorization requests (RFC 9126 §2.2, §4): request URIs of 256 random bits, stored only as
 * digests, valid at most 60 s, bound to the client that pushed them and usable once.
 */
public final class PushedRequestStore {

    public static final String PREFIX = "urn:ietf:params:oauth:request_uri:";
    public static final long LIFETIME_SECONDS = 60;
    private static final TypeReference<Map<String, List<String>>> PARAMETERS = new TypeReference<>() {};

    private final Sql sql;

    public PushedRequestStore(Sql sql) {
        this.sql = sql;
    }

    /** @return the request URI */
    public String push(String clientId, Map<String, List<String>> parameters, long now) {
        String uri = PREFIX + Secrets.generate(256);
        sql.update("INSERT INTO pushed_requests (uri_digest, client_id, parameters, expires_at, used_at) VALUES (?, ?, ?, ?, NULL)",
                Secrets.digest(uri), clientId, Json.write(parameters), now + LIFETIME_SECONDS);
        return uri;
    }

    /** The parameters behind {@code requestUri} if it is live, unused and {@code clientId}'s; it is used up by this call. */
    public Optional<Map<String, List<String>>> redeem(String requestUri, String clientId, long now) {
        if (requestUri == null || clientId == null || !requestUri.startsWith(PREFIX) || requestUri.length() > 200) {
            return Optional.empty();
        }
        String digest = Secrets.digest(requestUri);
        record Row(String clientId, String parameters, long expiresAt) {}
        Optional<Row> row = sql.queryOne("SELECT client_id, parameters, expires_at FROM pushed_requests WHERE uri_digest = ? AND used_at IS NULL",
                rs -> new Row(rs.getString(1), rs.getString(2), rs.getLong(3)), digest);
        if (row.isEmpty() || !row.get().clientId().equals(clientId) || row.get().expiresAt() <= now) {
            return Optional.empty();
        }
        if (sql.update("UPDATE pushed_requests SET used_at = ? WHERE uri_digest = ? AND used_at IS NULL", now, digest) != 1) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.MAPPER.readValue(row.get().parameters(), PARAMETERS));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored pushed request is unreadable", e);
        }
    }

    public int purgeExpired(long now) {
        return purgeExpired(now, BatchDelete.DEFAULT);
    }

    public int purgeExpired(long now, BatchDelete delete) {
        return delete.rows(sql, "pushed_requests", "uri_digest", "expires_at <= ?", now - LIFETIME_SECONDS);
    }
}
