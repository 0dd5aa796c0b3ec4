package dev.latch.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.latch.core.secret.SecretReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Builds a {@link ServerConfig} from, in rising precedence: defaults, the YAML file, environment
 * variables ({@code LATCH_*}), and command-line options. Unknown settings are refused by name.
 * Secret-valued settings go through {@link SecretReference}; a reference that resolves to nothing
 * stops start-up naming the setting.
 *
 * <p>This class merges the three sources into one tree and runs one binder per section over it
 * ({@link ListenerSettings}, {@link StorageSettings}, {@link TokenSettings}, …), in a fixed order; the
 * first problem stops the load: a {@link ConfigException}, or the {@link SecretReference.SecretResolutionException}
 * of a reference that resolves to nothing, each naming the setting.
 */
public final class ConfigLoader {

    private static final Set<String> TOP = Set.of("issuer", "port", "data", "database", "management", "tls", "crypto",
            "master-key", "tokens", "registration", "outbound", "scopes", "clients", "branding", "sessions", "claims", "smart",
            "passwords", "users", "resources", "trusted-proxies");
    /** Settings whose environment variable or option is a comma-separated list. */
    private static final Set<String> LISTS = Set.of("outbound.allow", "trusted-proxies");

    /** Environment variables and the setting each overrides. */
    public static final Map<String, String> ENVIRONMENT = Map.ofEntries(
            Map.entry("LATCH_ISSUER", "issuer"),
            Map.entry("LATCH_PORT", "port"),
            Map.entry("LATCH_DATA", "data"),
            Map.entry("LATCH_DB_URL", "database.url"),
            Map.entry("LATCH_DB_USER", "database.user"),
            Map.entry("LATCH_DB_PASSWORD", "database.password"),
            Map.entry("LATCH_MASTER_KEY", "master-key"),
            Map.entry("LATCH_CRYPTO", "crypto"),
            Map.entry("LATCH_MANAGEMENT_PORT", "management.port"),
            Map.entry("LATCH_REGISTRATION_TOKEN", "registration.initial-access-token"),
            Map.entry("LATCH_OUTBOUND_ALLOW", "outbound.allow"),
            Map.entry("LATCH_TRUSTED_PROXIES", "trusted-proxies"));

    private final Function<String, String> environment;
    private final SecretReference secrets;

    public ConfigLoader(Function<String, String> environment, SecretReference secrets) {
        this.environment = environment;
        this.secrets = secrets;
    }

    public static ConfigLoader system() {
        return new ConfigLoader(System::getenv, SecretReference.system());
    }

    /**
     * @param file      YAML file, or null
     * @param overrides command-line settings by dotted name ({@code port}, {@code database.url}…); null values are ignored
     * @throws ConfigException naming the setting at fault
     */
    public ServerConfig load(Path file, Map<String, String> overrides) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        YamlLines lines = YamlLines.NONE;
        if (file != null) {
            String content;
            try {
                content = Files.readString(file);
                JsonNode parsed = ConfigNodes.YAML.readTree(content);
                if (parsed != null && !parsed.isMissingNode() && !parsed.isNull()) {
                    if (!parsed.isObject()) {
                        throw new ConfigException(file + ": the configuration must be a YAML mapping");
                    }
                    root = (ObjectNode) parsed;
                }
            } catch (IOException e) {
                throw new ConfigException("--config " + file + ": " + firstLine(e.getMessage()));
            }
            lines = YamlLines.of(file, content);
            for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (!TOP.contains(name)) {
                    throw new ConfigException(file + ": unknown setting '" + name + "' (known: " + String.join(", ", new TreeSet<>(TOP)) + ")");
                }
            }
        }
        for (Map.Entry<String, String> e : ENVIRONMENT.entrySet()) {
            String value = environment.apply(e.getKey());
            if (value != null && !value.isEmpty()) {
                set(root, e.getValue(), value);
            }
        }
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            if (e.getValue() != null) set(root, e.getKey(), e.getValue());
        }
        return bind(root, lines);
    }

    /** The section binders, in the order their problems are reported; later sections may use what earlier ones bound. */
    private ServerConfig bind(JsonNode root, YamlLines lines) {
        int port = ListenerSettings.port(root);
        Path data = StorageSettings.data(root);
        ServerConfig.DatabaseSettings database = StorageSettings.database(root, secrets);
        ServerConfig.Management management = ListenerSettings.management(root, port);
        ServerConfig.Tls tls = ListenerSettings.tls(root);
        List<String> trustedProxies = ListenerSettings.trustedProxies(root);
        String issuer = ListenerSettings.issuer(root, port, tls);
        String crypto = CryptoSettings.provider(root);
        ServerConfig.Tokens tokens = TokenSettings.bind(root, issuer, lines);
        ServerConfig.Registration registration = RegistrationSettings.bind(root, secrets);
        ServerConfig.Outbound outbound = OutboundSettings.bind(root);
        List<ServerConfig.ScopeSetting> scopes = ScopeSettings.bind(root);
        List<Map<String, Object>> clients = ClientSettings.bind(root, secrets);
        ServerConfig.Branding branding = BrandingSettings.bind(root);
        ServerConfig.Sessions sessions = SessionSettings.bind(root);
        String masterKey = CryptoSettings.masterKey(root, secrets);
        return new ServerConfig(issuer, port, data, database, management, tls, crypto, masterKey, tokens, registration, outbound,
                scopes, clients, branding, sessions, ClaimSettings.bind(root), PasswordSettings.bind(root),
                UserSettings.bind(root, secrets), TokenProfileSettings.resources(root.get("resources"), lines),
                SmartSettings.bind(root, lines), trustedProxies);
    }

    private static void set(ObjectNode root, String dotted, String value) {
        String[] parts = dotted.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            if (!(child instanceof ObjectNode)) {
                child = node.putObject(parts[i]);
            }
            node = (ObjectNode) child;
        }
        String leaf = parts[parts.length - 1];
        if (LISTS.contains(dotted)) {
            ArrayNode arr = node.putArray(leaf);
            for (String s : value.split(",")) {
                if (!s.isBlank()) arr.add(s.trim());
            }
        } else {
            node.put(leaf, value);
        }
    }

    /**
     * Parses {@code 300}, {@code 300s}, {@code 5m}, {@code 1h}, {@code 1d}, {@code 500ms} or ISO-8601 {@code PT5M},
     * as every duration setting is read; for the command line's duration options.
     */
    public static Duration parseDuration(String setting, String text) {
        return ConfigNodes.parseDuration(setting, text);
    }

    private static String firstLine(String s) {
        return s == null ? "unreadable" : s.lines().findFirst().orElse(s);
    }

    /** A configuration problem; the message names the setting. */
    public static final class ConfigException extends RuntimeException {
        public ConfigException(String message) {
            super(message);
        }
    }
}
