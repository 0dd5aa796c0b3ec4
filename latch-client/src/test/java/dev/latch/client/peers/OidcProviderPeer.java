package dev.latch.client.peers;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.latch.core.jose.KeyGeneration;
import dev.latch.server.RealPart;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An independent authorization server for tests: npm {@code oidc-provider} (pinned in
 * peers/node/package.json) run by {@code peers/node/oidc-provider-server.mjs} on 127.0.0.1 with an
 * ephemeral port. Its clients (see the script's header):
 * <ul>
 *   <li>{@link #BASIC} ({@code client_secret_basic}) and {@link #POST} ({@code client_secret_post}), secret {@link #secret()};</li>
 *   <li>{@code peer-pkjwt-ALG} ({@code private_key_jwt}) for each of {@link #KEY_ALGORITHMS}, private key {@link #key};</li>
 *   <li>{@link #CODE} (native, {@code client_secret_basic}) and {@link #PUBLIC} ({@code none}) for the code flow
 *       with PKCE, redirect {@link #REDIRECT_URI} on any loopback port.</li>
 * </ul>
 * Client-credentials access tokens are RFC 9068 JWTs for {@link #RESOURCE}. Closing the fixture closes
 * node's standard input, which ends it. A test using this is skipped (with the reason) only when
 * peers/node/node_modules lacks oidc-provider on a developer machine; where the environment variable
 * {@code CI} is set (CI runs {@code npm ci} there) it fails instead, so CI never passes without the
 * peer. A missing Node.js fails.
 */
public final class OidcProviderPeer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("peers.oidc-provider");
    private static final Duration STARTUP = Duration.ofSeconds(60);

    public static final String BASIC = "peer-basic";
    public static final String POST = "peer-post";
    public static final String CODE = "peer-code";
    public static final String PUBLIC = "peer-public";
    /** The registered redirect URI of {@link #CODE} and {@link #PUBLIC}; any port on 127.0.0.1 matches (RFC 8252 §7.3). */
    public static final String REDIRECT_URI = "http://127.0.0.1/callback";
    /** The one resource server (RFC 8707); client-credentials tokens default to it. */
    public static final String RESOURCE = "https://api.peer.test/";
    /** The algorithms of the {@code private_key_jwt} clients the issue names. */
    public static final List<JWSAlgorithm> KEY_ALGORITHMS = List.of(JWSAlgorithm.RS384, JWSAlgorithm.ES384, JWSAlgorithm.PS256);

    private final Process process;
    private final Path work;
    private final String issuer;
    private final String secret;
    private final Map<JWSAlgorithm, JWK> keys;

    private OidcProviderPeer(Process process, Path work, String issuer, String secret, Map<JWSAlgorithm, JWK> keys) {
        this.process = process;
        this.work = work;
        this.issuer = issuer;
        this.secret = secret;
        this.keys = keys;
    }

    /** Starts the peer with the standard clients; skips the calling test when oidc-provider is not installed. */
    public static OidcProviderPeer start() {
        return start(List.of());
    }

    /**
     * Starts the peer with the standard clients and {@code extraClients} (oidc-provider client
     * metadata, passed verbatim); skips the calling test when oidc-provider is not installed.
     */
    public static OidcProviderPeer start(List<Map<String, Object>> extraClients) {
        Path peers = peersDirectory();
        requireInstalled(peers, System.getenv());
        Map<JWSAlgorithm, JWK> keys = new LinkedHashMap<>();
        Map<String, Object> jwks = new LinkedHashMap<>();
        for (JWSAlgorithm alg : KEY_ALGORITHMS) {
            JWK key = KeyGeneration.generate(alg);
            keys.put(alg, key);
            jwks.put(alg.getName(), Map.of("keys", List.of(key.toPublicJWK().toJSONObject())));
        }
        String secret = "peer-" + java.util.UUID.randomUUID() + "-" + java.util.UUID.randomUUID();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("secret", secret);
        config.put("jwks", jwks);
        config.put("clients", extraClients);
        Path work;
        Process process;
        try {
            work = Files.createTempDirectory("latch-oidc-provider");
            Path file = work.resolve("config.json");
            Files.writeString(file, JSONObjectUtils.toJSONString(config));
            process = new ProcessBuilder("node", "oidc-provider-server.mjs", file.toString())
                    .directory(peers.toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start node (Node.js 20+ must be on the PATH; Debian: apt-get install nodejs npm): "
                    + e.getMessage(), e);
        }
        pump(process.getErrorStream(), "stderr");
        List<String> early = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("oidc-provider-stdout").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    LOG.info("[oidc-provider] {}", line);
                    if (!ready.isDone() && line.startsWith("{")) ready.complete(line);
                    else early.add(line);
                }
            } catch (IOException e) {
                LOG.debug("oidc-provider output ended: {}", e.getMessage());
            }
            ready.completeExceptionally(new IllegalStateException("oidc-provider exited before listening: " + early));
        });
        try {
            String line = ready.get(STARTUP.toMillis(), TimeUnit.MILLISECONDS);
            String issuer = JSONObjectUtils.parse(line).get("issuer").toString();
            return new OidcProviderPeer(process, work, issuer, secret, keys);
        } catch (TimeoutException | ExecutionException | java.text.ParseException e) {
            process.destroyForcibly();
            throw new IllegalStateException("oidc-provider did not start: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void pump(java.io.InputStream in, String name) {
        Thread.ofPlatform().daemon().name("oidc-provider-" + name).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    LOG.info("[oidc-provider {}] {}", name, line);
                }
            } catch (IOException e) {
                LOG.debug("oidc-provider {} ended: {}", name, e.getMessage());
            }
        });
    }

    /** peers/node of the repository: surefire runs in the module directory, so look upwards. */
    /**
     * Skips the calling test when oidc-provider is not installed in {@code peers}, or fails it when
     * {@code env} has {@code CI} set (CI installs the peers, so their absence is a broken build).
     */
    static void requireInstalled(Path peers, Map<String, String> env) {
        RealPart.require(Files.isDirectory(peers.resolve("node_modules").resolve("oidc-provider")),
                "npm oidc-provider is not installed: run 'npm ci --no-audit --no-fund' in " + peers + " (CI does)", env);
    }

    public static Path peersDirectory() {
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("peers").resolve("node");
            if (Files.exists(candidate.resolve("oidc-provider-server.mjs"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("peers/node not found above " + System.getProperty("user.dir"));
    }

    /** {@code http://127.0.0.1:PORT}, no trailing slash. */
    public String issuer() {
        return issuer;
    }

    /** The secret of {@link #BASIC}, {@link #POST} and {@link #CODE}. */
    public String secret() {
        return secret;
    }

    /** The client id of the {@code private_key_jwt} client for {@code alg}. */
    public static String keyClientId(JWSAlgorithm alg) {
        return "peer-pkjwt-" + alg.getName();
    }

    /** The private key (with {@code kid}, {@code alg}) of the {@code private_key_jwt} client for {@code alg}. */
    public JWK key(JWSAlgorithm alg) {
        JWK key = keys.get(alg);
        if (key == null) throw new IllegalArgumentException("no private_key_jwt client for " + alg + "; have " + keys.keySet());
        return key;
    }

    /**
     * Plays the person at the browser for oidc-provider's development login: loads
     * {@code authorizationUrl}, submits the login form as {@code login} and the consent form,
     * following redirects with cookies, and returns the URL the provider finally redirects to
     * (the client's redirect URI with {@code code}, {@code state} and {@code iss}) without loading it.
     */
    public URI signIn(String authorizationUrl, String login) {
        HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
        URI at = URI.create(authorizationUrl);
        HttpRequest request = HttpRequest.newBuilder(at).GET().build();
        for (int step = 0; step < 20; step++) {
            HttpResponse<String> r = send(browser, request);
            if (r.statusCode() / 100 == 3) {
                URI next = at.resolve(r.headers().firstValue("Location").orElseThrow());
                if (!next.toString().startsWith(issuer + "/")) {
                    return next;
                }
                at = next;
                request = HttpRequest.newBuilder(at).GET().build();
                continue;
            }
            if (r.statusCode() != 200) {
                throw new IllegalStateException("oidc-provider answered " + r.statusCode() + " at " + at + ": " + r.body());
            }
            Matcher action = Pattern.compile("<form[^>]*action=\"([^\"]+)\"").matcher(r.body());
            Matcher prompt = Pattern.compile("name=\"prompt\" value=\"(\\w+)\"").matcher(r.body());
            if (!action.find() || !prompt.find()) {
                throw new IllegalStateException("no login or consent form at " + at + ": " + r.body());
            }
            String form = "prompt=" + prompt.group(1);
            if ("login".equals(prompt.group(1))) {
                form += "&login=" + URLEncoder.encode(login, StandardCharsets.UTF_8) + "&password=any";
            }
            at = at.resolve(unescape(action.group(1)));
            request = HttpRequest.newBuilder(at).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        }
        throw new IllegalStateException("sign-in at oidc-provider did not reach a redirect within 20 steps; last at " + at);
    }

    private static String unescape(String html) {
        return html.replace("&#x2F;", "/").replace("&#47;", "/").replace("&#x3D;", "=").replace("&quot;", "\"").replace("&amp;", "&");
    }

    private static HttpResponse<String> send(HttpClient client, HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temporary directory; the OS cleans up
            }
        }
    }
}
