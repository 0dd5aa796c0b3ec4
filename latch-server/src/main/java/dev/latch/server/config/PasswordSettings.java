package dev.latch.server.config;

import static dev.latch.server.config.ConfigNodes.section;
import static dev.latch.server.config.ConfigNodes.wholeNumber;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.server.config.ConfigLoader.ConfigException;
import dev.latch.server.user.Argon2idHasher;
import dev.latch.server.user.UserRegistry;
import java.util.Set;

/** Binds {@code passwords}: the Argon2id parameters (checked by the hasher itself) and the minimum length. */
final class PasswordSettings {

    private PasswordSettings() {}

    static ServerConfig.Passwords bind(JsonNode root) {
        JsonNode pw = section(root, "passwords", Set.of("argon2id", "min-length"));
        JsonNode a2 = section(pw, "argon2id", "passwords.argon2id", Set.of("memory-kib", "iterations", "parallelism"));
        ServerConfig.Argon2id argon2id = new ServerConfig.Argon2id(
                wholeNumber(a2, "passwords.argon2id.memory-kib", "memory-kib", Argon2idHasher.DEFAULT_MEMORY_KIB),
                wholeNumber(a2, "passwords.argon2id.iterations", "iterations", Argon2idHasher.DEFAULT_ITERATIONS),
                wholeNumber(a2, "passwords.argon2id.parallelism", "parallelism", Argon2idHasher.DEFAULT_PARALLELISM));
        try {
            new Argon2idHasher(argon2id.memoryKib(), argon2id.iterations(), argon2id.parallelism());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("passwords.argon2id: " + e.getMessage());
        }
        int minLength = wholeNumber(pw, "passwords.min-length", "min-length", UserRegistry.DEFAULT_MIN_PASSWORD_LENGTH);
        if (minLength < 1 || minLength > UserRegistry.MAX_PASSWORD_LENGTH) {
            throw new ConfigException("passwords.min-length: must be 1-" + UserRegistry.MAX_PASSWORD_LENGTH + " (was " + minLength + ")");
        }
        return new ServerConfig.Passwords(argon2id, minLength);
    }
}
