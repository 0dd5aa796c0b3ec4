package dev.latch.keycloak;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.latch.server.RealPart;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.stream.Stream;

/**
 * One real Keycloak for the whole test JVM: the quarkus distribution Maven unpacked into
 * {@code target/keycloak} (system property {@code keycloak.home}), started on first use with
 * {@code kc.sh start-dev} on a free port, on the JDK that runs the tests, with the realm {@code estate}
 * ({@code src/test/resources/keycloak/estate-realm.json}) imported into an empty database, and stopped
 * (the whole process tree) when the JVM exits. Its log goes to {@code target/keycloak.log}.
 *
 * <p>Keycloak is always addressed as {@code http://localhost:<port>}: the {@code iss} of its tokens
 * is built from the host a request used, so one name throughout keeps every token's issuer the same.
 *
 * <p>A missing distribution or a Keycloak that does not start skips the calling test with the reason,
 * or fails it where {@code CI} is set ({@link RealPart}).
 *
 * <p>{@link #admin()} changes the running realm through Keycloak's Admin REST API (redirect URIs,
 * identity providers, users), as an operator's script would.
 */
public final class Keycloak {

    public static final String REALM = "estate";
    static final Duration START_LIMIT = Duration.ofSeconds(240);
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Keycloak running;
    private static String failure;

    private final int port;
    private final Process process;
    private final Duration startTime;
    private final Admin admin = new Admin();

    private Keycloak(int port, Process process, Duration startTime) {
        this.port = port;
        this.process = process;
        this.startTime = startTime;
    }

    /** The running Keycloak, started on the first call; skips (or on CI fails) the caller when it cannot run. */
    public static synchronized Keycloak get() {
        if (running == null && failure == null) {
            try {
                running = start();
            } catch (StartFailure e) {
                failure = e.getMessage();
            }
        }
        RealPart.require(running != null, failure);
        return running;
    }

    /** Why Keycloak could not start, for a message: its problem and where its log is. */
    private static final class StartFailure extends Exception {
        StartFailure(String message) {
            super(message);
        }
    }

