package dev.latch.server.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import dev.latch.server.signin.BrowserCallback;
import dev.latch.server.signin.BrowserSignIn;
import dev.latch.server.signin.SharedChromium;
import dev.latch.server.user.UserProfile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.chrome.ChromeDriver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * npm {@code openid-client} (a certified OpenID Connect relying party) runs the authorization code
 * flow against a live server while the shared Chromium does what a person would: peers/node/codeflow.mjs
 * prints each authorization URL, this test loads it, submits login and consent, captures what reaches
 * the redirect URI and writes it back to node, which exchanges the code and checks everything
 * (state, RFC 9207 iss, ID token, userinfo, refresh rotation, form_post, prompt=none, PAR, public client).
 */
class NodeCodeFlowTest {

    private static final Logger LOG = LoggerFactory.getLogger("peers.codeflow");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration NODE_TIMEOUT = Duration.ofMinutes(3);
    private static final String SUMMARY = "CODEFLOW-SUMMARY ";
    private static final String AUTHORIZE = "AUTHORIZE ";
    private static final String USERNAME = "dana";
    private static final String PASSWORD = "a long and real password";
    private static final String NAME = "Dana Example";
    private static final String EMAIL = "dana@example.com";

    static TestServer server;
    static BrowserCallback callback;
    static ChromeDriver browser;
    static Path work;

    @BeforeAll
    static void start() throws IOException {
        SharedChromium.require();
        callback = new BrowserCallback();
        server = TestServer.start(Map.of());
        work = Files.createTempDirectory("latch-codeflow");
        browser = SharedChromium.driver();
    }

    @AfterAll
    static void stop() throws IOException {
        if (callback != null) callback.close();
        if (server != null) server.close();
        if (work != null) {
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @BeforeEach
    void signedOut() {
        browser.get(server.url("/.well-known/openid-configuration"));
        browser.manage().deleteAllCookies();
    }

    @Test
    void openidClientCompletesTheCodeFlowThroughTheBrowser() throws Exception {
        Path peers = NodePeersTest.peersDirectory();
        String node = NodePeersTest.requireNode();
        NodePeersTest.installWhenMissing(peers);
        Path config = writeConfig();

        List<String> lines = runDrivingTheBrowser(List.of(node, "codeflow.mjs"), peers, Map.of("LATCH_CODEFLOW_CONFIG", config.toString()));

        String output = String.join("\n", lines);
        JsonNode summary = lines.stream().filter(l -> l.startsWith(SUMMARY)).reduce((a, b) -> b)
                .map(l -> readTree(l.substring(SUMMARY.length()))).orElse(null);
        assertThat(summary).as("node printed no %s line; its output:\n%s", SUMMARY.trim(), output).isNotNull();
        assertThat(summary.get("failed")).as("failed code-flow cases; node output:\n%s", output).isEmpty();
        List<String> passed = new ArrayList<>();
        summary.get("passed").forEach(n -> passed.add(n.asText()));
        for (String expected : List.of("discovery", "code flow", "userinfo", "refresh twice", "prompt=none", "form_post",
                "pushed authorization request", "public client", "RP-initiated logout")) {
            assertThat(passed).as("passed cases").anyMatch(name -> name.startsWith(expected));
        }
        LOG.info("{} openid-client code-flow cases passed", passed.size());
    }

    private static Path writeConfig() throws IOException {
        server.instance().users().create(new UserProfile(USERNAME, Map.of("name", NAME, "email", EMAIL), List.of(), true),
                PASSWORD.toCharArray());
        server.instance().scopes().put("profile", "See your name and profile");
        server.instance().scopes().put("email", "See your email address");
        List<String> grants = List.of("authorization_code", "refresh_token");
        String secret = "node-rp-secret-0123456789-abcdefghijklmnop";
        server.clients().create(new Client.Builder().clientId("node-web").clientName("Node RP").scope("openid profile email offline_access")
                .grantTypes(grants).redirectUris(List.of(callback.uri())).postLogoutRedirectUris(List.of(callback.uri())).build(),
                secret, true, null);
        server.register(new Client.Builder().clientId("node-spa").clientName("Node SPA").tokenEndpointAuthMethod(Client.NONE)
                .scope("openid profile offline_access").grantTypes(grants).redirectUris(List.of(callback.uri())).build());
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("issuer", server.issuer());
        config.put("redirect_uri", callback.uri());
        config.put("user", Map.of("name", NAME, "email", EMAIL));
        config.put("clients", Map.of("web", Map.of("client_id", "node-web", "client_secret", secret), "spa", Map.of("client_id", "node-spa")));
        Path file = work.resolve("codeflow.json");
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), config);
        return file;
    }

    /**
     * Runs node, logging its output as it comes; for every AUTHORIZE line drives Chromium to the URL,
     * signs in as needed and answers with what reached the callback. Kills node when it outlives the timeout.
     */
    private static List<String> runDrivingTheBrowser(List<String> command, Path dir, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process process = pb.start();
        List<String> lines = new ArrayList<>();
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
        watchdog.schedule(() -> {
            timedOut.set(true);
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }, NODE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             Writer in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8)) {
            for (String line; (line = out.readLine()) != null; ) {
                lines.add(line);
                LOG.info("[node] {}", line);
                if (line.startsWith("LOGOUT ") || line.startsWith("SILENT ")) {
                    // RP-initiated logout (the hint is this session's, so no confirmation is expected, but
                    // confirm if asked) and a prompt=none request after it: both come straight back
                    callback.clear();
                    browser.get(line.substring(line.indexOf(' ') + 1));
                    if (browser.getPageSource().contains("id=\"logout\"")) {
                        browser.findElement(org.openqa.selenium.By.id("logout")).click();
                    }
                    BrowserCallback.Received r = callback.next();
                    in.write(r.method() + " " + r.parameters() + "\n");
                    in.flush();
                } else if (line.startsWith(AUTHORIZE)) {
                    callback.clear();
                    String url = line.substring(AUTHORIZE.length());
                    browser.get(url);
                    BrowserSignIn.Shown shown = BrowserSignIn.completeAt(browser, callback.uri(), USERNAME, PASSWORD);
                    if (url.contains("prompt=none")) {
                        assertThat(shown).as("prompt=none shows no page").isEqualTo(new BrowserSignIn.Shown(false, false));
                    }
                    BrowserCallback.Received r = callback.next();
                    in.write(r.method() + " " + r.parameters() + "\n");
                    in.flush();
                }
            }
        } finally {
            watchdog.shutdownNow();
        }
        if (timedOut.get()) fail(String.join(" ", command) + " did not finish within " + NODE_TIMEOUT + "; output:\n" + String.join("\n", lines));
        process.waitFor(10, TimeUnit.SECONDS);
        assertThat(process.exitValue()).as("node exit code; output:\n%s", String.join("\n", lines)).isZero();
        return lines;
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("unparsable summary from node: " + json, e);
        }
    }
}
