package dev.latch.server.config;

import static dev.latch.server.config.ConfigNodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.core.secret.SecretReference;
import dev.latch.server.config.ConfigLoader.ConfigException;
import java.util.Set;

/** Binds {@code crypto} (the signature provider) and {@code master-key} (a secret reference). */
final class CryptoSettings {

    private static final Set<String> PROVIDERS = Set.of("auto", "native", "jdk");

    private CryptoSettings() {}

    /** {@code crypto}: {@code auto} when unset. */
    static String provider(JsonNode root) {
        String crypto = text(root, "crypto", "auto");
        if (!PROVIDERS.contains(crypto)) {
            throw new ConfigException("crypto: must be one of jdk, native, auto (was " + crypto + ")");
        }
        return crypto;
    }

    /** {@code master-key}: null when unset (the server then keeps a generated one in the data directory). */
    static String masterKey(JsonNode root, SecretReference secrets) {
        return secrets.resolve("master-key", text(root, "master-key"));
    }
}
