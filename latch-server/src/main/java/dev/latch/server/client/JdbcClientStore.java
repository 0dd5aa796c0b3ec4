package dev.latch.server.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.latch.server.http.Json;
import dev.latch.server.storage.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** {@link ClientStore} on the {@code clients} table: the metadata is one JSON document. */
public final class JdbcClientStore implements ClientStore {

    private final Sql sql;

    public JdbcClientStore(Sql sql) {
        this.sql = sql;
    }

    @Override
    public Optional<StoredClient> find(String clientId) {
        return sql.queryOne("SELECT * FROM clients WHERE client_id = ?", JdbcClientStore::map, clientId);
    }

    @Override
    public List<StoredClient> list() {
        return sql.query("SELECT * FROM clients ORDER BY client_id", JdbcClientStore::map);
    }

    @Override
    public boolean insert(StoredClient c) {
        return sql.insertUnique("INSERT INTO clients (client_id, metadata, secret_digest, secret_encrypted, registration_token_digest, created_at, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?)",
                c.clientId(), Json.write(c.client()), c.secretDigest(), c.secretEncrypted(), c.registrationTokenDigest(),
                c.createdAt(), c.updatedAt());
    }

    @Override
    public boolean update(StoredClient c) {
        return sql.update("UPDATE clients SET metadata = ?, secret_digest = ?, secret_encrypted = ?, registration_token_digest = ?, updated_at = ? "
                        + "WHERE client_id = ?",
                Json.write(c.client()), c.secretDigest(), c.secretEncrypted(), c.registrationTokenDigest(), c.updatedAt(), c.clientId()) == 1;
    }

    @Override
    public boolean delete(String clientId) {
        return sql.update("DELETE FROM clients WHERE client_id = ?", clientId) == 1;
    }

    private static StoredClient map(ResultSet rs) throws SQLException {
        try {
            Client client = Json.MAPPER.readValue(rs.getString("metadata"), Client.class);
            return new StoredClient(client, rs.getString("secret_digest"), rs.getString("secret_encrypted"),
                    rs.getString("registration_token_digest"), rs.getLong("created_at"), rs.getLong("updated_at"));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored client " + rs.getString("client_id") + " is unreadable", e);
        }
    }
}
