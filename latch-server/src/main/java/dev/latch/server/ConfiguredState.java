package dev.latch.server;

import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import dev.latch.core.error.OAuthError;
import dev.latch.server.client.Client;
import dev.latch.server.client.ClientRegistry;
import dev.latch.server.secret.Secrets;
import dev.latch.server.client.StoredClient;
import dev.latch.server.config.ConfigLoader;
import dev.latch.server.config.ServerConfig;
import dev.latch.server.http.Json;
import dev.latch.server.user.Argon2idHasher;
import dev.latch.server.user.InvalidUserException;
import dev.latch.server.user.User;
import dev.latch.server.user.UserProfile;
import dev.latch.server.user.UserRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the scopes, clients, users and resources declared in the YAML configuration to the database at
 * start-up: declared clients and users are created or brought up to date (the file is the source of
 * truth for them). A declared user keeps its subject across restarts and renames that only change
 * case; its password is re-hashed only when the configured one no longer matches the stored hash.
 * A user declared without a password keeps whatever password it has (set with {@code latch users passwd}).
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
        // declared resources are brought to their declared profile; others set with `latch resources` stay
        for (ServerConfig.ResourceSetting r : config.resources()) {
            instance.resources().put(r.uri(), r.tokenProfile());
        }
        warnIfWeakPasswordHashing(instance.users());
        i = 0;
        for (ServerConfig.UserSetting declared : config.users()) {
            String where = "users[" + i++ + "]";
            try {
                apply(instance.users(), declared);
            } catch (InvalidUserException e) {
                throw new ConfigLoader.ConfigException(where + " (" + declared.username() + "): " + e.getMessage());
            }
        }
    }

    private static void warnIfWeakPasswordHashing(UserRegistry users) {
        if (users.hasher() instanceof Argon2idHasher h && !h.meetsOwaspMinimum()) {
            LOG.warn("passwords.argon2id (m={} KiB, t={}, p={}) is weaker than OWASP's minimum for Argon2id "
                    + "(m=19456 KiB, t=2, p=1): stolen password hashes are cheaper to crack; use such settings for tests only",
                    h.memoryKib(), h.iterations(), h.parallelism());
        }
    }

    private static void apply(UserRegistry registry, ServerConfig.UserSetting declared) {
        UserProfile profile = new UserProfile(declared.username(), declared.claims(), declared.roles(), declared.enabled(),
                declared.fhirUser());
        char[] password = declared.password() == null ? null : declared.password().toCharArray();
        try {
            Optional<User> existing = registry.find(declared.username());
            if (existing.isEmpty()) {
                try {
                    User created = declared.passwordHash() != null ? registry.createWithPasswordHash(profile, declared.passwordHash())
                            : registry.create(profile, password);
                    Audit.success(AuditEvent.USER_CREATE).configured().user(created.subject()).username(created.username()).write();
                    LOG.info("user {} created from configuration{}", created.username(),
                            created.passwordHash() == null ? " without a password: it cannot sign in until one is set" : "");
                    return;
                } catch (RuntimeException e) {
                    // another node starting with the same configuration created it a moment ago: bring that one up to date
                    existing = registry.find(declared.username());
                    if (existing.isEmpty()) throw e;
                }
            }
            User updated = registry.update(existing.get().username(), profile);
            String stored = updated.passwordHash();
            if (password != null) {
                // verifying costs one hash per declared user and start-up, and keeps the salt (and updated_at) when nothing changed
                if (stored == null || !registry.hasher().verify(password, stored) || registry.hasher().needsRehash(stored)) {
                    registry.setPassword(updated.username(), password);
                }
            } else if (declared.passwordHash() != null && !declared.passwordHash().strip().equals(stored)) {
                registry.setPasswordHash(updated.username(), declared.passwordHash());
            }
        } finally {
            if (password != null) {
                java.util.Arrays.fill(password, '\0');
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
            try {
                registry.create(client, secret, true, null);
                Audit.success(AuditEvent.CLIENT_CREATE).configured().client(client.clientId()).write();
                LOG.info("client {} created from configuration", client.clientId());
                return;
            } catch (RuntimeException e) {
                // another node starting with the same configuration created it a moment ago: bring that one up to date
                existing = registry.find(client.clientId());
                if (existing.isEmpty()) throw e;
            }
        }
        StoredClient before = existing.get();
        // the secret goes with the metadata in one update, so an algorithm and the longer secret it needs can change together
        boolean sameSecret = !needsSecret || (normalized.usesSecretDigest() ? Secrets.matches(secret, before.secretDigest())
                : before.secretEncrypted() != null && secret.equals(registry.hmacSecret(before)));
        registry.update(client.clientId(), client, true, sameSecret ? null : secret);
    }
}
