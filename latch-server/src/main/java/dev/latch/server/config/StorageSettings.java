package dev.latch.server.config;

import static dev.latch.server.config.ConfigNodes.duration;
import static dev.latch.server.config.ConfigNodes.section;
import static dev.latch.server.config.ConfigNodes.text;
import static dev.latch.server.config.ConfigNodes.wholeNumber;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.core.secret.SecretReference;
import dev.latch.server.config.ConfigLoader.ConfigException;
import dev.latch.server.storage.Database;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * Binds where state is kept: {@code data} and {@code database} (its user and password are secret references;
 * {@code purge-interval} between 1s and 1d; {@code connection-timeout} between 250ms and 1m, {@code socket-timeout}
 * between 1s and 1h).
 */
final class StorageSettings {

    private StorageSettings() {}

    /** {@code data}: {@code ./latch-data} when unset. */
    static Path data(JsonNode root) {
        return Path.of(text(root, "data", "./latch-data"));
    }

    /** {@code database}: no URL means the embedded database in {@code data}; a pool of 16 when unset. */
    static ServerConfig.DatabaseSettings database(JsonNode root, SecretReference secrets) {
        JsonNode db = section(root, "database", Set.of("url", "user", "password", "pool-size", "purge-interval",
                "connection-timeout", "socket-timeout"));
        Duration purgeInterval = duration(db, "database.purge-interval", "purge-interval", Duration.ofSeconds(60));
        if (purgeInterval.compareTo(Duration.ofSeconds(1)) < 0 || purgeInterval.compareTo(Duration.ofDays(1)) > 0) {
            throw new ConfigException("database.purge-interval: must be between 1s and 1d (was " + text(db, "purge-interval") + ")");
        }
        Duration connectionTimeout = duration(db, "database.connection-timeout", "connection-timeout", Database.Timeouts.DEFAULT.connection());
        if (connectionTimeout.toMillis() < 250 || connectionTimeout.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new ConfigException("database.connection-timeout: must be between 250ms and 1m (was " + text(db, "connection-timeout") + ")");
        }
        Duration socketTimeout = duration(db, "database.socket-timeout", "socket-timeout", Database.Timeouts.DEFAULT.socket());
        if (socketTimeout.toSeconds() < 1 || socketTimeout.compareTo(Duration.ofHours(1)) > 0) {
            throw new ConfigException("database.socket-timeout: must be between 1s and 1h (was " + text(db, "socket-timeout") + ")");
        }
        return new ServerConfig.DatabaseSettings(text(db, "url"),
                secrets.resolve("database.user", text(db, "user")),
                secrets.resolve("database.password", text(db, "password")),
                wholeNumber(db, "database.pool-size", "pool-size", 16), purgeInterval,
                new Database.Timeouts(connectionTimeout, socketTimeout));
    }
}
