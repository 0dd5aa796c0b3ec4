package dev.latch.server.config;

import static dev.latch.server.config.ConfigNodes.section;
import static dev.latch.server.config.ConfigNodes.text;
import static dev.latch.server.config.ConfigNodes.wholeNumber;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.core.secret.SecretReference;
import java.nio.file.Path;
import java.util.Set;

/** Binds where state is kept: {@code data} and {@code database} (its user and password are secret references). */
final class StorageSettings {

    private StorageSettings() {}

    /** {@code data}: {@code ./latch-data} when unset. */
    static Path data(JsonNode root) {
        return Path.of(text(root, "data", "./latch-data"));
    }

    /** {@code database}: no URL means the embedded database in {@code data}; a pool of 16 when unset. */
    static ServerConfig.DatabaseSettings database(JsonNode root, SecretReference secrets) {
        JsonNode db = section(root, "database", Set.of("url", "user", "password", "pool-size"));
        return new ServerConfig.DatabaseSettings(text(db, "url"),
                secrets.resolve("database.user", text(db, "user")),
                secrets.resolve("database.password", text(db, "password")),
                wholeNumber(db, "database.pool-size", "pool-size", 16));
    }
}
