package dev.latch.gateway.config;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import dev.latch.client.auth.ClientAssertion;
import dev.latch.client.auth.ClientAuthentication;
import dev.latch.client.auth.ProviderPresets;
import dev.latch.client.fetch.EndpointUrls;
import dev.latch.client.keys.KeyLoader;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.core.secret.SecretReference;
import dev.latch.gateway.config.GatewayConfig.Cors;
import dev.latch.gateway.config.GatewayConfig.ForwardAuth;
import dev.latch.gateway.config.GatewayConfig.IdentityHeaders;
import dev.latch.gateway.config.GatewayConfig.Issuer;
import dev.latch.gateway.config.GatewayConfig.Mode;
import dev.latch.gateway.config.GatewayConfig.RateLimit;
import dev.latch.gateway.config.GatewayConfig.Route;
import dev.latch.gateway.config.GatewayConfig.Smart;
import dev.latch.gateway.config.GatewayConfig.Sso;
import dev.latch.gateway.config.GatewayConfig.Timeouts;
import dev.latch.gateway.config.GatewayConfig.Tls;
import dev.latch.gateway.config.GatewayConfig.Token;
import dev.latch.resource.AccessRule;
import dev.latch.resource.IssuerSettings;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a {@link GatewayConfig} from, in rising precedence: the defaults declared here, gateway.yaml,
 * the {@code LATCH_GATEWAY_*} environment ({@link #ENVIRONMENT}) and command-line flags. Everything is
 * checked before anything is used, and every problem is reported at once, each naming the file, line and
 * key (or the variable or flag): a gateway that starts has a configuration that means what it says.
 *
 * <p>Unknown keys are refused at every level. Secret-valued keys ({@code client-secret},
 * {@code private-key-password}) take {@code ${env:NAME}} or {@code ${file:PATH}} only, unless
 * {@code LATCH_ALLOW_LITERAL_SECRETS=true} (then a warning is logged), as the CLI's secret options do;
 * a reference that resolves to nothing is a problem naming the key and the variable or file.
 */
public final class GatewayConfigLoader {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayConfigLoader.class);

    /** Environment variables and the setting each overrides. */
    public static final Map<String, String> ENVIRONMENT = ordered(
            "LATCH_GATEWAY_PORT", "port",
            "LATCH_GATEWAY_HOST", "host",
            "LATCH_GATEWAY_MANAGEMENT_PORT", "management-port",
            "LATCH_GATEWAY_TLS_CERT", "tls.cert",
            "LATCH_GATEWAY_TLS_KEY", "tls.key");

    /** The settings flags may override, and the flag each problem names. */
    static final Map<String, String> FLAGS = ordered(
            "port", "--port",
            "host", "--host",
            "management-port", "--management-port",
            "tls.cert", "--tls-cert",
            "tls.key", "--tls-key");

    /** The environment variable that lets secret-valued keys hold the secret itself (as for the CLI). */
    public static final String ALLOW_LITERAL_SECRETS = "LATCH_ALLOW_LITERAL_SECRETS";

    // Defaults, documented in docs/gateway-configuration.md
    static final int DEFAULT_PORT = 8000;
    static final String DEFAULT_HOST = "0.0.0.0";
    static final int DEFAULT_MANAGEMENT_PORT = 9000;
    static final boolean DEFAULT_ACCESS_LOG = true;
    static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);
    static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);
    /** Beyond this an expired token stays usable for longer than a reviewer would guess. */
    static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);
    static final Duration DEFAULT_JWKS_REFETCH_INTERVAL = Duration.ofSeconds(30);
    static final Duration DEFAULT_JWKS_TTL = Duration.ofMinutes(5);
    static final Duration DEFAULT_INTROSPECTION_CACHE_TTL = Duration.ofSeconds(60);
    static final List<String> DEFAULT_SCOPE_CLAIMS = List.of("scope", "scp");
    static final List<String> DEFAULT_CLIENT_ID_CLAIMS = List.of("client_id", "azp", "appid");
    static final String DEFAULT_USERNAME_CLAIM = "preferred_username";
    static final String DEFAULT_EMAIL_CLAIM = "email";
    static final IssuerSettings.TokenType DEFAULT_TYPE = IssuerSettings.TokenType.ANY;
    static final long DEFAULT_MAX_BODY = 10L * 1024 * 1024;
    static final List<String> DEFAULT_CORS_METHODS = List.of("GET", "HEAD", "POST");
    static final List<String> DEFAULT_CORS_HEADERS = List.of("Authorization", "Content-Type");
    static final Duration DEFAULT_CORS_MAX_AGE = Duration.ofMinutes(10);
    static final String DEFAULT_FORWARD_AUTH_PATH = "/_latch/auth";
    /** Strict: a token revoked at the issuer is refused from the next request on. */
    static final boolean DEFAULT_CHECK_ACTIVE = true;
    static final Duration DEFAULT_INTROSPECTION_CACHE = Duration.ZERO;
    static final long DEFAULT_MAX_RESPONSE = 8L * 1024 * 1024;
    static final Duration DEFAULT_DISCOVERY_CACHE = Duration.ofMinutes(5);

    private static final List<String> TOP = List.of("port", "host", "management-port", "tls", "access-log", "shutdown-grace",
            "issuers", "routes", "forward-auth");
    private static final List<String> TLS = List.of("cert", "key");
    private static final List<String> ISSUER = List.of("id", "issuer", "audience", "roles-claim", "scope-claim", "username-claim",
            "email-claim", "client-id-claim", "typ", "algorithms", "clock-skew", "jwks-refetch-interval", "jwks-ttl", "introspection");
    private static final List<String> INTROSPECTION = List.of("client-id", "client-secret", "auth-method", "private-key",
            "private-key-password", "alg", "kid", "cache-ttl");
    private static final List<String> ROUTE = List.of("path", "host", "upstream", "mode", "issuer", "scopes", "all-scopes", "roles",
            "claims", "forward-token", "headers", "token", "cors", "rate-limit", "timeouts", "max-body", "check-active",
            "introspection-cache", "max-response", "discovery-cache", "sso");
    private static final List<String> PROTECT_ONLY = List.of("issuer", "scopes", "all-scopes", "roles", "claims", "forward-token");
    private static final List<String> SSO_ONLY = List.of("sso");
    private static final List<String> SSO = List.of("issuer", "client-id", "client-secret", "auth-method", "private-key",
            "private-key-password", "alg", "kid", "preset", "scopes", "cookie-secret", "cookie-name", "cookie-secure", "prefix", "redirect-uri",
            "allowed-roles", "allowed-users", "allowed-claims", "roles-claim", "session-lifetime", "refresh-before",
            "sign-out-redirect", "forward-access-token", "forward-id-token");
    private static final List<String> ATTACH_ONLY = List.of("token");
    private static final List<String> SMART_ONLY = List.of("check-active", "introspection-cache", "max-response", "discovery-cache");
    private static final List<String> TOKEN = List.of("issuer", "token-endpoint", "client-id", "client-secret", "auth-method",
            "private-key", "private-key-password", "alg", "kid", "preset", "scope", "resource", "audience");
    private static final List<String> HEADERS = List.of("user", "email", "preferred-username", "groups", "client-id", "scope");
    private static final List<String> CORS = List.of("allowed-origins", "allowed-methods", "allowed-headers", "exposed-headers",
            "allow-credentials", "max-age");
    private static final List<String> RATE_LIMIT = List.of("per-second", "burst");
    private static final List<String> TIMEOUTS = List.of("connect", "idle", "total");
    private static final List<String> FORWARD_AUTH = List.of("path", "issuer", "scopes", "all-scopes", "roles", "claims", "headers");

    private static final List<String> MODES = List.of("protect", "attach", "passthrough", "smart", "sso");
    private static final List<String> PRESETS = List.of("epic", "entra");
    static final List<String> DEFAULT_SSO_SCOPES = List.of("openid", "profile", "email");
    static final String DEFAULT_COOKIE_NAME = "_latch_sso";
    static final String DEFAULT_SSO_PREFIX = "/oauth2/";
    static final int MIN_COOKIE_SECRET_BYTES = 32;
    static final Duration DEFAULT_SESSION_LIFETIME = Duration.ofHours(12);
    static final Duration DEFAULT_REFRESH_BEFORE = Duration.ofSeconds(60);
    private static final Pattern COOKIE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final List<String> SECRET_METHODS = List.of("client_secret_basic", "client_secret_post");
    private static final List<String> AUTH_METHODS = List.of("client_secret_basic", "client_secret_post", "private_key_jwt");

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]+");
    /** RFC 9110 §5.6.2 token characters, letters upper case only: how methods are written. */
    private static final Pattern METHOD = Pattern.compile("[A-Z0-9!#$%&'*+.^_`|~-]+");
    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*"
            + "|\\[[0-9A-Fa-f:.]+\\]");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)?");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,19})\\s*(B|KiB|MiB|GiB|KB|MB|GB)?");
    /** Headers an identity header may not be: the proxy owns them. */
    private static final Set<String> RESERVED_HEADERS = Set.of("authorization", "host", "cookie", "content-length",
            "transfer-encoding", "connection", "upgrade", "te", "trailer", "proxy-authorization");

    private final Function<String, String> environment;
    private final SecretReference secrets;

    public GatewayConfigLoader(Function<String, String> environment, SecretReference secrets) {
        this.environment = environment;
        this.secrets = secrets;
    }

    /** A loader reading the process environment. */
    public static GatewayConfigLoader system() {
        return new GatewayConfigLoader(System::getenv, SecretReference.system());
    }

    /**
     * @param file      the YAML file (required for routes; may be null only for tests of the environment)
     * @param overrides dotted setting ({@code port}, {@code management-port}, {@code host}, {@code tls.cert},
     *                  {@code tls.key}) → value, from flags; null values are ignored
     * @throws GatewayConfigException holding every problem found, each one line
     */
    public GatewayConfig load(Path file, Map<String, String> overrides) {
        return new Binding(file).load(overrides == null ? Map.of() : overrides);
    }

    /** One load: the problems found so far, and the checks that add to them. */
    private final class Binding {

        private final Path file;
        private final List<String> problems = new ArrayList<>();
        /** Issuer id → whether it has an introspection client (smart routes check tokens are still active with it). */
        private final Map<String, Boolean> issuerIntrospection = new LinkedHashMap<>();
        private final boolean allowLiteralSecrets = "true".equalsIgnoreCase(environment.apply(ALLOW_LITERAL_SECRETS));

        Binding(Path file) {
            this.file = file;
        }

        GatewayConfig load(Map<String, String> overrides) {
            YamlNode root = read();
            if (root == null) {
                throw new GatewayConfigException(problems);
            }
            for (Map.Entry<String, String> e : ENVIRONMENT.entrySet()) {
                String value = environment.apply(e.getKey());
                if (value != null && !value.isEmpty()) {
                    root.set(e.getValue(), YamlNode.fromVariable(e.getKey(), e.getValue(), value));
                }
            }
            for (Map.Entry<String, String> e : overrides.entrySet()) {
                if (e.getValue() == null) {
                    continue;
                }
                String flag = FLAGS.get(e.getKey());
                if (flag == null) {
                    problems.add(e.getKey() + ": no such flag setting (known: " + String.join(", ", FLAGS.keySet()) + ")");
                } else {
                    root.set(e.getKey(), YamlNode.fromVariable(flag, e.getKey(), e.getValue()));
                }
            }
            GatewayConfig config = bind(root);
            if (!problems.isEmpty()) {
                throw new GatewayConfigException(problems);
            }
            return config;
        }

        /** The file's tree; null (with the one problem) when it cannot be read or is not YAML. */
        private YamlNode read() {
            if (file == null) {
                return YamlNode.emptyRoot(null);
            }
            String label = file.toString();
            String content;
            try {
                content = Files.readString(file);
            } catch (NoSuchFileException e) {
                problems.add(label + ": does not exist");
                return null;
            } catch (CharacterCodingException e) {
                problems.add(label + ": is not UTF-8 text");
                return null;
            } catch (IOException e) {
                problems.add(label + ": cannot be read (" + YamlNode.oneLine(e.getMessage()) + ")");
                return null;
            }
            try {
                YamlNode root = YamlNode.parse(label, content, problems);
                if (root.isScalar() && root.isNull()) {
                    return YamlNode.emptyRoot(label);
                }
                if (!root.isMapping()) {
                    problems.add(label + ":1: the configuration must be a mapping of keys (port, issuers, routes, …)");
                    return null;
                }
                return root;
            } catch (YamlNode.SyntaxException e) {
                problems.clear();
                problems.add(e.getMessage());
                return null;
            }
        }

        // ---------------------------------------------------------------- top level

        private GatewayConfig bind(YamlNode root) {
            known(root, TOP);
            int port = port(root.get("port"), DEFAULT_PORT);
            String host = bindHost(root.get("host"));
            int managementPort = port(root.get("management-port"), DEFAULT_MANAGEMENT_PORT);
            if (port > 0 && port == managementPort) {
                YamlNode at = root.get("management-port") != null ? root.get("management-port") : root.get("port");
                problem(at, "the management port must differ from the public port (both " + port + ")");
            }
            Tls tls = tls(root.get("tls"));
            boolean accessLog = bool(root.get("access-log"), DEFAULT_ACCESS_LOG);
            Duration shutdownGrace = duration(root.get("shutdown-grace"), DEFAULT_SHUTDOWN_GRACE, Duration.ZERO, null);
            Set<String> issuerIds = new LinkedHashSet<>();
            Map<String, Issuer> issuers = issuers(root.get("issuers"), issuerIds);
            List<Route> routes = routes(root, issuerIds, root.get("forward-auth") != null);
            ForwardAuth forwardAuth = forwardAuth(root.get("forward-auth"), issuerIds);
            if (!problems.isEmpty()) {
                return null;
            }
            return new GatewayConfig(port, host, managementPort, tls, issuers, routes, forwardAuth, accessLog, shutdownGrace);
        }

        private String bindHost(YamlNode node) {
            String host = text(node);
            if (host == null) {
                return DEFAULT_HOST;
            }
            if (host.isBlank() || host.chars().anyMatch(Character::isWhitespace) || host.contains("/")) {
                problem(node, "must be an address or host name to listen on (was " + quote(host) + ")");
            }
            return host;
        }

        private Tls tls(YamlNode node) {
            if (node == null || !mapping(node)) {
                return null;
            }
            known(node, TLS);
            YamlNode cert = node.get("cert");
            YamlNode key = node.get("key");
            if (cert == null && key == null) {
                return null;
            }
            if (cert == null || key == null) {
                YamlNode given = cert != null ? cert : key;
                problem(given, "TLS needs both tls.cert and tls.key: " + (cert == null ? "tls.cert" : "tls.key") + " is missing");
                return null;
            }
            Path certFile = readableFile(cert);
            Path keyFile = readableFile(key);
            return certFile == null || keyFile == null ? null : new Tls(certFile, keyFile);
        }

        private Path readableFile(YamlNode node) {
            String value = text(node);
            if (value == null) {
                return null;
            }
            Path path;
            try {
                path = Path.of(value);
            } catch (java.nio.file.InvalidPathException e) {
                problem(node, "is not a file path (was " + quote(value) + ")");
                return null;
            }
            if (!Files.exists(path)) {
                problem(node, "file " + value + " does not exist");
            } else if (!Files.isRegularFile(path)) {
                problem(node, value + " is not a file");
            } else if (!Files.isReadable(path)) {
                problem(node, "file " + value + " cannot be read: permission denied");
            } else {
                return path;
            }
            return null;
        }

        // ---------------------------------------------------------------- issuers

        private Map<String, Issuer> issuers(YamlNode node, Set<String> ids) {
            Map<String, Issuer> issuers = new LinkedHashMap<>();
            if (node == null || !sequence(node)) {
                return issuers;
            }
            Map<String, String> seen = new LinkedHashMap<>();
            for (YamlNode item : node.items()) {
                if (!mapping(item)) {
                    continue;
                }
                int before = problems.size();
                known(item, ISSUER);
                YamlNode idNode = item.get("id");
                String id = required(item, "id");
                if (id != null) {
                    if (!ID.matcher(id).matches()) {
                        problem(idNode, "must be letters, digits, '.', '_' or '-' (was " + quote(id) + ")");
                    } else if (seen.containsKey(id)) {
                        problem(idNode, "the id " + quote(id) + " is taken by " + seen.get(id));
                    } else {
                        seen.put(id, item.path());
                    }
                    ids.add(id);
                }
                String issuer = null;
                YamlNode issuerNode = item.get("issuer");
                if (required(item, "issuer") != null) {
                    URI uri = endpoint(issuerNode);
                    issuer = uri == null ? null : issuerNode.text();
                }
                List<String> audiences = nonEmptyStrings(item, "audience", null, "must name at least one audience");
                List<String> roleClaims = nonEmptyStrings(item, "roles-claim", IssuerSettings.DEFAULT_ROLE_CLAIMS, "must name at least one claim");
                List<String> scopeClaims = nonEmptyStrings(item, "scope-claim", DEFAULT_SCOPE_CLAIMS, "must name at least one claim");
                String usernameClaim = nonEmpty(item.get("username-claim"), DEFAULT_USERNAME_CLAIM);
                String emailClaim = nonEmpty(item.get("email-claim"), DEFAULT_EMAIL_CLAIM);
                List<String> clientIdClaims = nonEmptyStrings(item, "client-id-claim", DEFAULT_CLIENT_ID_CLAIMS, "must name at least one claim");
                IssuerSettings.TokenType type = tokenType(item.get("typ"));
                Set<String> algorithms = algorithms(item.get("algorithms"));
                Duration clockSkew = duration(item.get("clock-skew"), DEFAULT_CLOCK_SKEW, Duration.ZERO, MAX_CLOCK_SKEW);
                Duration refetch = duration(item.get("jwks-refetch-interval"), DEFAULT_JWKS_REFETCH_INTERVAL, Duration.ofMillis(1), null);
                Duration ttl = duration(item.get("jwks-ttl"), DEFAULT_JWKS_TTL, Duration.ofMillis(1), null);
                ClientAuthentication introspection = null;
                Duration cacheTtl = DEFAULT_INTROSPECTION_CACHE_TTL;
                YamlNode intro = item.get("introspection");
                if (intro != null && mapping(intro)) {
                    known(intro, INTROSPECTION);
                    introspection = clientAuthentication(intro, false);
                    cacheTtl = duration(intro.get("cache-ttl"), DEFAULT_INTROSPECTION_CACHE_TTL, Duration.ZERO, null);
                }
                if (id != null) {
                    issuerIntrospection.putIfAbsent(id, intro != null);
                }
                if (problems.size() == before && id != null && issuer != null) {
                    IssuerSettings settings = new IssuerSettings(issuer, new LinkedHashSet<>(audiences), algorithms, type, clockSkew,
                            roleClaims, scopeClaims, usernameClaim, emailClaim, clientIdClaims, introspection, cacheTtl, refetch, ttl);
                    issuers.put(id, new Issuer(id, settings));
                }
            }
            return issuers;
        }

        private IssuerSettings.TokenType tokenType(YamlNode node) {
            String value = text(node);
            if (value == null) {
                return DEFAULT_TYPE;
            }
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "at+jwt", "application/at+jwt" -> IssuerSettings.TokenType.AT_JWT;
                case "jwt" -> IssuerSettings.TokenType.JWT;
                case "any" -> IssuerSettings.TokenType.ANY;
                default -> {
                    problem(node, "must be at+jwt, JWT or any (was " + quote(value) + ")");
                    yield DEFAULT_TYPE;
                }
            };
        }

        private Set<String> algorithms(YamlNode node) {
            if (node == null) {
                return IssuerSettings.DEFAULT_ALGORITHMS;
            }
            Set<String> algorithms = new LinkedHashSet<>();
            List<YamlNode> items = scalars(node);
            if (items.isEmpty() && (node.isSequence())) {
                problem(node, "must name at least one algorithm");
            }
            for (YamlNode item : items) {
                String name = item.text();
                if (name.equalsIgnoreCase("none")) {
                    problem(item, "none is refused: tokens must be signed (use " + String.join(", ", JwsAlgorithms.asymmetricNames()) + ")");
                } else if (JwsAlgorithms.hmacNames().contains(name.toUpperCase(Locale.ROOT))) {
                    problem(item, name + " is refused: it is an HMAC (shared secret) algorithm, and the gateway verifies tokens with"
                            + " the issuer's public keys (use RS*, PS*, ES* or EdDSA)");
                } else if (!JwsAlgorithms.asymmetricNames().contains(name)) {
                    problem(item, "unsupported algorithm " + quote(name) + " (supported: " + String.join(", ", JwsAlgorithms.asymmetricNames()) + ")");
                } else {
                    algorithms.add(name);
                }
            }
            return algorithms;
        }

        // ---------------------------------------------------------------- client authentication

        /**
         * The client authentication of an issuer's introspection or a route's token, as {@code latch token}
         * builds it: a secret (client_secret_basic by default, or client_secret_post), or a private key
         * (private_key_jwt, with {@code alg} unless a preset gives it). Null when there are problems.
         *
         * @param tokenEndpointAudience an assertion's {@code aud} is the URL it is posted to (only a token endpoint is known)
         */
        private ClientAuthentication clientAuthentication(YamlNode node, boolean tokenEndpointAudience) {
            int before = problems.size();
            String clientId = required(node, "client-id");
            YamlNode secretNode = node.get("client-secret");
            YamlNode keyNode = node.get("private-key");
            YamlNode methodNode = node.get("auth-method");
            YamlNode algNode = node.get("alg");
            YamlNode presetNode = node.get("preset");
            String method = text(methodNode);
            if (method != null && !AUTH_METHODS.contains(method)) {
                problem(methodNode, "must be " + String.join(", ", AUTH_METHODS.subList(0, AUTH_METHODS.size() - 1))
                        + " or " + AUTH_METHODS.getLast() + " (was " + quote(method) + ")");
                method = null;
            }
            if (secretNode != null && keyNode != null) {
                problem(keyNode, "give client-secret or private-key, not both");
                return null;
            }
            if (secretNode == null && keyNode == null) {
                problems.add(node.whereOf("client-secret") + ": client-secret or private-key is required");
                return null;
            }
            if (secretNode != null) {
                for (String keyOnly : List.of("private-key-password", "alg", "kid", "preset")) {
                    if (node.get(keyOnly) != null) {
                        problem(node.get(keyOnly), "only with private-key");
                    }
                }
                if (method != null && !SECRET_METHODS.contains(method)) {
                    problem(methodNode, method + " needs private-key (with client-secret: client_secret_basic or client_secret_post)");
                }
                String secret = secret(secretNode);
                if (problems.size() > before || clientId == null || secret == null) {
                    return null;
                }
                return "client_secret_post".equals(method)
                        ? ClientAuthentication.clientSecretPost(clientId, secret)
                        : ClientAuthentication.clientSecretBasic(clientId, secret);
            }
            if (method != null && !method.equals("private_key_jwt")) {
                problem(methodNode, method + " needs client-secret (with private-key: private_key_jwt)");
            }
            String preset = text(presetNode);
            if (preset != null && !PRESETS.contains(preset)) {
                problem(presetNode, "must be epic or entra (was " + quote(preset) + ")");
                preset = null;
            }
            String alg = text(algNode);
            JWSAlgorithm algorithm = null;
            if (alg != null) {
                if (JwsAlgorithms.hmacNames().contains(alg) || alg.equalsIgnoreCase("none")) {
                    problem(algNode, alg + " is not for private_key_jwt: a private key signs with RS*, PS*, ES* or Ed25519");
                } else if (!JwsAlgorithms.asymmetricNames().contains(alg)) {
                    problem(algNode, "unsupported algorithm " + quote(alg) + " (supported: " + String.join(", ", JwsAlgorithms.asymmetricNames()) + ")");
                } else {
                    algorithm = JwsAlgorithms.asymmetric(alg);
                    if ("entra".equals(preset) && !JWSAlgorithm.PS256.equals(algorithm)) {
                        problem(algNode, "preset entra signs with PS256, not " + alg);
                    }
                }
            } else if (presetNode == null) {
                problems.add(node.whereOf("alg") + ": is required with private-key (e.g. RS256, ES256, PS256), unless a preset gives it");
            }
            String kid = text(node.get("kid"));
            String password = secret(node.get("private-key-password"));
            JWK key = privateKey(keyNode, password);
            if (problems.size() > before || clientId == null || key == null) {
                return null;
            }
            try {
                ClientAssertion.Builder builder;
                if ("epic".equals(preset)) {
                    JWSAlgorithm a = algorithm != null ? algorithm : key instanceof ECKey ? JWSAlgorithm.ES384 : JWSAlgorithm.RS384;
                    builder = ProviderPresets.epicBackendServices(clientId, key, a);
                } else if ("entra".equals(preset)) {
                    builder = ProviderPresets.entraIdCertificate(clientId, key);
                } else {
                    builder = ClientAssertion.builder(clientId).key(key, algorithm);
                    if (tokenEndpointAudience) {
                        builder.audience(ClientAssertion.Audience.TOKEN_ENDPOINT);
                    }
                }
                if (kid != null) {
                    builder.keyId(kid);
                }
                return ClientAuthentication.privateKeyJwt(builder.build());
            } catch (RuntimeException e) {
                YamlNode at = presetNode != null ? presetNode : algNode != null ? algNode : keyNode;
                problem(at, YamlNode.oneLine(e.getMessage()));
                return null;
            }
        }

        /** A secret-valued key: a reference resolved through {@link SecretReference}, or a literal when allowed. */
        private String secret(YamlNode node) {
            String value = text(node);
            if (value == null) {
                return null;
            }
            SecretReference.Kind kind = SecretReference.parse(value).kind();
            if (kind == SecretReference.Kind.STANDARD_INPUT) {
                problem(node, "standard input (-) is not read for the gateway's configuration: use ${env:NAME} or ${file:PATH}");
                return null;
            }
            if (kind == SecretReference.Kind.LITERAL) {
                if (!allowLiteralSecrets) {
                    problem(node, "a secret is not written into the configuration: use ${env:NAME} or ${file:PATH} ("
                            + ALLOW_LITERAL_SECRETS + "=true allows it)");
                    return null;
                }
                LOG.warn("{}: the secret is written into the configuration file ({}=true); prefer ${{env:NAME}} or ${{file:PATH}}",
                        node.where(), ALLOW_LITERAL_SECRETS);
                return value;
            }
            try {
                return secrets.resolve(node.path(), value);
            } catch (SecretReference.SecretResolutionException e) {
                problems.add(node.at() + YamlNode.oneLine(e.getMessage()));
                return null;
            }
        }

        private JWK privateKey(YamlNode node, String password) {
            String value = text(node);
            if (value == null) {
                return null;
            }
            if (value.contains("-----BEGIN") || value.strip().startsWith("{")) {
                problem(node, "the key itself is not written into the configuration: give a path, ${file:PATH} or ${env:NAME}");
                return null;
            }
            try {
                return new KeyLoader(secrets).loadPrivateKey(value, password == null ? null : password.toCharArray());
            } catch (RuntimeException e) {
                problem(node, YamlNode.oneLine(e.getMessage()));
                return null;
            }
        }

        // ---------------------------------------------------------------- routes

        /** @param forwardAuthOnly a gateway with a forward-auth endpoint needs no route (it may only answer nginx auth_request) */
        private List<Route> routes(YamlNode root, Set<String> issuerIds, boolean forwardAuthOnly) {
            List<Route> routes = new ArrayList<>();
            YamlNode node = root.get("routes");
            if (node == null) {
                if (!forwardAuthOnly) {
                    problems.add(root.whereOf("routes") + ": at least one route is required (or forward-auth)"
                            + (file == null ? " (no configuration file was given)" : ""));
                }
                return routes;
            }
            if (!sequence(node)) {
                return routes;
            }
            if (node.items().isEmpty() && !forwardAuthOnly) {
                problem(node, "at least one route is required (or forward-auth)");
            }
            Map<String, String> seen = new LinkedHashMap<>();
            for (YamlNode item : node.items()) {
                if (!mapping(item)) {
                    continue;
                }
                int before = problems.size();
                Route route = route(item, issuerIds);
                if (route != null && problems.size() == before) {
                    String key = (route.host() == null ? "*" : route.host()) + " " + route.path();
                    String other = seen.putIfAbsent(key, item.path());
                    String otherSignIn = route.sso() == null ? null
                            : seen.putIfAbsent((route.host() == null ? "*" : route.host()) + " sso " + route.sso().prefix(), item.path());
                    if (other != null) {
                        problem(item.get("path"), "the same host and path as " + other);
                    } else if (otherSignIn != null) {
                        problem(item.get("sso"), "the sign-in paths " + route.sso().prefix() + " are already " + otherSignIn
                                + "'s on this host; give one route another sso.prefix");
                    } else {
                        routes.add(route);
                    }
                }
            }
            return routes;
        }

        private Route route(YamlNode item, Set<String> issuerIds) {
            int before = problems.size();
            known(item, ROUTE);
            String path = requestPath(item, "path", null);
            YamlNode hostNode = item.get("host");
            String host = text(hostNode);
            if (host != null) {
                if (!HOST_NAME.matcher(host).matches()) {
                    problem(hostNode, "must be a host name without port or scheme (was " + quote(host) + ")");
                }
                host = host.toLowerCase(Locale.ROOT);
            }
            URI upstream = upstream(item);
            Mode mode = mode(item);
            if (mode != null) {
                for (String key : PROTECT_ONLY) {
                    if (!mode.protects() && item.get(key) != null) {
                        problem(item.get(key), "only for mode protect or smart");
                    }
                }
                for (String key : SMART_ONLY) {
                    if (mode != Mode.SMART && item.get(key) != null) {
                        problem(item.get(key), "only for mode smart");
                    }
                }
                for (String key : ATTACH_ONLY) {
                    if (mode != Mode.ATTACH && item.get(key) != null) {
                        problem(item.get(key), "only for mode attach");
                    }
                }
                for (String key : SSO_ONLY) {
                    if (mode != Mode.SSO && item.get(key) != null) {
                        problem(item.get(key), "only for mode sso");
                    }
                }
                if (!mode.protects() && mode != Mode.SSO && item.get("headers") != null) {
                    problem(item.get("headers"), "only for mode protect, smart or sso");
                }
            }
            boolean protect = mode == null || mode.protects();
            boolean attach = mode == null || mode == Mode.ATTACH;
            String issuer = null;
            Map<String, AccessRule> rules = Map.of();
            boolean forwardToken = false;
            IdentityHeaders headers = IdentityHeaders.DEFAULT;
            if (protect) {
                issuer = issuerReference(item, mode != null, issuerIds);
                rules = rules(item);
                forwardToken = bool(item.get("forward-token"), false);
                headers = identityHeaders(item.get("headers"));
            } else if (mode == Mode.SSO) {
                headers = identityHeaders(item.get("headers"));
            }
            Token token = null;
            if (attach) {
                if (item.get("token") != null) {
                    token = token(item.get("token"));
                } else if (mode == Mode.ATTACH) {
                    problems.add(item.whereOf("token") + ": is required for mode attach (how the gateway gets its token)");
                }
            }
            Cors cors = cors(item.get("cors"));
            RateLimit rateLimit = rateLimit(item.get("rate-limit"));
            Timeouts timeouts = timeouts(item.get("timeouts"));
            long maxBody = size(item.get("max-body"), DEFAULT_MAX_BODY);
            Smart smart = mode == Mode.SMART ? smart(item, issuer) : null;
            Sso sso = null;
            if (mode == Mode.SSO) {
                if (item.get("sso") == null) {
                    problems.add(item.whereOf("sso") + ": is required for mode sso (the provider, client and cookie secret)");
                } else {
                    sso = sso(item.get("sso"));
                }
            }
            if (problems.size() > before || path == null || upstream == null || mode == null) {
                return null;
            }
            return new Route(path, host, upstream, mode, issuer, rules, forwardToken, headers, token, cors, rateLimit, timeouts,
                    maxBody, smart, sso);
        }

        /** An sso route's {@code sso} block. */
        private Sso sso(YamlNode node) {
            if (!mapping(node)) {
                return null;
            }
            int before = problems.size();
            known(node, SSO);
            URI issuer = node.get("issuer") == null ? null : endpoint(node.get("issuer"));
            if (node.get("issuer") == null) {
                problems.add(node.whereOf("issuer") + ": is required (the OpenID provider, found by discovery)");
            }
            ClientAuthentication authentication = clientAuthentication(node, false);
            List<String> scopes = node.get("scopes") == null ? DEFAULT_SSO_SCOPES : List.copyOf(names(node.get("scopes"), true));
            if (node.get("scopes") != null && !scopes.contains("openid")) {
                problem(node.get("scopes"), "must include openid (sign-in needs an ID token)");
            }
            List<String> cookieSecrets = new ArrayList<>();
            YamlNode secretsNode = node.get("cookie-secret");
            if (secretsNode == null) {
                problems.add(node.whereOf("cookie-secret") + ": is required (32 bytes or more; ${env:NAME} or ${file:PATH};"
                        + " a list for rotation, the first one seals new sessions)");
            } else {
                for (YamlNode item : scalars(secretsNode)) {
                    String secret = secret(item);
                    if (secret != null && secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < MIN_COOKIE_SECRET_BYTES) {
                        problem(item, "a cookie secret must be " + MIN_COOKIE_SECRET_BYTES + " bytes or more (was "
                                + secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + "); e.g. openssl rand -base64 32");
                    } else if (secret != null) {
                        cookieSecrets.add(secret);
                    }
                }
            }
            String cookieName = nonEmpty(node.get("cookie-name"), DEFAULT_COOKIE_NAME);
            if (cookieName != null && !COOKIE_NAME.matcher(cookieName).matches()) {
                problem(node.get("cookie-name"), "must be letters, digits, '_' or '-' (was " + quote(cookieName) + ")");
            }
            Boolean cookieSecure = node.get("cookie-secure") == null ? null : bool(node.get("cookie-secure"), false);
            String prefix = requestPath(node, "prefix", DEFAULT_SSO_PREFIX);
            if (prefix != null && !prefix.endsWith("/")) {
                problem(node.get("prefix"), "must end with \"/\" (was " + quote(prefix) + ")");
            }
            URI redirectUri = null;
            if (node.get("redirect-uri") != null) {
                redirectUri = endpoint(node.get("redirect-uri"));
                if (redirectUri != null && prefix != null && !(prefix + "callback").equals(redirectUri.getRawPath())) {
                    problem(node.get("redirect-uri"), "must end in the callback path " + prefix + "callback (was " + quote(redirectUri.toString()) + ")");
                }
            }
            List<String> allowedRoles = node.get("allowed-roles") == null ? List.of() : List.copyOf(names(node.get("allowed-roles"), false));
            List<String> allowedUsers = node.get("allowed-users") == null ? List.of()
                    : nonEmptyStrings(node, "allowed-users", List.of(), "list at least one user or leave allowed-users out");
            Map<String, List<String>> allowedClaims = node.get("allowed-claims") == null ? Map.of() : claims(node.get("allowed-claims"));
            List<String> roleClaims = nonEmptyStrings(node, "roles-claim", IssuerSettings.DEFAULT_ROLE_CLAIMS,
                    "list at least one claim or leave roles-claim out");
            Duration lifetime = duration(node.get("session-lifetime"), DEFAULT_SESSION_LIFETIME, Duration.ofMinutes(1), Duration.ofDays(30));
            Duration refreshBefore = duration(node.get("refresh-before"), DEFAULT_REFRESH_BEFORE, Duration.ZERO, Duration.ofHours(1));
            String signOut = nonEmpty(node.get("sign-out-redirect"), "/");
            if (signOut != null && !signOut.startsWith("/")) {
                URI uri = parseUri(signOut);
                if (uri == null || !uri.isAbsolute() || !List.of("http", "https").contains(uri.getScheme().toLowerCase(Locale.ROOT))) {
                    problem(node.get("sign-out-redirect"), "must be a path on this site (\"/\") or an absolute http(s) URL (was " + quote(signOut) + ")");
                }
            } else if (signOut != null && (signOut.startsWith("//") || signOut.startsWith("/\\") || parseUri(signOut) == null
                    || signOut.chars().anyMatch(c -> c < 0x21 || c == 0x7f || c == '\\'))) {
                problem(node.get("sign-out-redirect"), "must be a path on this site (\"/\") or an absolute http(s) URL (was " + quote(signOut) + ")");
            }
            boolean forwardAccess = bool(node.get("forward-access-token"), false);
            boolean forwardId = bool(node.get("forward-id-token"), false);
            if (problems.size() > before || issuer == null || authentication == null || cookieSecrets.isEmpty()) {
                return null;
            }
            return new Sso(issuer, authentication, scopes, cookieSecrets, cookieName, cookieSecure, prefix, redirectUri,
                    allowedRoles, allowedUsers, allowedClaims, roleClaims, lifetime, refreshBefore, signOut, forwardAccess, forwardId);
        }

        /** A smart route's keys; checking tokens are still active needs the issuer's introspection client. */
        private Smart smart(YamlNode item, String issuer) {
            int before = problems.size();
            boolean checkActive = bool(item.get("check-active"), DEFAULT_CHECK_ACTIVE);
            boolean checkActiveRead = problems.size() == before;
            Duration cache = duration(item.get("introspection-cache"), DEFAULT_INTROSPECTION_CACHE, Duration.ZERO, null);
            long maxResponse = size(item.get("max-response"), DEFAULT_MAX_RESPONSE);
            if (maxResponse < 0 || maxResponse > Integer.MAX_VALUE - 8) {
                problem(item.get("max-response"), "must be a size up to 2GiB (responses are read whole to be checked)");
            }
            Duration discovery = duration(item.get("discovery-cache"), DEFAULT_DISCOVERY_CACHE, Duration.ZERO, null);
            if (checkActive && checkActiveRead && issuer != null && issuerIntrospection.containsKey(issuer) && !issuerIntrospection.get(issuer)) {
                YamlNode at = item.get("check-active") != null ? item.get("check-active") : item.get("mode");
                problem(at, "mode smart checks that each token is still active (not revoked) by introspection at the issuer:"
                        + " give issuer " + quote(issuer) + " an introspection client, or set check-active: false");
            }
            return new Smart(checkActive, cache, maxResponse, discovery);
        }

        private String requestPath(YamlNode map, String key, String defaultValue) {
            YamlNode node = map.get(key);
            String path = defaultValue == null ? required(map, key) : text(node);
            if (path == null) {
                return node == null ? defaultValue : null;
            }
            if (!path.startsWith("/") || path.chars().anyMatch(c -> Character.isWhitespace(c) || c == '?' || c == '#')) {
                problem(node, "must be a path starting with \"/\", without query or fragment (was " + quote(path) + ")");
                return null;
            }
            return path;
        }

        private URI upstream(YamlNode item) {
            YamlNode node = item.get("upstream");
            String value = required(item, "upstream");
            if (value == null) {
                return null;
            }
            URI uri = parseUri(value);
            String scheme = uri == null || uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (uri == null || !uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https"))
                    || uri.getHost() == null || uri.getHost().isEmpty()) {
                problem(node, "must be an absolute http(s) URL (was " + quote(value) + ")");
                return null;
            }
            if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                problem(node, "must be scheme://host[:port][/path], without user, query or fragment (was " + quote(value) + ")");
                return null;
            }
            return uri;
        }

        private Mode mode(YamlNode item) {
            YamlNode node = item.get("mode");
            String value = required(item, "mode");
            if (value == null) {
                return null;
            }
            String mode = value.toLowerCase(Locale.ROOT);
            if (!MODES.contains(mode)) {
                problem(node, "must be protect, attach, passthrough, smart or sso (was " + quote(value) + ")");
                return null;
            }
            return Mode.valueOf(mode.toUpperCase(Locale.ROOT));
        }

        /** The {@code issuer} id a protect route or forward-auth names; must be declared under issuers. */
        private String issuerReference(YamlNode map, boolean required, Set<String> issuerIds) {
            YamlNode node = map.get("issuer");
            String id = required ? required(map, "issuer") : text(node);
            if (id != null && !issuerIds.contains(id)) {
                problem(node, "no issuer has the id " + quote(id) + (issuerIds.isEmpty() ? " (issuers declares none)"
                        : " (issuers: " + String.join(", ", issuerIds) + ")"));
            }
            return id;
        }

        // ---------------------------------------------------------------- rules and identity headers

        /** scopes / all-scopes / roles (per method) and claims (every method) → method → rule. */
        private Map<String, AccessRule> rules(YamlNode map) {
            Map<String, Set<String>> any = perMethod(map.get("scopes"), true);
            Map<String, Set<String>> all = perMethod(map.get("all-scopes"), true);
            Map<String, Set<String>> roles = perMethod(map.get("roles"), false);
            Map<String, List<String>> claims = claims(map.get("claims"));
            Set<String> methods = new TreeSet<>();
            methods.addAll(any.keySet());
            methods.addAll(all.keySet());
            methods.addAll(roles.keySet());
            methods.add("*");
            Map<String, AccessRule> rules = new LinkedHashMap<>();
            for (String method : methods) {
                AccessRule rule = new AccessRule(forMethod(any, method), forMethod(all, method), forMethod(roles, method), claims);
                if (!method.equals("*") || !rule.equals(AccessRule.NONE)) {
                    rules.put(method, rule);
                }
            }
            return rules;
        }

        private static Set<String> forMethod(Map<String, Set<String>> values, String method) {
            Set<String> own = values.get(method);
            return own != null ? own : values.getOrDefault("*", Set.of());
        }

        /** A method → values mapping, or a plain list (or string) for every method ({@code *}). */
        private Map<String, Set<String>> perMethod(YamlNode node, boolean scopes) {
            Map<String, Set<String>> values = new LinkedHashMap<>();
            if (node == null) {
                return values;
            }
            if (!node.isMapping()) {
                values.put("*", names(node, scopes));
                return values;
            }
            for (Map.Entry<String, YamlNode> e : node.entries().entrySet()) {
                String method = e.getKey();
                YamlNode child = e.getValue();
                if (!method.equals("*") && !METHOD.matcher(method).matches()) {
                    problem(child, "must be an HTTP method in upper case (GET, POST, …) or \"*\" for the other methods");
                    continue;
                }
                values.put(method, child.isNull() ? Set.of() : names(child, scopes));
            }
            return values;
        }

        /** Scope or role names: a list, or one string (scopes: space-separated, as in a token). */
        private Set<String> names(YamlNode node, boolean scopes) {
            Set<String> names = new LinkedHashSet<>();
            for (YamlNode item : scalars(node)) {
                String value = item.text();
                List<String> parts = scopes ? List.of(value.strip().split("\\s+")) : List.of(value);
                for (String part : parts) {
                    if (part.isEmpty()) {
                        problem(item, "must not be empty");
                    } else {
                        names.add(part);
                    }
                }
            }
            return names;
        }

        private Map<String, List<String>> claims(YamlNode node) {
            Map<String, List<String>> claims = new LinkedHashMap<>();
            if (node == null || !mapping(node)) {
                return claims;
            }
            for (Map.Entry<String, YamlNode> e : node.entries().entrySet()) {
                YamlNode child = e.getValue();
                List<String> values = child.isNull() ? List.of() : scalars(child).stream().map(YamlNode::text).toList();
                if (e.getKey().isBlank()) {
                    problem(child, "a claim path is required");
                } else if (values.isEmpty()) {
                    problem(child, "must list at least one accepted value");
                } else {
                    claims.put(e.getKey(), values);
                }
            }
            return claims;
        }

        private IdentityHeaders identityHeaders(YamlNode node) {
            if (node == null || !mapping(node)) {
                return IdentityHeaders.DEFAULT;
            }
            known(node, HEADERS);
            List<String> defaults = IdentityHeaders.DEFAULT.all();
            List<String> names = new ArrayList<>();
            Map<String, String> seen = new LinkedHashMap<>();
            for (int i = 0; i < HEADERS.size(); i++) {
                YamlNode child = node.get(HEADERS.get(i));
                String name = child == null ? defaults.get(i) : text(child);
                if (name == null) {
                    name = defaults.get(i);
                } else if (child != null && !HEADER_NAME.matcher(name).matches()) {
                    problem(child, "must be a header name (was " + quote(name) + ")");
                } else if (child != null && RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                    problem(child, name + " is a header the gateway does not let an identity header replace");
                } else if (seen.containsKey(name.toLowerCase(Locale.ROOT))) {
                    problem(child != null ? child : node, "the header " + name + " is also " + seen.get(name.toLowerCase(Locale.ROOT)));
                }
                seen.putIfAbsent(name.toLowerCase(Locale.ROOT), "headers." + HEADERS.get(i));
                names.add(name);
            }
            return new IdentityHeaders(names.get(0), names.get(1), names.get(2), names.get(3), names.get(4), names.get(5));
        }

        // ---------------------------------------------------------------- token, cors, limits

        private Token token(YamlNode node) {
            if (!mapping(node)) {
                return null;
            }
            int before = problems.size();
            known(node, TOKEN);
            YamlNode issuerNode = node.get("issuer");
            YamlNode endpointNode = node.get("token-endpoint");
            if (issuerNode != null && endpointNode != null) {
                problem(endpointNode, "give issuer (discovery) or token-endpoint, not both");
            } else if (issuerNode == null && endpointNode == null) {
                problems.add(node.whereOf("issuer") + ": issuer (found by discovery) or token-endpoint is required");
            }
            URI issuer = issuerNode == null ? null : endpoint(issuerNode);
            URI tokenEndpoint = endpointNode == null ? null : endpoint(endpointNode);
            ClientAuthentication authentication = clientAuthentication(node, issuerNode == null);
            List<String> scopes = node.get("scope") == null ? List.of() : List.copyOf(names(node.get("scope"), true));
            YamlNode resourceNode = node.get("resource");
            String resource = text(resourceNode);
            if (resource != null) {
                URI uri = parseUri(resource);
                if (uri == null || !uri.isAbsolute() || uri.getRawFragment() != null) {
                    problem(resourceNode, "must be an absolute URI without fragment (RFC 8707 §2) (was " + quote(resource) + ")");
                }
            }
            String audience = nonEmpty(node.get("audience"), null);
            if (problems.size() > before || authentication == null) {
                return null;
            }
            return new Token(issuer, tokenEndpoint, authentication, scopes, resource, audience);
        }

        private Cors cors(YamlNode node) {
            if (node == null || !mapping(node)) {
                return null;
            }
            known(node, CORS);
            boolean credentials = bool(node.get("allow-credentials"), false);
            YamlNode originsNode = node.get("allowed-origins");
            List<String> origins = new ArrayList<>();
            if (originsNode == null) {
                problems.add(node.whereOf("allowed-origins") + ": is required (the exact origins, scheme://host[:port], or \"*\")");
            } else {
                List<YamlNode> items = scalars(originsNode);
                if (items.isEmpty() && originsNode.isSequence()) {
                    problem(originsNode, "must list at least one origin");
                }
                for (YamlNode item : items) {
                    String origin = item.text();
                    if (origin.equals("*")) {
                        if (credentials) {
                            problem(item, "\"*\" cannot go with allow-credentials: true (Fetch standard): list the origins");
                        } else if (items.size() > 1) {
                            problem(item, "\"*\" stands alone: it allows every origin");
                        }
                        origins.add(origin);
                        continue;
                    }
                    String normalized = origin(origin);
                    if (normalized == null) {
                        problem(item, "must be an origin, scheme://host[:port] without path (was " + quote(origin) + ")");
                    } else {
                        origins.add(normalized);
                    }
                }
            }
            List<String> methods = tokens(node.get("allowed-methods"), DEFAULT_CORS_METHODS, METHOD, "an HTTP method in upper case", credentials);
            List<String> allowed = tokens(node.get("allowed-headers"), DEFAULT_CORS_HEADERS, HEADER_NAME, "a header name", credentials);
            List<String> exposed = tokens(node.get("exposed-headers"), List.of(), HEADER_NAME, "a header name", credentials);
            Duration maxAge = duration(node.get("max-age"), DEFAULT_CORS_MAX_AGE, Duration.ZERO, null);
            return new Cors(origins, methods, allowed, exposed, credentials, maxAge);
        }

        /** {@code https://app.example.org[:port]} in lower case, or null when it is not an origin. */
        private static String origin(String value) {
            URI uri = parseUri(value);
            if (uri == null || !uri.isAbsolute() || uri.getHost() == null || uri.getRawUserInfo() != null
                    || uri.getRawQuery() != null || uri.getRawFragment() != null || !uri.getRawPath().isEmpty()) {
                return null;
            }
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                return null;
            }
            return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        }

        private List<String> tokens(YamlNode node, List<String> defaults, Pattern pattern, String what, boolean credentials) {
            if (node == null) {
                return defaults;
            }
            List<String> values = new ArrayList<>();
            for (YamlNode item : scalars(node)) {
                String value = item.text();
                if (value.equals("*")) {
                    if (credentials) {
                        problem(item, "\"*\" cannot go with allow-credentials: true (Fetch standard): list them");
                    }
                } else if (!pattern.matcher(value).matches()) {
                    problem(item, "must be " + what + " (was " + quote(value) + ")");
                }
                values.add(value);
            }
            return values;
        }

        private RateLimit rateLimit(YamlNode node) {
            if (node == null || !mapping(node)) {
                return null;
            }
            known(node, RATE_LIMIT);
            YamlNode perSecondNode = node.get("per-second");
            String perSecondText = required(node, "per-second");
            double perSecond = -1;
            if (perSecondText != null) {
                try {
                    perSecond = Double.parseDouble(perSecondText.strip());
                } catch (NumberFormatException e) {
                    perSecond = Double.NaN;
                }
                if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
                    problem(perSecondNode, "must be a number more than 0 (was " + quote(perSecondText) + ")");
                    perSecond = -1;
                }
            }
            YamlNode burstNode = node.get("burst");
            int burst = perSecond > 0 ? (int) Math.min(Integer.MAX_VALUE, Math.ceil(perSecond)) : 1;
            String burstText = text(burstNode);
            if (burstText != null) {
                try {
                    burst = Integer.parseInt(burstText.strip());
                } catch (NumberFormatException e) {
                    burst = 0;
                }
                if (burst <= 0) {
                    problem(burstNode, "must be a whole number more than 0 (was " + quote(burstText) + ")");
                }
            }
            return perSecond > 0 && burst > 0 ? new RateLimit(perSecond, burst) : null;
        }

        private Timeouts timeouts(YamlNode node) {
            if (node == null || !mapping(node)) {
                return Timeouts.DEFAULT;
            }
            known(node, TIMEOUTS);
            Duration min = Duration.ofMillis(1);
            return new Timeouts(duration(node.get("connect"), Timeouts.DEFAULT.connect(), min, null),
                    duration(node.get("idle"), Timeouts.DEFAULT.idle(), min, null),
                    duration(node.get("total"), Timeouts.DEFAULT.total(), min, null));
        }

        private ForwardAuth forwardAuth(YamlNode node, Set<String> issuerIds) {
            if (node == null || !mapping(node)) {
                return null;
            }
            int before = problems.size();
            known(node, FORWARD_AUTH);
            String path = requestPath(node, "path", DEFAULT_FORWARD_AUTH_PATH);
            String issuer = issuerReference(node, true, issuerIds);
            Map<String, AccessRule> rules = rules(node);
            IdentityHeaders headers = identityHeaders(node.get("headers"));
            if (problems.size() > before || path == null || issuer == null) {
                return null;
            }
            return new ForwardAuth(path, issuer, rules, headers);
        }

        // ---------------------------------------------------------------- values

        private void problem(YamlNode node, String message) {
            problems.add(node.where() + ": " + YamlNode.oneLine(message));
        }

        /** Refuses keys of {@code map} not in {@code known}, naming the known ones. */
        private void known(YamlNode map, List<String> known) {
            for (Map.Entry<String, YamlNode> e : map.entries().entrySet()) {
                if (!known.contains(e.getKey())) {
                    problem(e.getValue(), "unknown key (known: " + String.join(", ", new TreeSet<>(known)) + ")");
                }
            }
        }

        private boolean mapping(YamlNode node) {
            if (node.isMapping()) {
                return true;
            }
            problem(node, "must be a mapping (key: value), not " + describe(node));
            return false;
        }

        private boolean sequence(YamlNode node) {
            if (node.isSequence()) {
                return true;
            }
            problem(node, "must be a list, not " + describe(node));
            return false;
        }

        private static String describe(YamlNode node) {
            return switch (node.kind()) {
                case MAPPING -> "a mapping";
                case SEQUENCE -> "a list";
                case SCALAR -> "the value " + quote(node.text());
            };
        }

        /** A single value, or null when absent (or not a single value: a problem). */
        private String text(YamlNode node) {
            if (node == null || node.isNull()) {
                return null;
            }
            if (!node.isScalar()) {
                problem(node, "must be a single value, not " + describe(node));
                return null;
            }
            return node.text();
        }

        private String required(YamlNode map, String key) {
            YamlNode node = map.get(key);
            if (node == null) {
                problems.add(map.whereOf(key) + ": is required");
                return null;
            }
            String value = text(node);
            if (value != null && value.isBlank()) {
                problem(node, "must not be empty");
                return null;
            }
            return value;
        }

        private String nonEmpty(YamlNode node, String defaultValue) {
            String value = text(node);
            if (value == null) {
                return defaultValue;
            }
            if (value.isBlank()) {
                problem(node, "must not be empty");
            }
            return value;
        }

        /** The items of a list of single values, or the one value; problems for the rest. */
        private List<YamlNode> scalars(YamlNode node) {
            if (node.isScalar()) {
                return node.isNull() ? List.of() : List.of(node);
            }
            if (node.isMapping()) {
                problem(node, "must be a value or a list of values, not a mapping");
                return List.of();
            }
            List<YamlNode> items = new ArrayList<>();
            for (YamlNode item : node.items()) {
                if (item.isNull()) {
                    problem(item, "must not be empty");
                } else if (!item.isScalar()) {
                    problem(item, "must be a single value, not " + describe(item));
                } else {
                    items.add(item);
                }
            }
            return items;
        }

        /** A string or list of strings under {@code key}; {@code defaults} when absent (null: required). */
        private List<String> nonEmptyStrings(YamlNode map, String key, List<String> defaults, String emptyMessage) {
            YamlNode node = map.get(key);
            if (node == null) {
                if (defaults == null) {
                    problems.add(map.whereOf(key) + ": is required");
                    return List.of();
                }
                return defaults;
            }
            List<String> values = new ArrayList<>();
            for (YamlNode item : scalars(node)) {
                if (item.text().isBlank()) {
                    problem(item, "must not be empty");
                } else {
                    values.add(item.text());
                }
            }
            if (values.isEmpty() && !node.isMapping()) {
                problem(node, emptyMessage);
            }
            return values;
        }

        private int port(YamlNode node, int defaultValue) {
            String value = text(node);
            if (value == null) {
                return node == null ? defaultValue : -1;
            }
            try {
                int port = Integer.parseInt(value.strip());
                if (port >= 0 && port <= 65535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            problem(node, "must be 0-65535 (was " + quote(value) + ")");
            return -1;
        }

        private boolean bool(YamlNode node, boolean defaultValue) {
            String value = text(node);
            if (value == null) {
                return defaultValue;
            }
            if (value.strip().equalsIgnoreCase("true")) {
                return true;
            }
            if (value.strip().equalsIgnoreCase("false")) {
                return false;
            }
            problem(node, "must be true or false (was " + quote(value) + ")");
            return defaultValue;
        }

        private Duration duration(YamlNode node, Duration defaultValue, Duration min, Duration max) {
            String value = text(node);
            if (value == null) {
                return defaultValue;
            }
            Duration d = parseDuration(value);
            if (d == null) {
                problem(node, "must be a duration such as 500ms, 30s, 5m, 1h or 1d (was " + quote(value) + ")");
                return defaultValue;
            }
            if (min != null && d.compareTo(min) < 0) {
                problem(node, (min.isZero() ? "must not be negative" : "must be more than 0") + " (was " + quote(value) + ")");
            } else if (max != null && d.compareTo(max) > 0) {
                problem(node, "must be at most " + format(max) + " (was " + quote(value) + ")");
            }
            return d;
        }

        private long size(YamlNode node, long defaultValue) {
            String value = text(node);
            if (value == null) {
                return defaultValue;
            }
            Long size = parseSize(value);
            if (size == null) {
                problem(node, "must be a size such as 512KiB, 10MiB, 1GB, a number of bytes, or unlimited (was " + quote(value) + ")");
                return defaultValue;
            }
            return size;
        }

        /** An issuer or token endpoint URL: the one rule of {@link EndpointUrls#problem}. */
        private URI endpoint(YamlNode node) {
            String value = text(node);
            if (value == null) {
                return null;
            }
            URI uri = parseUri(value);
            String problem = uri == null ? "is not a URL" : EndpointUrls.problem(uri);
            if (problem != null) {
                problem(node, problem + " (was " + quote(value) + ")");
                return null;
            }
            return uri;
        }
    }

    /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 1d}, or a bare number of seconds; null when not one. */
    static Duration parseDuration(String value) {
        Matcher m = DURATION.matcher(value.strip());
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** Bytes, or with KiB/MiB/GiB (powers of 1024) or KB/MB/GB (powers of 1000); {@code unlimited} is -1; null when not a size. */
    static Long parseSize(String value) {
        String v = value.strip();
        if (v.equalsIgnoreCase("unlimited")) {
            return -1L;
        }
        Matcher m = SIZE.matcher(v);
        if (!m.matches()) {
            return null;
        }
        long factor = switch (m.group(2) == null ? "B" : m.group(2)) {
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            case "GiB" -> 1L << 30;
            case "KB" -> 1_000L;
            case "MB" -> 1_000_000L;
            case "GB" -> 1_000_000_000L;
            default -> 1L;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), factor);
        } catch (ArithmeticException | NumberFormatException e) {
            return null;
        }
    }

    private static String format(Duration d) {
        if (d.toMillis() % 60_000 == 0) {
            return d.toMinutes() + "m";
        }
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    private static URI parseUri(String value) {
        try {
            return new URI(value.strip());
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** {@code "value"}, shortened, on one line, for a problem message (never used for secrets). */
    static String quote(String value) {
        if (value == null) {
            return "null";
        }
        String v = value.replaceAll("[\\r\\n\\t]+", " ");
        if (v.length() > 80) {
            v = v.substring(0, 77) + "…";
        }
        return "\"" + v + "\"";
    }

    private static Map<String, String> ordered(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }
}
