package dev.latch.server;

import dev.latch.core.error.OAuthError;
import dev.latch.server.client.Client;
import dev.latch.server.client.ClientRegistry;
import dev.latch.server.client.Secrets;
import dev.latch.server.client.StoredClient;
import dev.latch.server.config.ConfigLoader;
import dev.latch.server.config.ServerConfig;
import dev.latch.server.http.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the scopes and clients declared in the YAML configuration to the database at start-up:
 * declared clients are created or brought up to date (the file is the source of truth for them).
 */
final class ConfiguredState {

    private static final Logger LOG = LoggerFactory.getLogger(ConfiguredState.class);

    private ConfiguredState() {}

    static void apply(LatchInstance instance) {
        ServerConfig config = instance.config();
        for (ServerConfig.ScopeSetting s : config.scopes()) {
            try {
                instance.scopes().put(s.name(), s.description());
            } catch (IllegalArgumentException e) {
                throw new ConfigLoader.ConfigException("scopes: " + e.getMessage());
            }
        }
        int i = 0;
        for (Map<String, Object> declared : config.clients()) {
            String where = "clients[" + i++ + "]";
            Map<String, Object> metadata = new LinkedHashMap<>(declared);
            Object secretValue = metadata.remove("client_secret");
            String secret = secretValue == null ? null : secretValue.toString();
            Client client;
            try {
                client = Json.MAPPER.convertValue(metadata, Client.class);
            } catch (IllegalArgumentException e) {
                throw new ConfigLoader.ConfigException(where + ": " + e.getMessage().lines().findFirst().orElse("unreadable"));
            }
            if (client.clientId() == null) {
                throw new ConfigLoader.ConfigException(where + ".client_id: required for a client declared in configuration");
            }
            try {
                apply(instance.clients(), client, secret);
            } catch (OAuthError e) {
                throw new ConfigLoader.ConfigException(where + " (" + client.clientId() + "): " + e.description());
            }
        }
    }

    private static void apply(ClientRegistry registry, Client client, String secret) {
        Optional<StoredClient> existing = registry.find(client.clientId());
        Client normalized = registry.normalize(client, true);
        boolean needsSecret = normalized.usesSecretDigest() || normalized.usesEncryptedSecret();
        if (needsSecret && secret == null) {
            throw OAuthError.invalidClientMetadata("client_secret is required for " + normalized.tokenEndpointAuthMethod()
                    + " (use ${env:NAME} or ${file:PATH})");
        }
        if (existing.isEmpty()) {
            registry.create(client, secret, true, null);
            LOG.info("client {} created from configuration", client.clientId());
            return;
        }
        registry.update(client.clientId(), client, true);
        StoredClient now = registry.find(client.clientId()).orElseThrow();
        if (needsSecret) {
            boolean same = normalized.usesSecretDigest() ? Secrets.matches(secret, now.secretDigest())
                    : secret.equals(registry.hmacSecret(now));
            if (!same) {
                registry.rotateSecret(client.clientId(), secret);
            }
        }
    }
}
