package dev.latch.server.user;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.latch.server.http.Json;
import dev.latch.server.storage.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link UserStore} on the {@code users} table: claims and roles are JSON text; uniqueness of
 * usernames ignoring case is the database's, through the unique {@code username_key} column.
 */
public final class JdbcUserStore implements UserStore {

    private static final TypeReference<LinkedHashMap<String, Object>> CLAIMS = new TypeReference<>() {};
    private static final TypeReference<List<String>> ROLES = new TypeReference<>() {};

    private final Sql sql;

    public JdbcUserStore(Sql sql) {
        this.sql = sql;
    }

    @Override
    public Optional<User> findByUsername(String username) {
        return sql.queryOne("SELECT * FROM users WHERE username_key = ?", JdbcUserStore::map, UsernameKey.of(username));
    }

    @Override
    public Optional<User> findBySubject(String subject) {
        return sql.queryOne("SELECT * FROM users WHERE subject = ?", JdbcUserStore::map, subject);
    }

    @Override
    public List<User> list() {
        return sql.query("SELECT * FROM users ORDER BY username_key", JdbcUserStore::map);
    }

    @Override
    public boolean insert(User u) {
        return sql.insertUnique("INSERT INTO users (subject, username, username_key, claims, roles, password_hash, enabled, created_at, updated_at, fhir_user) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                u.subject(), u.username(), UsernameKey.of(u.username()), Json.write(claims(u)), Json.write(roles(u)),
                u.passwordHash(), u.enabled(), u.createdAt(), u.updatedAt(), u.fhirUser());
    }

    @Override
    public boolean update(User u) {
        try {
            return sql.update("UPDATE users SET username = ?, username_key = ?, claims = ?, roles = ?, password_hash = ?, enabled = ?, updated_at = ?, "
                            + "fhir_user = ? WHERE subject = ?",
                    u.username(), UsernameKey.of(u.username()), Json.write(claims(u)), Json.write(roles(u)), u.passwordHash(),
                    u.enabled(), u.updatedAt(), u.fhirUser(), u.subject()) == 1;
        } catch (Sql.StorageException e) {
            if (e.getCause() instanceof SQLException s && Sql.UNIQUE_VIOLATION.equals(s.getSQLState())) {
                return false; // renamed onto another user's username
            }
            throw e;
        }
    }

    @Override
    public boolean delete(String subject) {
        return sql.update("DELETE FROM users WHERE subject = ?", subject) == 1;
    }

    private static Map<String, Object> claims(User u) {
        return u.claims() == null ? Map.of() : u.claims();
    }

    private static List<String> roles(User u) {
        return u.roles() == null ? List.of() : u.roles();
    }

    private static User map(ResultSet rs) throws SQLException {
        try {
            Map<String, Object> claims = Json.MAPPER.readValue(rs.getString("claims"), CLAIMS);
            List<String> roles = Json.MAPPER.readValue(rs.getString("roles"), ROLES);
            return new User(rs.getString("subject"), rs.getString("username"), Collections.unmodifiableMap(claims),
                    List.copyOf(roles), rs.getString("password_hash"), rs.getBoolean("enabled"),
                    rs.getLong("created_at"), rs.getLong("updated_at"), rs.getString("fhir_user"));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored user " + rs.getString("subject") + " is unreadable", e);
        }
    }
}
