package dev.latch.server.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client's web server publishing its {@code jwks_uri} (JDK HttpServer on loopback), with what it
 * serves changeable per path and a count of the fetches each path received.
 */
public final class JwksHost implements AutoCloseable {

    /** What one path answers. */
    public record Answer(int status, Map<String, String> headers, String body) {
        public static Answer json(String body, String cacheControl) {
            return new Answer(200, cacheControl == null ? Map.of() : Map.of("Cache-Control", cacheControl), body);
        }

        static Answer redirect(String location) {
            return new Answer(302, Map.of("Location", location), "");
        }
    }

    private final HttpServer server;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> fetches = new ConcurrentHashMap<>();

    public JwksHost() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        fetches.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        Answer answer = answers.getOrDefault(path, new Answer(404, Map.of(), "{}"));
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        answer.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    public void serve(String path, Answer answer) {
        answers.put(path, answer);
    }

    /** http://127.0.0.1:PORT{path} */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    int port() {
        return server.getAddress().getPort();
    }

    public int fetches(String path) {
        AtomicInteger n = fetches.get(path);
        return n == null ? 0 : n.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
