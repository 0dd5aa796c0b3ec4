package dev.latch.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.RawHttpConnection;
import dev.latch.server.RawHttpConnection.Answer;
import dev.latch.server.http.HostileRequests.Hostile;
import dev.latch.server.signin.SignInFixture;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A keep-alive connection survives bad input: every answer either leaves the connection usable for
 * the next request or says {@code Connection: close} first; never a 5xx, a reset or a silent close.
 * The storm is reproducible: {@code -Dlatch.storm.seed=N} (and {@code -Dlatch.storm.requests=N}).
 */
class KeepAliveTest {

    static SignInFixture fixture;
    static int port;

    @BeforeAll
    static void start() {
        // every endpoint is served: sign-in (users and a hasher), PAR, logout and open registration
        fixture = new SignInFixture("https://app.example.org/cb",
                Map.of("registration.initial-access-token", "keep-alive-initial-access-token-0123456789abcdef"));
        port = fixture.server.server().port();
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    static List<Hostile> kinds() {
        return HostileRequests.kinds();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void badRequestThenGoodOneOnTheSameConnection(Hostile bad) {
        try (RawHttpConnection connection = RawHttpConnection.open(port)) {
            Answer first = exchange(connection, bad);
            assertThat(problem(bad, first)).isNull();
            if (first.close() || asksToClose(bad)) return; // said so before closing: allowed
            assertThat(connection.send(HostileRequests.good())).as("the connection is open after " + first.status()).isTrue();
            Answer second = connection.read();
            assertThat(second.status()).as("a good request after " + bad + " answered " + first.status() + " without Connection: close: " + second)
                    .isEqualTo(200);
        }
    }

    static List<Hostile> managementKinds() {
        return List.of(HostileRequests.withBody("PUT /healthz with a form body", "PUT", "/healthz", HostileRequests.FORM, "a=b"),
                HostileRequests.withBody("POST /metrics with a form body", "POST", "/metrics", HostileRequests.FORM, "a=b"),
                HostileRequests.raw("GET /%zz", "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n"),
                HostileRequests.raw("header value of 20 KiB", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20 * 1024) + "\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("managementKinds")
    void managementListenerLikewise(Hostile bad) {
        try (RawHttpConnection connection = RawHttpConnection.open(fixture.server.server().managementPort())) {
            Answer first = exchange(connection, bad);
            assertThat(problem(bad, first)).isNull();
            if (first.close()) return;
            assertThat(connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")).isTrue();
            assertThat(connection.read().status()).as("after " + bad + " answered " + first.status() + " without Connection: close").isEqualTo(200);
        }
    }

    @Test
    void stormOfSeededHostileRequestsOverKeepAliveConnections() throws Exception {
        long seed = Long.getLong("latch.storm.seed", 20261206L);
        int requests = Integer.getInteger("latch.storm.requests", 3000);
        int threads = 4;
        List<Hostile> kinds = HostileRequests.kinds();
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                runs.add(pool.submit(() -> storm(new Random(seed + thread), requests / threads, kinds,
                        p -> problems.add("seed " + seed + ", thread " + thread + ": " + p))));
            }
            for (Future<?> run : runs) run.get();
        } finally {
            pool.shutdownNow();
        }
        assertThat(problems).as("seed %d: %d requests", seed, requests).isEmpty();
    }

    /**
     * Sends hostile requests (and now and then a good one) over as few connections as the server
     * allows: a new connection only after an answer that said {@code Connection: close}.
     */
    private static void storm(Random random, int requests, List<Hostile> kinds, java.util.function.Consumer<String> problems) {
        RawHttpConnection connection = null;
        String previous = null;
        for (int i = 0; i < requests; i++) {
            Hostile request = random.nextInt(8) == 0 ? HostileRequests.raw("good", HostileRequests.good()) : HostileRequests.random(random, kinds);
            if (connection == null) {
                connection = RawHttpConnection.open(port);
                previous = null;
            }
            Answer answer = exchange(connection, request);
            String problem = problem(request, answer);
            if (problem != null) {
                problems.accept("request " + i + (previous == null ? " on a new connection" : " after " + previous
                        + " on the same connection") + ": " + problem);
            } else if (request.name().equals("good") && answer.status() != 200) {
                problems.accept("request " + i + ": a good request answered " + answer);
            }
            previous = request + " (" + answer.status() + ")";
            if (answer.close() || asksToClose(request) || problem != null) {
                connection.close();
                connection = null;
            }
        }
        if (connection != null) connection.close();
    }

    /** An HTTP/1.0 request without {@code Connection: keep-alive} ends its connection itself (RFC 9112 §9.3). */
    private static boolean asksToClose(Hostile request) {
        String head = new String(request.parts().get(0), java.nio.charset.StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
        return head.lines().findFirst().orElse("").endsWith(" http/1.0") && !head.contains("\r\nconnection: keep-alive");
    }

    private static Answer exchange(RawHttpConnection connection, Hostile request) {
        connection.send(request.bytes()); // a refused write still leaves the server's answer to read
        return connection.read(request.head());
    }

    /** What breaks the rule in this answer, or null. */
    private static String problem(Hostile request, Answer answer) {
        if (answer.lost()) return request + ": no answer: " + answer.failure();
        // 505 is the RFC 9110 answer to a protocol version the server does not speak, not a failure
        if (answer.status() >= 500 && answer.status() != 505) return request + ": server error " + answer;
        return null;
    }
}
