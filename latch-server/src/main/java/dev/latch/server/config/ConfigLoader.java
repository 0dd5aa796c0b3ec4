package dev.latch.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.latch.core.secret.SecretReference;
import dev.latch.server.user.Argon2idHasher;
import dev.latch.server.user.StandardClaims;
import dev.latch.server.user.UserRegistry;
import dev.latch.server.user.UsernameKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds a {@link ServerConfig} from, in rising precedence: defaults, the YAML file, environment
 * variables ({@code LATCH_*}), and command-line options. Unknown settings are refused by name.
 * Secret-valued settings go through {@link SecretReference}; a reference that resolves to nothing
 * stops start-up naming the setting.
 */
public final class ConfigLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");
    private static final Set<String> TOP = Set.of("issuer", "port", "data", "database", "management", "tls", "crypto",
            "master-key", "tokens", "registration", "outbound", "scopes", "clients", "branding", "sessions", "claims",
            "passwords", "users", "resources");

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
            Map.entry("LATCH_OUTBOUND_ALLOW", "outbound.allow"));

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
            try {
                String content = Files.readString(file);
                JsonNode parsed = YAML.readTree(content);
                lines = YamlLines.of(file, content);
                if (parsed != null && !parsed.isMissingNode() && !parsed.isNull()) {
                    if (!parsed.isObject()) {
                        throw new ConfigException(file + ": the configuration must be a YAML mapping");
                    }
                    root = (ObjectNode) parsed;
                }
            } catch (IOException e) {
                throw new ConfigException("--config " + file + ": " + firstLine(e.getMessage()));
            }
            for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (!TOP.contains(name)) {
                    throw new ConfigException(file + ": unknown setting '" + name + "' (known: " + String.join(", ", new java.util.TreeSet<>(TOP)) + ")");
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

    private ServerConfig bind(ObjectNode root, YamlLines lines) {
        int port = intAt(root, "port", 8080);
        if (port < 0 || port > 65535) throw new ConfigException("port: must be 0-65535 (was " + port + ")");
        String issuer = text(root, "issuer");
        Path data = Path.of(text(root, "data") == null ? "./latch-data" : text(root, "data"));

        JsonNode db = obj(root, "database", Set.of("url", "user", "password", "pool-size"));
        ServerConfig.DatabaseSettings database = new ServerConfig.DatabaseSettings(text(db, "url"),
                secrets.resolve("database.user", text(db, "user")),
                secrets.resolve("database.password", text(db, "password")), intAt(db, "pool-size", 16));

        JsonNode mgmt = obj(root, "management", Set.of("host", "port"));
        String mhost = text(mgmt, "host") == null ? "127.0.0.1" : text(mgmt, "host");
        int mport = intAt(mgmt, "port", port == 0 ? 0 : port + 1000);

        JsonNode tls = obj(root, "tls", Set.of("cert", "key"));
        ServerConfig.Tls tlsSettings = new ServerConfig.Tls(pathAt(tls, "cert"), pathAt(tls, "key"));
        if ((tlsSettings.cert() == null) != (tlsSettings.key() == null)) {
            throw new ConfigException("tls: --tls-cert and --tls-key go together");
        }
        if (issuer == null) {
            issuer = (tlsSettings.enabled() ? "https" : "http") + "://localhost:" + port;
        }
        issuer = checkIssuer(issuer);

        String crypto = text(root, "crypto") == null ? "auto" : text(root, "crypto");
        if (!Set.of("auto", "native", "jdk").contains(crypto)) {
            throw new ConfigException("crypto: must be one of jdk, native, auto (was " + crypto + ")");
        }

        JsonNode tok = obj(root, "tokens", Set.of("access-token-lifetime", "max-access-token-lifetime", "default-audience", "signing-alg", "jwks-max-age",
                "id-token-lifetime", "refresh-token-idle-lifetime", "refresh-token-absolute-lifetime", "default-profile"));
        ServerConfig.Tokens tokens = new ServerConfig.Tokens(
                durationAt(tok, "tokens.access-token-lifetime", "access-token-lifetime", Duration.ofHours(1)),
                durationAt(tok, "tokens.max-access-token-lifetime", "max-access-token-lifetime", Duration.ofHours(24)),
                text(tok, "default-audience") == null ? issuer : text(tok, "default-audience"),
                text(tok, "signing-alg") == null ? "RS256" : text(tok, "signing-alg"),
                durationAt(tok, "tokens.jwks-max-age", "jwks-max-age", Duration.ofMinutes(10)),
                durationAt(tok, "tokens.id-token-lifetime", "id-token-lifetime", Duration.ofHours(1)),
                durationAt(tok, "tokens.refresh-token-idle-lifetime", "refresh-token-idle-lifetime", Duration.ofDays(30)),
                durationAt(tok, "tokens.refresh-token-absolute-lifetime", "refresh-token-absolute-lifetime", Duration.ofDays(90)),
                TokenProfileSettings.defaultProfile(tok, lines));
        try {
            dev.latch.core.jose.JwsAlgorithms.asymmetric(tokens.signingAlg());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("tokens.signing-alg: " + e.getMessage());
        }
        for (var d : Map.of("tokens.id-token-lifetime", tokens.idTokenLifetime(), "tokens.refresh-token-idle-lifetime",
                tokens.refreshTokenIdleLifetime(), "tokens.refresh-token-absolute-lifetime", tokens.refreshTokenAbsoluteLifetime()).entrySet()) {
            if (d.getValue().toSeconds() < 1) throw new ConfigException(d.getKey() + ": must be at least 1s");
        }
        if (tokens.refreshTokenIdleLifetime().compareTo(tokens.refreshTokenAbsoluteLifetime()) > 0) {
            throw new ConfigException("tokens.refresh-token-idle-lifetime: longer than tokens.refresh-token-absolute-lifetime");
        }
        if (tokens.accessTokenLifetime().compareTo(tokens.maxAccessTokenLifetime()) > 0) {
            throw new ConfigException("tokens.access-token-lifetime: longer than tokens.max-access-token-lifetime");
        }

        JsonNode reg = obj(root, "registration", Set.of("initial-access-token", "allowed-scopes", "allowed-grant-types"));
        ServerConfig.Registration registration = new ServerConfig.Registration(
                secrets.resolve("registration.initial-access-token", text(reg, "initial-access-token")),
                list(reg, "allowed-scopes", List.of()), list(reg, "allowed-grant-types", List.of("client_credentials")));

        JsonNode out = obj(root, "outbound", Set.of("allow", "timeout", "max-bytes"));
        ServerConfig.Outbound outbound = new ServerConfig.Outbound(list(out, "allow", List.of()),
                durationAt(out, "outbound.timeout", "timeout", Duration.ofSeconds(5)), intAt(out, "max-bytes", 512 * 1024));

        List<ServerConfig.ScopeSetting> scopes = new ArrayList<>();
        JsonNode sc = root.get("scopes");
        if (sc != null && !sc.isNull()) {
            if (!sc.isArray()) throw new ConfigException("scopes: must be a list");
            for (JsonNode s : sc) {
                if (s.isTextual()) scopes.add(new ServerConfig.ScopeSetting(s.asText(), null));
                else if (s.isObject() && s.hasNonNull("name")) scopes.add(new ServerConfig.ScopeSetting(s.get("name").asText(), text(s, "description")));
                else throw new ConfigException("scopes: each entry is a name or {name, description}");
            }
        }

        List<Map<String, Object>> clients = new ArrayList<>();
        JsonNode cl = root.get("clients");
        if (cl != null && !cl.isNull()) {
            if (!cl.isArray()) throw new ConfigException("clients: must be a list");
            int i = 0;
            for (JsonNode c : cl) {
                if (!c.isObject()) throw new ConfigException("clients[" + i + "]: must be a mapping");
                @SuppressWarnings("unchecked")
                Map<String, Object> map = YAML.convertValue(c, LinkedHashMap.class);
                for (String secretField : List.of("client_secret")) {
                    if (map.get(secretField) instanceof String s) {
                        map.put(secretField, secrets.resolve("clients[" + i + "]." + secretField, s));
                    }
                }
                clients.add(map);
                i++;
            }
        }

        JsonNode brand = obj(root, "branding", Set.of("product-name", "logo-url", "primary-color"));
        ServerConfig.Branding branding = new ServerConfig.Branding(
                text(brand, "product-name") == null ? "Latch" : text(brand, "product-name"),
                text(brand, "logo-url"),
                text(brand, "primary-color") == null ? "#1d4ed8" : text(brand, "primary-color"));
        if (branding.productName().isBlank() || branding.productName().length() > 100) {
            throw new ConfigException("branding.product-name: must be 1-100 characters");
        }
        // The colour goes into a style sheet: only a plain hex colour is accepted, so config cannot inject CSS.
        if (!branding.primaryColor().matches("#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")) {
            throw new ConfigException("branding.primary-color: must be #rgb or #rrggbb (was " + branding.primaryColor() + ")");
        }
        if (branding.logoUrl() != null && !(branding.logoUrl().startsWith("https://")
                || (branding.logoUrl().startsWith("/") && !branding.logoUrl().startsWith("//")))) {
            throw new ConfigException("branding.logo-url: must be an https URL or a path on this server (was " + branding.logoUrl() + ")");
        }

        JsonNode sess = obj(root, "sessions", Set.of("idle-lifetime", "absolute-lifetime"));
        ServerConfig.Sessions sessions = new ServerConfig.Sessions(
                durationAt(sess, "sessions.idle-lifetime", "idle-lifetime", Duration.ofMinutes(30)),
                durationAt(sess, "sessions.absolute-lifetime", "absolute-lifetime", Duration.ofHours(10)));
        if (sessions.idleLifetime().isZero() || sessions.idleLifetime().compareTo(sessions.absoluteLifetime()) > 0) {
            throw new ConfigException("sessions.idle-lifetime: must be positive and not longer than sessions.absolute-lifetime");
        }

        return new ServerConfig(issuer, port, data, database, new ServerConfig.Management(mhost, mport), tlsSettings, crypto,
                secrets.resolve("master-key", text(root, "master-key")), tokens, registration, outbound,
                List.copyOf(scopes), List.copyOf(clients), branding, sessions, claimMappings(root.get("claims")),
                passwords(root), users(root), TokenProfileSettings.resources(root.get("resources"), lines));
    }

    /** Claims the mappings may never set: they say who issued the token, to whom, about whom, for what and when. */
    public static final Set<String> PROTECTED_CLAIMS = Set.of("iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id",
            "scope", "azp", "auth_time", "nonce", "at_hash", "c_hash", "sid", "amr", "acr", "cnf");
    private static final Set<String> CLAIM_TARGETS = Set.of("id_token", "userinfo", "access_token");
    private static final Pattern CLAIM_NAME = Pattern.compile("[A-Za-z0-9_.:\\-]{1,100}");

    private static List<ServerConfig.ClaimMapping> claimMappings(JsonNode node) {
        List<ServerConfig.ClaimMapping> out = new ArrayList<>();
        if (node == null || node.isNull()) return List.of();
        node = indexedList(node);
        if (!node.isArray()) throw new ConfigException("claims: must be a list of {claim, source, in, scope}");
        Set<String> seen = new java.util.HashSet<>();
        int i = 0;
        for (JsonNode m : node) {
            String at = "claims[" + i + "]";
            if (!m.isObject()) throw new ConfigException(at + ": must be a mapping {claim, source, in, scope}");
            JsonNode checked = obj(JsonNodeFactory.instance.objectNode().set(at, m), at, Set.of("claim", "source", "in", "scope"));
            String claim = text(checked, "claim");
            if (claim == null || !CLAIM_NAME.matcher(claim).matches()) {
                throw new ConfigException(at + ".claim: a claim name (letters, digits, _ . : -) is required");
            }
            if (PROTECTED_CLAIMS.contains(claim)) {
                throw new ConfigException(at + ".claim: '" + claim + "' is set by the server and cannot be mapped (protected: "
                        + String.join(", ", new java.util.TreeSet<>(PROTECTED_CLAIMS)) + ")");
            }
            String source = text(checked, "source") == null ? claim : text(checked, "source");
            if (!CLAIM_NAME.matcher(source).matches()) {
                throw new ConfigException(at + ".source: must be roles, username, subject or a claim name of the user (was " + source + ")");
            }
            List<String> in = list(checked, "in", List.of("id_token", "userinfo", "access_token"));
            if (in.isEmpty()) throw new ConfigException(at + ".in: must name at least one of access_token, id_token, userinfo");
            for (String t : in) {
                if (!CLAIM_TARGETS.contains(t)) {
                    throw new ConfigException(at + ".in: '" + t + "' is not one of access_token, id_token, userinfo");
                }
                if (!seen.add(claim + "@" + t)) {
                    throw new ConfigException(at + ".claim: '" + claim + "' is already mapped into " + t);
                }
            }
            out.add(new ServerConfig.ClaimMapping(claim, source, in, text(checked, "scope")));
            i++;
        }
        return List.copyOf(out);
    }

    /** A list given on the command line as entries by index ({@code claims.0.claim=…}) as an array; any other node as it is. */
    static JsonNode indexedList(JsonNode node) {
        if (node.isObject() && node.size() > 0 && java.util.stream.StreamSupport.stream(
                java.util.Spliterators.spliteratorUnknownSize(node.fieldNames(), 0), false).allMatch(k -> k.matches("\\d{1,3}"))) {
            ArrayNode list = JsonNodeFactory.instance.arrayNode();
            new java.util.TreeMap<Integer, JsonNode>(java.util.stream.StreamSupport.stream(
                    java.util.Spliterators.spliteratorUnknownSize(node.fields(), 0), false)
                    .collect(java.util.stream.Collectors.toMap(e -> Integer.parseInt(e.getKey()), Map.Entry::getValue))).values().forEach(list::add);
            return list;
        }
        return node;
    }

    private static ServerConfig.Passwords passwords(JsonNode root) {
        JsonNode pw = obj(root, "passwords", Set.of("argon2id", "min-length"));
        JsonNode a2 = obj(pw, "argon2id", "passwords.argon2id", Set.of("memory-kib", "iterations", "parallelism"));
        ServerConfig.Argon2id argon2id = new ServerConfig.Argon2id(
                intSetting(a2, "passwords.argon2id.memory-kib", "memory-kib", Argon2idHasher.DEFAULT_MEMORY_KIB),
                intSetting(a2, "passwords.argon2id.iterations", "iterations", Argon2idHasher.DEFAULT_ITERATIONS),
                intSetting(a2, "passwords.argon2id.parallelism", "parallelism", Argon2idHasher.DEFAULT_PARALLELISM));
        try {
            new Argon2idHasher(argon2id.memoryKib(), argon2id.iterations(), argon2id.parallelism());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("passwords.argon2id: " + e.getMessage());
        }
        int minLength = intSetting(pw, "passwords.min-length", "min-length", UserRegistry.DEFAULT_MIN_PASSWORD_LENGTH);
        if (minLength < 1 || minLength > UserRegistry.MAX_PASSWORD_LENGTH) {
            throw new ConfigException("passwords.min-length: must be 1-" + UserRegistry.MAX_PASSWORD_LENGTH + " (was " + minLength + ")");
        }
        return new ServerConfig.Passwords(argon2id, minLength);
    }

    /** {@code users:} entries; passwords must be references, so that no password sits in the file. */
    private List<ServerConfig.UserSetting> users(JsonNode root) {
        JsonNode list = root.get("users");
        if (list == null || list.isNull()) return List.of();
        if (!list.isArray()) throw new ConfigException("users: must be a list");
        Set<String> known = new java.util.LinkedHashSet<>(List.of("username", "password", "password_hash", "roles", "enabled"));
        known.addAll(StandardClaims.NAMES);
        List<ServerConfig.UserSetting> users = new ArrayList<>();
        Map<String, String> declaredAs = new java.util.HashMap<>();
        int i = 0;
        for (JsonNode u : list) {
            String where = "users[" + i++ + "]";
            if (!u.isObject()) throw new ConfigException(where + ": must be a mapping");
            for (Iterator<String> it = u.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!known.contains(f)) {
                    throw new ConfigException(where + "." + f + ": unknown setting (known: username, password, password_hash, roles, enabled, "
                            + "and the OpenID Connect standard claims " + String.join(", ", StandardClaims.NAMES) + ")");
                }
            }
            String username = text(u, "username");
            if (username == null || username.isBlank()) throw new ConfigException(where + ".username: required");
            // a second entry for the same user would rename and overwrite the first when applied
            String first = declaredAs.putIfAbsent(UsernameKey.of(username), where + " (" + username.strip() + ")");
            if (first != null) {
                throw new ConfigException(where + ".username: " + username.strip() + " is declared twice (first as " + first
                        + "; usernames are compared ignoring case)");
            }
            String password = text(u, "password");
            if (password != null) {
                SecretReference.Kind kind = SecretReference.parse(password).kind();
                if (kind != SecretReference.Kind.ENVIRONMENT_VARIABLE && kind != SecretReference.Kind.FILE) {
                    throw new ConfigException(where + ".password: must be ${env:NAME} or ${file:PATH}, not the password itself "
                            + "(or give password_hash, an Argon2id PHC string)");
                }
                password = secrets.resolve(where + ".password", password);
            }
            String hash = text(u, "password_hash");
            if (password != null && hash != null) {
                throw new ConfigException(where + ": give password or password_hash, not both");
            }
            boolean enabled = true;
            JsonNode en = u.get("enabled");
            if (en != null && !en.isNull()) {
                if (en.isBoolean()) enabled = en.asBoolean();
                else if (en.isTextual() && Set.of("true", "false").contains(en.asText())) enabled = Boolean.parseBoolean(en.asText());
                else throw new ConfigException(where + ".enabled: must be true or false");
            }
            JsonNode rolesNode = u.get("roles");
            if (rolesNode != null && !rolesNode.isNull() && !rolesNode.isArray() && !rolesNode.isTextual()) {
                throw new ConfigException(where + ".roles: must be a list of role names");
            }
            Map<String, Object> claims = new LinkedHashMap<>();
            for (String claim : StandardClaims.NAMES) {
                JsonNode v = u.get(claim);
                if (v != null && !v.isNull()) claims.put(claim, YAML.convertValue(v, Object.class));
            }
            users.add(new ServerConfig.UserSetting(username, claims, list(u, "roles", List.of()), enabled, password, hash));
        }
        return List.copyOf(users);
    }

    /** RFC 8414 §2: https (http only for localhost), no query, no fragment, no trailing slash. */
    static String checkIssuer(String issuer) {
        java.net.URI uri;
        try {
            uri = new java.net.URI(issuer);
        } catch (java.net.URISyntaxException e) {
            throw new ConfigException("issuer: not a URL: " + issuer);
        }
        if (uri.getScheme() == null || uri.getHost() == null || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))) {
            throw new ConfigException("issuer: must be an absolute http(s) URL (was " + issuer + ")");
        }
        if (uri.getQuery() != null || uri.getFragment() != null) {
            throw new ConfigException("issuer: must have no query or fragment (RFC 8414 §2)");
        }
        String host = uri.getHost();
        boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
        if (uri.getScheme().equals("http") && !loopback) {
            throw new ConfigException("issuer: must use https (RFC 8414 §2); http is accepted only for localhost (was " + issuer + ")");
        }
        return issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
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
        if (dotted.equals("outbound.allow")) {
            ArrayNode arr = node.putArray(leaf);
            for (String s : value.split(",")) {
                if (!s.isBlank()) arr.add(s.trim());
            }
        } else {
            node.put(leaf, value);
        }
    }

    private static JsonNode obj(JsonNode root, String name, Set<String> known) {
        return obj(root, name, name, known);
    }

    /** @param path the setting's full dotted name, for messages */
    private static JsonNode obj(JsonNode root, String name, String path, Set<String> known) {
        JsonNode n = root.get(name);
        if (n == null || n.isNull()) return JsonNodeFactory.instance.objectNode();
        if (!n.isObject()) throw new ConfigException(path + ": must be a mapping");
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw new ConfigException(path + "." + f + ": unknown setting (known: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
        }
        return n;
    }

    /** A whole number; the message names the full setting. */
    private static int intSetting(JsonNode n, String setting, String name, int dflt) {
        String t = text(n, name);
        if (t == null) return dflt;
        try {
            return Integer.parseInt(t.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(setting + ": not a whole number (was " + t + ")");
        }
    }

    private static String text(JsonNode n, String name) {
        JsonNode v = n.get(name);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static int intAt(JsonNode n, String name, int dflt) {
        String t = text(n, name);
        if (t == null) return dflt;
        try {
            return Integer.parseInt(t.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(name + ": not a whole number (was " + t + ")");
        }
    }

    private static Path pathAt(JsonNode n, String name) {
        String t = text(n, name);
        return t == null ? null : Path.of(t);
    }

    private static List<String> list(JsonNode n, String name, List<String> dflt) {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) return dflt;
        List<String> out = new ArrayList<>();
        if (v.isArray()) {
            v.forEach(x -> out.add(x.asText()));
        } else {
            for (String s : v.asText().split(",")) if (!s.isBlank()) out.add(s.trim());
        }
        return List.copyOf(out);
    }

    /** Parses {@code 300}, {@code 300s}, {@code 5m}, {@code 1h}, {@code 1d}, {@code 500ms} or ISO-8601 {@code PT5M}. */
    public static Duration parseDuration(String setting, String text) {
        String t = text.trim();
        if (t.startsWith("P") || t.startsWith("p")) {
            try {
                return Duration.parse(t.toUpperCase(java.util.Locale.ROOT));
            } catch (java.time.format.DateTimeParseException e) {
                throw new ConfigException(setting + ": not a duration (was " + text + ")");
            }
        }
        Matcher m = DURATION.matcher(t);
        if (!m.matches()) {
            throw new ConfigException(setting + ": not a duration such as 300s, 5m, 1h (was " + text + ")");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofSeconds(n);
        };
    }

    private static Duration durationAt(JsonNode n, String setting, String name, Duration dflt) {
        String t = text(n, name);
        return t == null ? dflt : parseDuration(setting, t);
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
