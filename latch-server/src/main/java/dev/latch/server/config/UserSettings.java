package dev.latch.server.config;

import static dev.latch.server.config.ConfigNodes.list;
import static dev.latch.server.config.ConfigNodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.core.secret.SecretReference;
import dev.latch.server.config.ConfigLoader.ConfigException;
import dev.latch.server.user.StandardClaims;
import dev.latch.server.user.UsernameKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Binds {@code users}: passwords must be references ({@code ${env:…}}, {@code ${file:…}}), so that no password sits in the file. */
final class UserSettings {

    private static final List<String> OWN_KEYS = List.of("username", "password", "password_hash", "roles", "enabled", "fhir-user");
    private static final Set<String> KEYS;
    static {
        Set<String> keys = new LinkedHashSet<>(OWN_KEYS);
        keys.addAll(StandardClaims.NAMES);
        KEYS = Set.copyOf(keys);
    }
    private static final String KNOWN = String.join(", ", OWN_KEYS) + ", and the OpenID Connect standard claims "
            + String.join(", ", StandardClaims.NAMES);

    private UserSettings() {}

    static List<ServerConfig.UserSetting> bind(JsonNode root, SecretReference secrets) {
        JsonNode list = root.get("users");
        if (list == null || list.isNull()) return List.of();
        if (!list.isArray()) throw new ConfigException("users: must be a list");
        List<ServerConfig.UserSetting> users = new ArrayList<>();
        Map<String, String> declaredAs = new HashMap<>();
        int i = 0;
        for (JsonNode u : list) {
            String where = "users[" + i++ + "]";
            if (!u.isObject()) throw new ConfigException(where + ": must be a mapping");
            ConfigNodes.checkKeys(u, where, KEYS, KNOWN, YamlLines.NONE);
            String username = text(u, "username");
            if (username == null || username.isBlank()) throw new ConfigException(where + ".username: required");
            // a second entry for the same user would rename and overwrite the first when applied
            String first = declaredAs.putIfAbsent(UsernameKey.of(username), where + " (" + username.strip() + ")");
            if (first != null) {
                throw new ConfigException(where + ".username: " + username.strip() + " is declared twice (first as " + first
                        + "; usernames are compared ignoring case)");
            }
            String password = password(u, where, secrets);
            String hash = text(u, "password_hash");
            if (password != null && hash != null) {
                throw new ConfigException(where + ": give password or password_hash, not both");
            }
            JsonNode rolesNode = u.get("roles");
            boolean enabled = enabled(u, where);
            if (rolesNode != null && !rolesNode.isNull() && !rolesNode.isArray() && !rolesNode.isTextual()) {
                throw new ConfigException(where + ".roles: must be a list of role names");
            }
            Map<String, Object> claims = new LinkedHashMap<>();
            for (String claim : StandardClaims.NAMES) {
                JsonNode v = u.get(claim);
                if (v != null && !v.isNull()) claims.put(claim, ConfigNodes.YAML.convertValue(v, Object.class));
            }
            JsonNode fhirUser = u.get("fhir-user");
            if (fhirUser != null && !fhirUser.isNull() && !fhirUser.isTextual()) {
                throw new ConfigException(where + ".fhir-user: must be a FHIR reference such as Practitioner/123");
            }
            users.add(new ServerConfig.UserSetting(username, claims, list(u, "roles", List.of()), enabled, password, hash,
                    text(u, "fhir-user")));
        }
        return List.copyOf(users);
    }

    private static String password(JsonNode u, String where, SecretReference secrets) {
        String password = text(u, "password");
        if (password == null) return null;
        SecretReference.Kind kind = SecretReference.parse(password).kind();
        if (kind != SecretReference.Kind.ENVIRONMENT_VARIABLE && kind != SecretReference.Kind.FILE) {
            throw new ConfigException(where + ".password: must be ${env:NAME} or ${file:PATH}, not the password itself "
                    + "(or give password_hash, an Argon2id PHC string)");
        }
        return secrets.resolve(where + ".password", password);
    }

    private static boolean enabled(JsonNode u, String where) {
        JsonNode en = u.get("enabled");
        if (en == null || en.isNull()) return true;
        if (en.isBoolean()) return en.asBoolean();
        if (en.isTextual() && Set.of("true", "false").contains(en.asText())) return Boolean.parseBoolean(en.asText());
        throw new ConfigException(where + ".enabled: must be true or false");
    }
}
