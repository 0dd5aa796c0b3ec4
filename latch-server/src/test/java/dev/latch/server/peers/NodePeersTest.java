package dev.latch.server.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.core.jose.KeyGeneration;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import dev.latch.server.client.ClientRegistry;
import dev.latch.server.secret.Secrets;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Independent peers: npm {@code openid-client} and {@code jose} (pinned in peers/node/package.json)
 * drive a live server — RFC 8414 discovery, client credentials with every client authentication
 * method (RFC 6749 §2.3.1, RFC 7523) and every signature algorithm, RFC 9068 access token
 * verification against the JWKS, RFC 7662 introspection, RFC 7009 revocation and RFC 7591
 * registration. The cases live in peers/node/peers.mjs; this test registers the clients, hands their
 * credentials to node as JSON, and fails unless every case reported success.
 *
 * <p>Its static helpers ({@link #peersDirectory}, {@link #requireNode}, {@link #installWhenMissing},
 * {@link #run}) are how every module's tests run the node peers.
 */
public class NodePeersTest {

    private static final Logger LOG = LoggerFactory.getLogger("peers.node");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration NPM_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration NODE_TIMEOUT = Duration.ofMinutes(3);
    private static final String SUMMARY = "PEERS-SUMMARY ";

    private static final String SCOPE = "read write";
    private static final String REQUESTED = "read";
    private static final String RESOURCE = "https://api.example.test/fhir";

    static TestServer server;
    static String initialAccessToken;
    static Path work;

    @BeforeAll
    static void start() throws IOException {
        initialAccessToken = Secrets.generate(256);
        server = TestServer.start(Map.of("registration.initial-access-token", initialAccessToken));
        work = Files.createTempDirectory("latch-peers");
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) server.close();
        if (work != null) {
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void openidClientAndJoseAcceptEveryFlowAndEveryAlgorithm() throws Exception {
        Path peers = peersDirectory();
        String node = requireNode();
        installWhenMissing(peers);

        Path config = writeConfig();
        RunResult run = run(List.of(node, "peers.mjs"), peers, Map.of("LATCH_PEERS_CONFIG", config.toString()), NODE_TIMEOUT);

        JsonNode summary = run.lines().stream().filter(l -> l.startsWith(SUMMARY)).reduce((a, b) -> b)
                .map(l -> readTree(l.substring(SUMMARY.length()))).orElse(null);
        String output = String.join("\n", run.lines());
        assertThat(summary).as("node printed no %s line; its output:\n%s", SUMMARY.trim(), output).isNotNull();
        assertThat(summary.get("failed")).as("failed peer cases; node output:\n%s", output).isEmpty();
        assertThat(run.exitCode()).as("node exit code; output:\n%s", output).isZero();
        List<String> passed = new ArrayList<>();
        summary.get("passed").forEach(n -> passed.add(n.asText()));
        // Every method and every algorithm must have been exercised, not merely "nothing failed".
        for (String expected : List.of("discovery", "client_secret_basic:", "client_secret_post:", "registration: client_secret_basic",
                "registration: private_key_jwt Ed25519", "wrong secret", "introspection by another client")) {
            assertThat(passed).as("passed cases").anyMatch(name -> name.startsWith(expected) || name.contains(expected));
        }
        for (String alg : List.of("HS256", "HS384", "HS512")) {
            assertThat(passed).anyMatch(name -> name.startsWith("client_secret_jwt " + alg + " "));
        }
        for (String alg : JwsAlgorithms.asymmetricNames()) {
            assertThat(passed).anyMatch(name -> name.startsWith("private_key_jwt " + alg + " "));
        }
        LOG.info("{} openid-client/jose cases passed", passed.size());
    }

    /** peers/node beside the modules: surefire runs in the module directory, so one level up. */
    public static Path peersDirectory() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent().resolve("peers").resolve("node");
        assertThat(dir.resolve("package-lock.json")).as("peers/node of the repository").exists();
        return dir;
    }

    /** Fails — never skips — when Node.js is missing: the peers are part of what "tests pass" means. */
    public static String requireNode() throws Exception {
        String node = "node";
        RunResult version;
        try {
            version = run(List.of(node, "--version"), Path.of("."), Map.of(), Duration.ofSeconds(30));
        } catch (IOException e) {
            return fail("NodePeersTest needs Node.js 20 or newer with npm on the PATH (Debian: apt-get install nodejs npm; "
                    + "the project's CI installs them): " + e.getMessage());
        }
        String v = version.lines().isEmpty() ? "" : version.lines().get(0).trim();
        assertThat(version.exitCode()).as("node --version").isZero();
        int major = Integer.parseInt(v.replaceFirst("^v(\\d+).*$", "$1"));
        assertThat(major).as("Node.js major version (%s); openid-client 6 needs 20 or newer", v).isGreaterThanOrEqualTo(20);
        return node;
    }

    /**
     * Runs {@code npm ci} only when node_modules is missing or holds other versions than the
     * lockfile pins (npm records what it installed in node_modules/.package-lock.json).
     */
    public static void installWhenMissing(Path peers) throws Exception {
        Path installed = peers.resolve("node_modules").resolve(".package-lock.json");
        if (Files.exists(installed) && versions(installed).equals(versions(peers.resolve("package-lock.json")))) {
            return;
        }
        LOG.info("installing the pinned npm packages in {}", peers);
        String npm = System.getProperty("os.name").startsWith("Windows") ? "npm.cmd" : "npm";
        RunResult ci;
        try {
            ci = run(List.of(npm, "ci", "--no-audit", "--no-fund"), peers, Map.of(), NPM_TIMEOUT);
        } catch (IOException e) {
            fail("NodePeersTest needs npm on the PATH (Debian: apt-get install npm): " + e.getMessage());
            return;
        }
        assertThat(ci.exitCode()).as("npm ci in %s:\n%s", peers, String.join("\n", ci.lines())).isZero();
    }

    /** Installed path to version, from a lockfile (the root project entry left out). */
    private static Map<String, String> versions(Path lockfile) throws IOException {
        Map<String, String> out = new java.util.TreeMap<>();
        JSON.readTree(lockfile.toFile()).path("packages").properties().forEach(e -> {
            if (!e.getKey().isEmpty()) out.put(e.getKey(), e.getValue().path("version").asText());
        });
        return out;
    }

    /** Registers one client per method and algorithm and writes what node needs to know about them. */
    private static Path writeConfig() throws IOException {
        Map<String, Object> clients = new LinkedHashMap<>();
        clients.put("basic", secretClient("peer-basic", Client.BASIC, null, SCOPE, b -> {}));
        clients.put("post", secretClient("peer-post", Client.POST, null, SCOPE, b -> {}));
        clients.put("openid", secretClient("peer-openid", Client.BASIC, null, "openid read", b -> {}));
        clients.put("opaque", secretClient("peer-opaque", Client.BASIC, null, SCOPE, b -> b.accessTokenFormat("opaque")));
        Map<String, Object> resource = secretClient("peer-resource", Client.BASIC, null, "read admin",
                b -> b.allowedResources(List.of(RESOURCE)));
        resource.put("resource", RESOURCE);
        clients.put("resource", resource);

        List<Map<String, Object>> secretJwt = new ArrayList<>();
        for (String alg : JwsAlgorithms.hmacNames()) {
            secretJwt.add(secretClient("peer-secret-jwt-" + alg, Client.SECRET_JWT, alg, SCOPE, b -> {}));
        }
        clients.put("secretJwt", secretJwt);

        List<Map<String, Object>> privateKeyJwt = new ArrayList<>();
        for (JWSAlgorithm alg : JwsAlgorithms.ASYMMETRIC) {
            // Every token algorithm gets its server key before node fetches the JWKS, as an operator
            // enabling the algorithm would; a key appearing mid-run would test jose's refetch policy instead.
            server.server().instance().keyRing().ensureAlgorithm(alg);
            Map<String, Object> c = keyClient("peer-private-key-jwt-" + alg.getName(), alg);
            if (alg.equals(JWSAlgorithm.EdDSA)) {
                clients.put("eddsa", c);
            } else {
                privateKeyJwt.add(c);
            }
        }
        clients.put("privateKeyJwt", privateKeyJwt);

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("issuer", server.issuer());
        config.put("initialAccessToken", initialAccessToken);
        config.put("clients", clients);
        Path file = work.resolve("peers.json");
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), config);
        return file;
    }

    private static Map<String, Object> secretClient(String id, String method, String alg, String scope,
                                                    java.util.function.Consumer<Client.Builder> extra) {
        Client.Builder b = new Client.Builder().clientId(id).tokenEndpointAuthMethod(method).tokenEndpointAuthSigningAlg(alg).scope(scope);
        extra.accept(b);
        ClientRegistry.Registered r = server.register(b.build());
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("client_id", id);
        c.put("method", method);
        if (alg != null) c.put("alg", alg);
        c.put("client_secret", r.clientSecret());
        c.put("scope", scope.contains("openid") ? "openid read" : REQUESTED);
        return c;
    }

    /** A private_key_jwt client whose private key is generated here and handed to node as a JWK. */
    private static Map<String, Object> keyClient(String id, JWSAlgorithm alg) {
        JWK key = KeyGeneration.generate(alg);
        server.register(new Client.Builder().clientId(id).tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                .tokenEndpointAuthSigningAlg(alg.getName()).scope(SCOPE)
                .jwks(Map.of("keys", List.of(key.toPublicJWK().toJSONObject())))
                .accessTokenSignedResponseAlg(alg.getName()).build());
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("client_id", id);
        c.put("method", Client.PRIVATE_KEY_JWT);
        c.put("alg", alg.getName());
        c.put("token_alg", alg.getName());
        c.put("jwk", key.toJSONObject());
        c.put("scope", REQUESTED);
        return c;
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("unparsable summary from node: " + json, e);
        }
    }

    public record RunResult(int exitCode, List<String> lines) {}

    /**
     * Runs a command, logging its merged output line by line as it comes; kills it (and its
     * children) when it outlives {@code timeout}.
     */
    public static RunResult run(List<String> command, Path dir, Map<String, String> env, Duration timeout) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process process = pb.start();
        process.getOutputStream().close();
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread pump = Thread.ofPlatform().daemon().name("peers-output").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                    LOG.info("[{}] {}", command.get(0), line);
                }
            } catch (IOException e) {
                LOG.warn("reading {} output failed: {}", command.get(0), e.getMessage());
            }
        });
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            pump.join(Duration.ofSeconds(5));
            fail(String.join(" ", command) + " did not finish within " + timeout + "; output so far:\n" + String.join("\n", lines));
        }
        pump.join(Duration.ofSeconds(10));
        return new RunResult(process.exitValue(), List.copyOf(lines));
    }
}
