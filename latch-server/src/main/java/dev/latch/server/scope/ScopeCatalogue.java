package dev.latch.server.scope;

import dev.latch.core.smart.SmartScope;
import dev.latch.core.smart.SmartScopes;
import dev.latch.server.storage.Sql;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The scopes this server knows (advertised as {@code scopes_supported}), with a description for
 * people. Scope tokens follow RFC 6749 §3.3 ({@code %x21 / %x23-5B / %x5D-7E}).
 *
 * <p>When SMART on FHIR is configured ({@code smart.fhir-servers}), the server also offers SMART's scopes
 * without a catalogue row each: the launch and identity scopes and every well-formed clinical scope
 * ({@code patient/Observation.rs}…), described in plain words by {@link SmartScopes#describe}. A
 * catalogue entry, when present, wins.
 */
public final class ScopeCatalogue {

    private static final Pattern SCOPE_TOKEN = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]+");
    /** Longest scope name and description the {@code scopes} table holds. */
    public static final int MAX_NAME_LENGTH = 200;
    public static final int MAX_DESCRIPTION_LENGTH = 2000;
    /**
     * What {@code scopes_supported} shows of SMART when it is configured: its launch and identity scopes
     * and clinical wildcards for each context, v2 and v1 (every well-formed clinical scope is offered;
     * listing each resource type would say nothing more).
     */
    static final List<String> SMART_SUPPORTED = List.of("openid", "fhirUser", "profile", "launch", "launch/patient",
            "launch/encounter", "offline_access", "online_access", "patient/*.rs", "patient/*.cruds", "user/*.rs", "user/*.cruds",
            "system/*.rs", "system/*.cruds", "patient/*.read", "user/*.read", "system/*.read");

    private final Sql sql;
    private final boolean smart;
    /** What {@link #supported()} last read, its answer while the database is unreachable. */
    private volatile List<String> lastSupported;

    public ScopeCatalogue(Sql sql) {
        this(sql, false);
    }

    /** @param smart true when SMART on FHIR is configured: its scopes are offered too */
    public ScopeCatalogue(Sql sql, boolean smart) {
        this.sql = sql;
        this.smart = smart;
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

    /**
     * {@code scopes_supported}: the catalogue's names, then (with SMART) {@link #SMART_SUPPORTED}. While the
     * database cannot be reached, the list last read (the catalogue changes only through the database), so
     * the discovery metadata goes on through an outage.
     */
    public List<String> supported() {
        Set<String> out;
        try {
            out = new LinkedHashSet<>(all().keySet());
        } catch (Sql.Unavailable e) {
            List<String> last = lastSupported;
            if (last == null) throw e;
            return last;
        }
        if (smart) out.addAll(SMART_SUPPORTED);
        List<String> supported = List.copyOf(out);
        lastSupported = supported;
        return supported;
    }

    /**
     * True when a client may register for {@code name}: a catalogue scope or, with SMART configured, a
     * SMART launch/identity scope or a well-formed clinical scope.
     */
    public boolean offers(String name) {
        if (smart && (SmartScopes.LAUNCH_AND_IDENTITY.containsKey(name) || wellFormedClinical(name))) {
            return true;
        }
        return contains(name);
    }

    /** The text people are shown for each of {@code scopes}, in order: the catalogue's, else SMART's plain words, else the name. */
    public List<String> describe(Collection<String> scopes) {
        Map<String, String> catalogue = all();
        List<String> out = new ArrayList<>();
        for (String s : scopes) {
            String d = catalogue.get(s);
            if (d == null || d.isBlank()) d = smart || SmartScope.isClinical(s) ? SmartScopes.describe(s).orElse(s) : s;
            out.add(d);
        }
        return out;
    }

    /**
     * Refuses a scope written as a SMART clinical scope ({@code patient/}, {@code user/}, {@code system/})
     * that is not well formed, naming it; other scopes pass.
     *
     * @throws IllegalArgumentException naming the scope and what is wrong with it
     */
    public static void checkWellFormed(String scope) {
        if (SmartScope.isClinical(scope)) {
            SmartScope.parse(scope);
        }
    }

    private static boolean wellFormedClinical(String name) {
        if (!SmartScope.isClinical(name)) return false;
        try {
            SmartScope.parse(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
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
