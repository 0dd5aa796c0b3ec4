package dev.latch.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A local HTTP server on a loopback port that records every request (so tests check it field by
 * field) and answers with whatever a test scripts per path.
 */
public final class LocalEndpoint implements AutoCloseable {

    /** One request as received. */
    public record Recorded(String method, URI uri, Map<String, List<String>> headers, String body) {
        public String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }

        /** The form parameters, decoded, in order (a name may repeat). */
        public List<Map.Entry<String, String>> formList() {
            List<Map.Entry<String, String>> out = new ArrayList<>();
            if (body.isEmpty()) return out;
            for (String pair : body.split("&")) {
                int eq = pair.indexOf('=');
                out.add(Map.entry(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8)));
            }
            return out;
        }

        /** The form parameters, each name once (tests that expect repeats use {@link #formList()}). */
        public Map<String, String> form() {
            Map<String, String> out = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : formList()) {
                if (out.put(e.getKey(), e.getValue()) != null) {
                    throw new AssertionError("parameter " + e.getKey() + " repeated");
                }
            }
            return out;
        }
    }

    /** A scripted answer. */
    public record Answer(int status, Map<String, String> headers, String body) {
        public static Answer json(int status, String body) {
            return new Answer(status, Map.of("Content-Type", "application/json"), body);
        }

        public Answer withHeader(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Answer(status, h, body);
        }
    }

    private final HttpServer server;
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Function<Recorded, Answer>> handlers = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();

    private LocalEndpoint() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
        server.start();
    }

    public static LocalEndpoint start() {
        try {
            return new LocalEndpoint();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    public String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public LocalEndpoint on(String path, Function<Recorded, Answer> handler) {
        handlers.put(path, handler);
        return this;
    }

    public LocalEndpoint on(String path, Answer answer) {
        return on(path, r -> answer);
    }

    public List<Recorded> requests() {
        return requests;
    }

    public Recorded last() {
        return requests.get(requests.size() - 1);
    }

    public int count() {
        return count.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Recorded r = new Recorded(exchange.getRequestMethod(), exchange.getRequestURI(),
                    Map.copyOf(exchange.getRequestHeaders()), body);
            requests.add(r);
            count.incrementAndGet();
            Function<Recorded, Answer> handler = handlers.get(exchange.getRequestURI().getPath());
            Answer a = handler == null ? new Answer(404, Map.of("Content-Type", "text/plain"), "not found") : handler.apply(r);
            a.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] bytes = a.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(a.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            throw e;
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
