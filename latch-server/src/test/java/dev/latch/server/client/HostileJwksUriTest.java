package dev.latch.server.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.latch.server.ClientAssertion;
import dev.latch.server.TestKeys;
import dev.latch.server.TestServer;
import dev.latch.server.http.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private_key_jwt client whose {@code jwks_uri} is a hostile web server (a real socket on loopback
 * that never answers, drips, streams without end, sends garbage or is no HTTP server at all): its token
 * requests are refused {@code invalid_client} within the outbound timeout, and a good client served at
 * the same time (its keys on a well-behaved host) gets its tokens throughout.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HostileJwksUriTest {

    private static final Logger LOG = LoggerFactory.getLogger(HostileJwksUriTest.class);
    private static final Duration OUTBOUND_TIMEOUT = Duration.ofSeconds(1);
    /** A bound only a request held without limit would cross (the machine is shared and noisy: no tighter figure is asserted). */
    private static final Duration HELD_TOO_LONG = OUTBOUND_TIMEOUT.multipliedBy(8);

    static TestServer server;
    static HostileHost hostile;
    static JwksHost good;
    static JWK goodKey = TestKeys.rsa("good-1");
    static JWK hostileKey = TestKeys.rsa("hostile-1");

    @BeforeAll
    static void start() throws IOException {
        server = TestServer.start(Map.of("outbound.allow", "127.0.0.1", "outbound.timeout", OUTBOUND_TIMEOUT.toMillis() + "ms"));
        hostile = new HostileHost();
        good = new JwksHost();
        good.serve("/jwks", JwksHost.Answer.json(new JWKSet(goodKey).toPublicJWKSet().toString(), "max-age=600"));
        server.register(new Client.Builder().clientId("good").scope("read").tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                .jwksUri(good.url("/jwks")).build());
        // the first requests of a fresh JVM load and compile much: keep that out of the figures
        assertThat(token("good", goodKey).statusCode()).isEqualTo(200);
    }

    @AfterAll
    static void stop() throws IOException {
        hostile.close();
        good.close();
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/hang", "/garbage", "/drip", "/endless", "/deep", "/not-http", "/reset"})
    void hostileJwksUriIsRefusedWithinTheTimeoutWhileAGoodClientIsServed(String behaviour) throws Exception {
        String clientId = "hostile" + behaviour.replace('/', '-');
        server.register(new Client.Builder().clientId(clientId).scope("read").tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                .jwksUri(hostile.url(behaviour)).build());

        AtomicBoolean hostileDone = new AtomicBoolean();
        List<HttpResponse<String>> goodAnswers = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            // the good client keeps asking while the hostile one's requests are held
            CompletableFuture<Void> goodLoad = CompletableFuture.runAsync(() -> {
                while (!hostileDone.get()) {
                    goodAnswers.add(token("good", goodKey));
                }
            }, pool);
            List<CompletableFuture<Long>> refused = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                refused.add(CompletableFuture.supplyAsync(() -> {
                    long t0 = System.nanoTime();
                    HttpResponse<String> r = token(clientId, hostileKey);
                    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
                    assertThat(error(r)).isEqualTo("invalid_client");
                    return millis;
                }, pool));
            }
            long slowest = 0;
            for (CompletableFuture<Long> f : refused) {
                slowest = Math.max(slowest, f.get(2, TimeUnit.MINUTES));
            }
            hostileDone.set(true);
            goodLoad.get(2, TimeUnit.MINUTES);
            LOG.info("jwks_uri {}: refused in at most {} ms (outbound timeout {} ms); the good client got {} answers meanwhile",
                    behaviour, slowest, OUTBOUND_TIMEOUT.toMillis(), goodAnswers.size());
            assertThat(Duration.ofMillis(slowest)).isLessThan(HELD_TOO_LONG);
            assertThat(goodAnswers).isNotEmpty().allSatisfy(r -> assertThat(r.statusCode()).as(r.body()).isEqualTo(200));
        } finally {
            hostileDone.set(true);
            pool.shutdownNow();
        }
        // after the failed fetch the hostile client is refused at once (one attempt a minute), the good one still served
        assertThat(token(clientId, hostileKey).statusCode()).isEqualTo(401);
        assertThat(token("good", goodKey).statusCode()).isEqualTo(200);
    }

    private static HttpResponse<String> token(String clientId, JWK key) {
        String assertion = ClientAssertion.of(clientId, server.issuer()).kid(key.getKeyID()).sign(key, JWSAlgorithm.RS256);
        return TestServer.send(HttpRequest.newBuilder(URI.create(server.url("/token")))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&" + ClientAssertion.form(assertion))).build());
    }

    private static String error(HttpResponse<String> r) {
        try {
            return Json.MAPPER.readTree(r.body()).get("error").asText();
        } catch (IOException e) {
            throw new AssertionError(r.body(), e);
        }
    }

    /** A web server on loopback that misbehaves by path, on raw sockets so nothing tidies its answers up. */
    static final class HostileHost implements AutoCloseable {
        private final ServerSocket socket;
        private final ExecutorService connections = Executors.newVirtualThreadPerTaskExecutor();

        HostileHost() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            connections.submit(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket s = socket.accept();
                        connections.submit(() -> serve(s));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        String url(String path) {
            return "http://127.0.0.1:" + socket.getLocalPort() + path;
        }

        private void serve(Socket s) {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                String path = requestPath(in);
                switch (path) {
                    case "/hang" -> in.read(); // holds the connection, answers nothing, until the caller gives up
                    case "/drip" -> {
                        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        for (int i = 0; i < 100_000; i++) {
                            out.write('[');
                            out.flush();
                            Thread.sleep(200);
                        }
                    }
                    case "/endless" -> {
                        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        byte[] chunk = new byte[64 * 1024];
                        Arrays.fill(chunk, (byte) '[');
                        byte[] head = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                        while (true) {
                            out.write(head);
                            out.write(chunk);
                            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                        }
                    }
                    case "/garbage" -> {
                        byte[] body = new byte[4096];
                        new java.util.Random(7).nextBytes(body);
                        answer(out, body);
                    }
                    case "/deep" -> {
                        byte[] body = new byte[400_000];
                        Arrays.fill(body, 0, 200_000, (byte) '[');
                        Arrays.fill(body, 200_000, body.length, (byte) ']');
                        answer(out, body);
                    }
                    case "/not-http" -> out.write("SSH-2.0-OpenSSH_9.2p1\r\n".getBytes(StandardCharsets.US_ASCII));
                    case "/reset" -> {
                        s.setSoLinger(true, 0); // closing now sends a TCP reset
                    }
                    default -> answer(out, "{}".getBytes(StandardCharsets.US_ASCII));
                }
            } catch (IOException | InterruptedException e) {
                // the caller hung up: that is the point
            }
        }

        private static void answer(OutputStream out, byte[] body) throws IOException {
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
        }

        /** Reads the request head; returns the path of its request line. */
        private static String requestPath(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            int c;
            while ((c = in.read()) != -1) {
                head.append((char) c);
                if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) break;
            }
            String[] line = head.toString().split(" ", 3);
            return line.length > 1 ? line[1] : "";
        }

        @Override
        public void close() throws IOException {
            socket.close();
            connections.shutdownNow();
        }
    }
}
