package dev.latch.server.token;

import dev.latch.server.storage.BatchDelete;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.latch.server.secret.Secrets;
import dev.latch.server.http.Json;
import dev.latch.server.storage.Sql;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Opaque (reference) access tokens, stored only as digests, with what they stand for. */
public final class OpaqueTokenStore {

    private final Sql sql;

    public OpaqueTokenStore(Sql sql) {
        this.sql = sql;
    }

    public void save(String token, AccessToken at) {
        sql.update("INSERT INTO opaque_tokens (token_digest, jti, client_id, claims, expires_at, revoked) VALUES (?, ?, ?, ?, ?, FALSE)",
                Secrets.digest(token), at.jti(), at.clientId(), Json.write(at.claims()), at.expiresAt());
    }

    /** The token's content when it exists and is not revoked (expiry is the caller's check). */
    public Optional<AccessToken> find(String token) {
        return sql.queryOne("SELECT claims FROM opaque_tokens WHERE token_digest = ? AND revoked = FALSE",
                rs -> rs.getString(1), Secrets.digest(token)).map(OpaqueTokenStore::parse);
    }

    public boolean revoke(String token) {
        return sql.update("UPDATE opaque_tokens SET revoked = TRUE WHERE token_digest = ?", Secrets.digest(token)) == 1;
    }

    public int purgeExpired(long now) {
        return purgeExpired(now, BatchDelete.DEFAULT);
    }

    public int purgeExpired(long now, BatchDelete delete) {
        return delete.rows(sql, "opaque_tokens", "token_digest", "expires_at < ?", now);
    }

    @SuppressWarnings("unchecked")
    private static AccessToken parse(String json) {
        try {
            Map<String, Object> m = Json.MAPPER.readValue(json, new TypeReference<Map<String, Object>>() {});
            Object aud = m.get("aud");
            List<String> audience = aud instanceof List<?> l ? (List<String>) l : List.of(String.valueOf(aud));
            return new AccessToken((String) m.get("iss"), (String) m.get("sub"), audience, (String) m.get("client_id"),
                    (String) m.get("scope"), (String) m.get("jti"), ((Number) m.get("iat")).longValue(), ((Number) m.get("exp")).longValue(),
                    dev.latch.core.smart.LaunchContext.fromClaims(m), m.get("fhirUser") instanceof String fhirUser ? fhirUser : null);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored token is unreadable", e);
        }
    }
}
