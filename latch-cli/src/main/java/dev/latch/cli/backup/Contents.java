package dev.latch.cli.backup;

import dev.latch.server.LatchInstance;
import dev.latch.server.keys.MasterKey;
import dev.latch.server.storage.Database;
import dev.latch.server.storage.Sql;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** What backup and restore read from a database besides copying it: what it holds, and whether a master key fits it. */
final class Contents {

    private Contents() {}

    /** Clients, users, signing keys and live refresh tokens, for the manifest and the one-line reports. */
    static Map<String, Long> count(Sql sql, long nowEpochSecond) {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("clients", one(sql, "SELECT COUNT(*) FROM clients"));
        counts.put("users", one(sql, "SELECT COUNT(*) FROM users"));
        counts.put("signing keys", one(sql, "SELECT COUNT(*) FROM signing_keys"));
        counts.put("live refresh tokens", one(sql, "SELECT COUNT(*) FROM refresh_tokens t JOIN refresh_families f ON f.family_id = t.family_id "
                + "WHERE t.rotated_at IS NULL AND t.expires_at > ? AND f.revoked_at IS NULL AND f.expires_at > ?", nowEpochSecond, nowEpochSecond));
        return counts;
    }

    private static long one(Sql sql, String query, Object... args) {
        return sql.queryOne(query, rs -> rs.getLong(1), args).orElse(0L);
    }

    /** Reads a master key file as the server does, without creating one. */
    static MasterKey readKeyFile(Path file) {
        try {
            return MasterKey.parse(file.toString(), Files.readString(file, StandardCharsets.US_ASCII));
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IllegalArgumentException(file + ": not a master key file (a master key is 32 bytes, base64-encoded)");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the master key: " + e.getMessage());
        }
    }

    /**
     * Refuses a master key that is not the one the database was created with.
     *
     * @param source where the key comes from, as the user knows it
     */
    static void requireFits(Database database, MasterKey key, String source) {
        Boolean fits = LatchInstance.masterKeyFits(database.sql(), key)
                .orElseThrow(() -> new IllegalStateException(database.url() + " holds no Latch data (no instance has opened it)"));
        if (!fits) {
            throw new IllegalStateException("the master key (" + source + ") is not the one this database was created with: "
                    + "its signing keys and client_secret_jwt secrets could not be read");
        }
    }

    /** "3 clients, 2 users, …". */
    static String summary(Map<String, Long> counts) {
        StringBuilder s = new StringBuilder();
        counts.forEach((what, n) -> s.append(s.isEmpty() ? "" : ", ").append(n).append(' ').append(what));
        return s.toString();
    }
}
