package dev.latch.server.resource;

import dev.latch.server.client.ClientRegistry;
import dev.latch.server.storage.Sql;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The access-token profile of each resource (RFC 8707 resource indicator), kept in the
 * {@code resources} table, and the profile a token gets from its audience.
 *
 * <p>The rule for a token with several audiences is strict: it is typed {@code JWT} only when every
 * audience's profile (its own, or {@code tokens.default-profile} when it has none) is {@link TokenProfile#JWT};
 * otherwise it is {@code at+jwt}. A resource that asked for RFC 9068 typing never receives a token
 * that an ID-token verifier could mistake for its own kind.
 *
 * <p>The token endpoint reads a snapshot reloaded at most every {@link #RELOAD}, so a change made with
 * {@code latch resources} (or by another node) is seen within that time and no token waits on the database.
 */
public final class ResourceProfiles {

    public static final Duration RELOAD = Duration.ofSeconds(2);
    /** Longest resource indicator the {@code resources} table holds. */
    public static final int MAX_URI_LENGTH = 2000;

    private final Sql sql;
    private final Clock clock;
    private final TokenProfile defaultProfile;
    private final AtomicBoolean reloading = new AtomicBoolean();
    private volatile Map<String, TokenProfile> snapshot;
    private volatile long loadedAt;

    /** @param defaultProfile the profile of audiences without one of their own ({@code tokens.default-profile}) */
    public ResourceProfiles(Sql sql, Clock clock, TokenProfile defaultProfile) {
        this.sql = sql;
        this.clock = clock;
        this.defaultProfile = defaultProfile;
        reload();
    }

    public TokenProfile defaultProfile() {
        return defaultProfile;
    }

    /** The profile of a token meant for {@code audience} (one or more {@code aud} values), by the rule above. */
    public TokenProfile profileFor(List<String> audience) {
        Map<String, TokenProfile> profiles = current();
        for (String aud : audience) {
            if (profiles.getOrDefault(aud, defaultProfile) != TokenProfile.JWT) {
                return TokenProfile.RFC9068;
            }
        }
        return audience.isEmpty() ? defaultProfile : TokenProfile.JWT;
    }

    /** Resource indicator → its own profile, sorted by indicator, read from the database now. */
    public Map<String, TokenProfile> list() {
        Map<String, TokenProfile> out = new LinkedHashMap<>();
        sql.query("SELECT uri, token_profile FROM resources ORDER BY uri",
                rs -> out.put(rs.getString(1), TokenProfile.parse(rs.getString(2))));
        return out;
    }

    /**
     * Sets the profile of {@code uri}.
     *
     * @return true when the resource was new
     * @throws IllegalArgumentException when {@code uri} is not an absolute URI without fragment (RFC 8707 §2)
     */
    public boolean put(String uri, TokenProfile profile) {
        checkUri(uri);
        long now = clock.instant().getEpochSecond();
        boolean created = sql.insertUnique("INSERT INTO resources (uri, token_profile, updated_at) VALUES (?, ?, ?)",
                uri, profile.configName(), now);
        if (!created) {
            sql.update("UPDATE resources SET token_profile = ?, updated_at = ? WHERE uri = ?", profile.configName(), now, uri);
        }
        reload(); // this node sees its own change at once
        return created;
    }

    /** Forgets {@code uri}'s own profile (it takes the default again); false when it had none. */
    public boolean remove(String uri) {
        boolean removed = sql.update("DELETE FROM resources WHERE uri = ?", uri) == 1;
        reload();
        return removed;
    }

    /** RFC 8707 §2: an absolute URI without fragment, as {@code resource} parameters are checked. */
    public static void checkUri(String uri) {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("a resource indicator (absolute URI) is required");
        }
        if (uri.length() > MAX_URI_LENGTH) {
            throw new IllegalArgumentException("resource indicator is longer than " + MAX_URI_LENGTH + " characters");
        }
        if (!ClientRegistry.validResource(uri)) {
            throw new IllegalArgumentException(uri + " must be an absolute URI without fragment (RFC 8707 §2)");
        }
    }

    /** The snapshot, reloaded when older than {@link #RELOAD}; one caller reloads while the others use the one they have. */
    private Map<String, TokenProfile> current() {
        if (clock.millis() - loadedAt >= RELOAD.toMillis() && reloading.compareAndSet(false, true)) {
            try {
                reload();
            } finally {
                reloading.set(false);
            }
        }
        return snapshot;
    }

    /** Synchronized, so that of two reloads the one that read the table last is the one kept. */
    private synchronized void reload() {
        long at = clock.millis();
        snapshot = Map.copyOf(list());
        loadedAt = at;
    }
}
