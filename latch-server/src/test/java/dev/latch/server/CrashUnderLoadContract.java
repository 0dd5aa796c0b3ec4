package dev.latch.server;

import static dev.latch.server.OAuthResponses.basic;
import static dev.latch.server.OAuthResponses.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.core.pkce.Pkce;
import dev.latch.core.secret.SecretReference;
import dev.latch.server.client.Client;
import dev.latch.server.code.ApprovedAuthorization;
import dev.latch.server.code.JdbcAuthorizationCodeStore;
import dev.latch.server.config.ConfigLoader;
import dev.latch.server.config.ServerConfig;
import dev.latch.server.http.Json;
import dev.latch.server.user.User;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code kill -9} of a server process in the middle of token traffic (client credentials, code
 * redemptions, refresh rotations from several threads), then a restart on the same data: every token a
 * client received still works, no code or refresh token used before the crash is accepted again, the
 * client and the user are intact, and the restart time is reported. Requests in flight at the moment of
 * the kill are left out of both checks: whether they took effect is exactly what a client cannot know.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
abstract class CrashUnderLoadContract {

    private static final Logger LOG = LoggerFactory.getLogger(CrashUnderLoadContract.class);
    static final String ISSUER = "https://latch.crash.test";
    static final String CLIENT = "web";
    static final String SECRET = "crash-test-secret-0123456789-abcdefghijklmnop";
    static final String REDIRECT = "https://app.example/cb";
    static final String VERIFIER = "dBjftJeZ4CVP-mJ92K9ABC.defghijklmnopqrstuvwxyz~_0123";
    static final String SUBJECT = "u-crash-1";
    static final int CODES = 400;
    static final int WORKERS = 6;

    Path data;
    ChildServer node;

    /** Settings that point a server at this test's database ({@code database.url}…, or nothing for H2 in {@code data}). */
    abstract Map<String, String> databaseSettings();

    /** Called before anything is made: skip when the database is missing. */
    abstract void requireDatabase();

    /** What the log calls this database. */
    abstract String databaseName();