    private static Keycloak start() throws StartFailure {
        String homeProperty = System.getProperty("keycloak.home");
        if (homeProperty == null) {
            throw new StartFailure("the system property keycloak.home is not set (run the tests with Maven: "
                    + "mvn -pl latch-keycloak-test -am verify, which unpacks Keycloak into target/keycloak)");
        }
        Path home = Path.of(homeProperty);
        Path kc = home.resolve("bin/kc.sh");
        if (!Files.isRegularFile(kc)) {
            throw new StartFailure("Keycloak is not unpacked at " + home + " (the maven-dependency-plugin unpacks "
                    + "org.keycloak:keycloak-quarkus-dist in process-test-resources: run mvn -pl latch-keycloak-test -am verify)");
        }
        Path log = Path.of(System.getProperty("keycloak.log", home.resolveSibling("keycloak.log").toString()));
        try {
            // a fresh, empty database on every run: the realm is imported as the file has it
            Path data = home.resolve("data");
            deleteTree(data);
            Path imports = Files.createDirectories(data.resolve("import"));
            try (InputStream realm = Keycloak.class.getResourceAsStream("/keycloak/estate-realm.json")) {
                if (realm == null) throw new StartFailure("keycloak/estate-realm.json is not on the test class path");
                Files.copy(realm, imports.resolve("estate-realm.json"));
            }
            int port = freePort();
            int managementPort = freePort();
            ProcessBuilder pb = new ProcessBuilder("bash", kc.toString(), "start-dev", "--http-port=" + port,
                    "--http-management-port=" + managementPort, "--import-realm")
                    .directory(home.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> env = pb.environment();
            env.put("JAVA_HOME", System.getProperty("java.home"));
            env.put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
            env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", "admin");
            env.remove("JAVA_OPTS");
            env.remove("KC_DB");
            long started = System.nanoTime();
            Process process = pb.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(process)));
            URI ready = URI.create("http://localhost:" + port + "/realms/" + REALM + "/.well-known/openid-configuration");
            long deadline = started + START_LIMIT.toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new StartFailure("Keycloak exited with status " + process.exitValue() + " before it was ready; see " + log);
                }
                try {
                    HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(5)).GET().build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() == 200) {
                        Duration took = Duration.ofNanos(System.nanoTime() - started);
                        System.out.println("Keycloak ready on port " + port + " in " + took.toMillis() + " ms (JAVA_HOME "
                                + System.getProperty("java.home") + ", Java " + System.getProperty("java.version") + ")");
                        return new Keycloak(port, process, took);
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(500);
            }
            stop(process);
            throw new StartFailure("Keycloak did not answer " + ready + " within " + START_LIMIT.toSeconds() + " s; see " + log);
        } catch (IOException e) {
            throw new StartFailure("Keycloak could not be started from " + home + ": " + e + "; see " + log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartFailure("interrupted while Keycloak was starting");
        }
    }

    /** Stops kc.sh and every process under it (the JVM that is Keycloak), politely then not. */
    private static void stop(Process process) {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : tree) {
            try {
                p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    /** How long the start took (kc.sh to the realm's discovery document answering). */
    public Duration startTime() {
        return startTime;
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** {@code http://localhost:<port>} followed by {@code path}. */
    public String url(String path) {
        return "http://localhost:" + port + path;
    }

    /** The realm's issuer, exactly as its tokens carry it. */
    public String issuer() {
        return url("/realms/" + REALM);
    }

    public String tokenEndpoint() {
        return issuer() + "/protocol/openid-connect/token";
    }

    public String authorizationEndpoint() {
        return issuer() + "/protocol/openid-connect/auth";
    }

    public Admin admin() {
        return admin;
    }

    /** Posts a form to the realm's token endpoint; returns the JSON answer, failing unless it is 200. */
    public Map<String, Object> token(Map<String, String> form) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(tokenEndpoint()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(form))).build());
        if (r.statusCode() != 200) throw new AssertionError("Keycloak's token endpoint answered " + r.statusCode() + ": " + r.body());
        return json(r.body());
    }

    /** An access token of {@code clientId} by the client-credentials grant. */
    public String clientCredentialsToken(String clientId, String secret) {
        return (String) token(Map.of("grant_type", "client_credentials", "client_id", clientId, "client_secret", secret)).get("access_token");
    }

    /** The token response for {@code username} by the password grant (direct access grants) at {@code clientId}. */
    public Map<String, Object> passwordGrant(String clientId, String secret, String username, String password) {
        return token(Map.of("grant_type", "password", "client_id", clientId, "client_secret", secret,
                "username", username, "password", password, "scope", "openid"));
    }

    public static String form(Map<String, String> parameters) {
        StringJoiner j = new StringJoiner("&");
        parameters.forEach((k, v) -> j.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return j.toString();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(String body) {
        try {
            return JSON.readValue(body, Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException("not a JSON object: " + body, e);
        }
    }

    static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Keycloak's Admin REST API on the realm, as the bootstrap admin (a password-grant token from the
     * master realm's {@code admin-cli} client, fetched for each call: the master realm's tokens live 60 s).
     */
    public final class Admin {

        private String adminToken() {
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url("/realms/master/protocol/openid-connect/token")))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form(Map.of("grant_type", "password", "client_id", "admin-cli",
                            "username", "admin", "password", "admin")))).build());
            if (r.statusCode() != 200) throw new AssertionError("no admin token from Keycloak: " + r.statusCode() + " " + r.body());
            return (String) json(r.body()).get("access_token");
        }

        /** One Admin API call on {@code /admin/realms/estate/<path>}; fails unless the status is 2xx. */
        public HttpResponse<String> call(String method, String path, Object body) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url("/admin/realms/" + REALM + path)))
                    .header("Authorization", "Bearer " + adminToken())
                    .timeout(Duration.ofSeconds(30));
            try {
                if (body == null) {
                    b.method(method, HttpRequest.BodyPublishers.noBody());
                } else {
                    b.header("Content-Type", "application/json")
                            .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            HttpResponse<String> r = send(b.build());
            if (r.statusCode() / 100 != 2) {
                throw new AssertionError("Keycloak's Admin API answered " + method + " " + path + " with " + r.statusCode() + ": " + r.body());
            }
            return r;
        }

        @SuppressWarnings("unchecked")
        private List<Map<String, Object>> list(String path) {
            try {
                return JSON.readValue(call("GET", path, null).body(), List.class);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The client's representation (with its internal {@code id}). */
        public Map<String, Object> client(String clientId) {
            List<Map<String, Object>> found = list("/clients?clientId=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8));
            if (found.size() != 1) throw new AssertionError("Keycloak has " + found.size() + " clients named " + clientId);
            return found.get(0);
        }

        /** Adds {@code uri} to the client's valid redirect URIs (an exact URI: no wildcard). */
        @SuppressWarnings("unchecked")
        public synchronized void addRedirectUri(String clientId, String uri) {
            Map<String, Object> client = client(clientId);
            List<String> uris = new ArrayList<>((List<String>) client.getOrDefault("redirectUris", List.of()));
            if (uris.contains(uri)) return;
            uris.add(uri);
            client.put("redirectUris", uris);
            call("PUT", "/clients/" + client.get("id"), client);
        }

        /** Adds {@code uri} to the client's valid post-logout redirect URIs (Keycloak keeps them "##"-separated in an attribute). */
        @SuppressWarnings("unchecked")
        public synchronized void addPostLogoutRedirectUri(String clientId, String uri) {
            Map<String, Object> client = client(clientId);
            Map<String, Object> attributes = new LinkedHashMap<>((Map<String, Object>) client.getOrDefault("attributes", Map.of()));
            String existing = (String) attributes.getOrDefault("post.logout.redirect.uris", "");
            List<String> uris = new ArrayList<>(existing.isEmpty() ? List.of() : List.of(existing.split("##")));
            if (uris.contains(uri)) return;
            uris.add(uri);
            attributes.put("post.logout.redirect.uris", String.join("##", uris));
            client.put("attributes", attributes);
            call("PUT", "/clients/" + client.get("id"), client);
        }

        /**
         * Creates an OpenID Connect identity provider {@code alias} (Keycloak as a client of that provider).
         *
         * @param config the provider's {@code config} map: issuer, authorizationUrl, tokenUrl, jwksUrl,
         *               clientId, clientSecret, clientAuthMethod, … (Keycloak's names; every value a string)
         */
        public void createIdentityProvider(String alias, String displayName, Map<String, String> config) {
            Map<String, Object> idp = new LinkedHashMap<>();
            idp.put("alias", alias);
            idp.put("displayName", displayName);
            idp.put("providerId", "oidc");
            idp.put("enabled", true);
            idp.put("trustEmail", true);
            idp.put("storeToken", false);
            idp.put("firstBrokerLoginFlowAlias", "first broker login");
            idp.put("config", config);
            call("POST", "/identity-provider/instances", idp);
        }

        public void deleteIdentityProvider(String alias) {
            call("DELETE", "/identity-provider/instances/" + URLEncoder.encode(alias, StandardCharsets.UTF_8), null);
        }

        /** The user with exactly this username, or null. */
        public Map<String, Object> findUser(String username) {
            List<Map<String, Object>> found = list("/users?exact=true&username=" + URLEncoder.encode(username, StandardCharsets.UTF_8));
            return found.isEmpty() ? null : found.get(0);
        }

        /** The users with exactly this email. */
        public List<Map<String, Object>> findUsersByEmail(String email) {
            return list("/users?exact=true&email=" + URLEncoder.encode(email, StandardCharsets.UTF_8));
        }

        /** The user's links to identity providers: {@code identityProvider}, {@code userId} (the subject there), {@code userName}. */
        public List<Map<String, Object>> federatedIdentities(String userId) {
            return list("/users/" + userId + "/federated-identity");
        }

        /**
         * A new RS256 signing key that outranks every other (priority {@code priority}): Keycloak signs new
         * tokens with it and keeps publishing the older keys, so tokens already issued stay valid.
         */
        public void addRsaSigningKey(String name, int priority) {
            String realmId = (String) json(send(HttpRequest.newBuilder(URI.create(url("/admin/realms/" + REALM)))
                    .header("Authorization", "Bearer " + adminToken()).GET().build()).body()).get("id");
            Map<String, Object> component = new LinkedHashMap<>();
            component.put("name", name);
            component.put("providerId", "rsa-generated");
            component.put("providerType", "org.keycloak.keys.KeyProvider");
            component.put("parentId", realmId);
            component.put("config", Map.of("priority", List.of(Integer.toString(priority)), "keySize", List.of("2048"),
                    "active", List.of("true"), "enabled", List.of("true"), "algorithm", List.of("RS256")));
            call("POST", "/components", component);
        }

        public void deleteUser(String userId) {
            call("DELETE", "/users/" + userId, null);
        }
    }
}
