package dev.latch.server.scope;

import dev.latch.server.storage.Sql;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The scopes this server knows (advertised as {@code scopes_supported}), with a description for
 * people. Scope tokens follow RFC 6749 §3.3 ({@code %x21 / %x23-5B / %x5D-7E}).
 */
public final class ScopeCatalogue {

    private static final Pattern SCOPE_TOKEN = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]+");
    /** Longest scope name and description the {@code scopes} table holds. */
    public static final int MAX_NAME_LENGTH = 200;
    public static final int MAX_DESCRIPTION_LENGTH = 2000;
    private final Sql sql;

    public ScopeCatalogue(Sql sql) {
        this.sql = sql;
    }

    public static boolean validToken(String scope) {
        return SCOPE_TOKEN.matcher(scope).matches();
    }

    /** Name → description, sorted by name. */
    public Map<String, String> all() {
        Map<String, String> out = new LinkedHashMap<>();
        sql.query("SELECT name, description FROM scopes ORDER BY name", rs -> out.put(rs.getString(1), rs.getString(2)));
        return out;
    }

    public boolean contains(String name) {
        return sql.queryOne("SELECT name FROM scopes WHERE name = ?", rs -> rs.getString(1), name).isPresent();
    }

    /** Adds a scope, or changes its description when {@code description} is not null. */
    public void put(String name, String description) {
        if (!validToken(name)) {
            throw new IllegalArgumentException("invalid scope name '" + name + "' (RFC 6749 §3.3)");
        }
        // refused here by name rather than failing deep in the database with a bare SQL error
        if (name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("scope name is longer than " + MAX_NAME_LENGTH + " characters");
        }
        if (description != null && description.length() > MAX_DESCRIPTION_LENGTH) {
            throw new IllegalArgumentException("description of scope " + name + " is longer than " + MAX_DESCRIPTION_LENGTH + " characters");
        }
        if (!sql.insertUnique("INSERT INTO scopes (name, description) VALUES (?, ?)", name, description) && description != null) {
            sql.update("UPDATE scopes SET description = ? WHERE name = ?", description, name);
        }
    }

    public boolean remove(String name) {
        return sql.update("DELETE FROM scopes WHERE name = ?", name) == 1;
    }
}