    @AfterEach
    void stop() throws IOException {
        if (node != null) node.close();
        if (data != null) {
            try (Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void killNineUnderLoadLosesNoTokenAClientReceivedAndAcceptsNoCodeOrRefreshTokenTwice() throws Exception {
        requireDatabase();
        data = Files.createTempDirectory("latch-crash");
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        Map<String, String> settings = new HashMap<>(databaseSettings());
        settings.put("data", data.toString());
        settings.put("issuer", ISSUER);
        settings.put("master-key", Base64.getEncoder().encodeToString(raw));

        // an operator sets up the client, the user and the codes the users' sign-ins produced
        Queue<String> codes = new ConcurrentLinkedQueue<>();
        ServerConfig config = new ConfigLoader(name -> null, SecretReference.system()).load(null, settings);
        try (LatchInstance operator = LatchInstance.open(config, Clock.systemUTC())) {
            operator.scopes().put("read", null);
            operator.clients().create(new Client.Builder().clientId(CLIENT).scope("openid read offline_access")
                    .grantTypes(List.of("authorization_code", "refresh_token", "client_credentials"))
                    .redirectUris(List.of(REDIRECT)).build(), SECRET, true, null);
            operator.users().store().insert(new User(SUBJECT, "alice", Map.of("name", "Alice Example"), List.of(), null, true,
                    1_600_000_000L, 1_600_000_000L));
            JdbcAuthorizationCodeStore store = new JdbcAuthorizationCodeStore(operator.database().sql());
            long expires = Clock.systemUTC().instant().getEpochSecond() + 600;
            for (int i = 0; i < CODES; i++) {
                codes.add(store.issue(new ApprovedAuthorization(CLIENT, SUBJECT, REDIRECT, "openid read offline_access", "n-" + i,
                        Pkce.s256(VERIFIER), 1_700_000_000L, "sid-" + i, List.of("pwd"), List.of(), true), expires));
            }
        }

        long t0 = System.nanoTime();
        node = ChildServer.start("crash-1", settings, Map.of());
        long firstStart = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

        // token traffic from several threads; what each client got, used and had in flight is written down
        Queue<String> accessTokens = new ConcurrentLinkedQueue<>();
        Queue<String> liveRefreshTokens = new ConcurrentLinkedQueue<>();
        Queue<String> usedRefreshTokens = new ConcurrentLinkedQueue<>();
        Queue<String> usedCodes = new ConcurrentLinkedQueue<>();
        List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger inFlightAtCrash = new AtomicInteger();
        AtomicBoolean crashed = new AtomicBoolean();
        ChildServer loaded = node;
        ExecutorService load = Executors.newFixedThreadPool(WORKERS);
        for (int w = 0; w < WORKERS; w++) {
            int worker = w;
            load.submit(() -> {
                for (int i = worker; !crashed.get(); i++) {
                    String code = null;
                    String refresh = null;
                    String body;
                    if (i % 3 == 1 && (code = codes.poll()) != null) {
                        body = "grant_type=authorization_code&code=" + form(code) + "&redirect_uri=" + form(REDIRECT) + "&code_verifier=" + VERIFIER;
                    } else if (i % 3 == 2 && (refresh = liveRefreshTokens.poll()) != null) {
                        body = "grant_type=refresh_token&refresh_token=" + form(refresh);
                    } else {
                        body = "grant_type=client_credentials&scope=read";
                    }
                    HttpResponse<String> r;
                    try {
                        r = token(loaded, body);
                    } catch (RuntimeException e) {
                        if (crashed.get()) {
                            inFlightAtCrash.incrementAndGet(); // its code or refresh token may or may not have been used
                            return;
                        }
                        unexpected.add(e.toString());
                        continue;
                    }
                    if (r.statusCode() != 200) {
                        unexpected.add(r.statusCode() + " " + r.body());
                        continue;
                    }
                    JsonNode json = json(r);
                    accessTokens.add(json.get("access_token").asText());
                    if (json.has("refresh_token")) liveRefreshTokens.add(json.get("refresh_token").asText());
                    if (code != null) usedCodes.add(code);
                    if (refresh != null) usedRefreshTokens.add(refresh);
                }
            });
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while ((usedCodes.size() < 40 || usedRefreshTokens.size() < 40) && System.nanoTime() < deadline && unexpected.isEmpty()) {
            Thread.sleep(50);
        }
        crashed.set(true);
        node.kill();
        load.shutdown();
        assertThat(load.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        assertThat(unexpected).as("every request before the crash was served; the server said:\n" + node.output().lines()
                .filter(l -> l.contains("WARN") || l.contains("ERROR")).reduce("", (a, b) -> a + b + "\n")).isEmpty();
        LOG.info("{}: killed -9 after {} tokens ({} codes redeemed, {} refresh tokens rotated), {} requests in flight",
                databaseName(), accessTokens.size(), usedCodes.size(), usedRefreshTokens.size(), inFlightAtCrash.get());

        t0 = System.nanoTime();
        node = ChildServer.start("crash-2", settings, Map.of());
        long restart = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        LOG.info("{}: first start {} ms, restart after kill -9 {} ms (process start to serving)", databaseName(), firstStart, restart);

        // every access token a client received is still active
        for (String accessToken : accessTokens) {
            HttpResponse<String> r = post(node, "/introspect", "token=" + form(accessToken));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(json(r).get("active").asBoolean()).as("token issued before the crash: " + r.body()).isTrue();
        }
        // every refresh token a client received and has not used yet still refreshes
        for (String refresh : liveRefreshTokens) {
            HttpResponse<String> r = token(node, "grant_type=refresh_token&refresh_token=" + form(refresh));
            assertThat(r.statusCode()).as("unused refresh token from before the crash: " + r.body()).isEqualTo(200);
        }
        // a code nobody redeemed still works: the code table came through
        String unused = codes.poll();
        assertThat(unused).isNotNull();
        HttpResponse<String> fresh = token(node, "grant_type=authorization_code&code=" + form(unused) + "&redirect_uri=" + form(REDIRECT)
                + "&code_verifier=" + VERIFIER);
        assertThat(fresh.statusCode()).as(fresh.body()).isEqualTo(200);
        assertThat(json(fresh).has("id_token")).as("the user is readable").isTrue();

        // nothing used before the crash is accepted again
        for (String code : usedCodes) {
            HttpResponse<String> r = token(node, "grant_type=authorization_code&code=" + form(code) + "&redirect_uri=" + form(REDIRECT)
                    + "&code_verifier=" + VERIFIER);
            assertThat(r.statusCode()).as("code replayed after the crash: " + r.body()).isEqualTo(400);
            assertThat(json(r).get("error").asText()).isEqualTo("invalid_grant");
        }
        for (String refresh : usedRefreshTokens) {
            HttpResponse<String> r = token(node, "grant_type=refresh_token&refresh_token=" + form(refresh));
            assertThat(r.statusCode()).as("rotated refresh token replayed after the crash: " + r.body()).isEqualTo(400);
            assertThat(json(r).get("error").asText()).isEqualTo("invalid_grant");
        }

        // the data reads back whole once the node is stopped
        node.close();
        node = null;
        try (LatchInstance operator = LatchInstance.open(config, Clock.systemUTC())) {
            assertThat(operator.clients().store().find(CLIENT)).isPresent();
            assertThat(operator.users().store().findBySubject(SUBJECT)).get().extracting(User::username).isEqualTo("alice");
            assertThat(operator.keyRing().snapshot().jwksJson()).contains("\"kid\"");
        }
    }

    static HttpResponse<String> token(ChildServer server, String body) {
        return post(server, "/token", body);
    }

    static HttpResponse<String> post(ChildServer server, String path, String body) {
        return TestServer.send(HttpRequest.newBuilder(URI.create(server.url(path)))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", basic(CLIENT, SECRET))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError(r.body(), e);
        }
    }
}
