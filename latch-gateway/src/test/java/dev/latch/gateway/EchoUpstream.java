package dev.latch.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A small upstream service for gateway tests (the JDK's HTTP server on a free loopback port): answers
 * every request ({@code ?cacheable=1}: with caching headers) with JSON describing what arrived — method, path, query, headers (lower-case names),
 * body length and SHA-256. The query steers it: {@code status=N} answers N, {@code delay=MS} waits first,
 * {@code bytes=N} streams N bytes instead of JSON. {@link #answerWith} overrides the status per request.
 */
public final class EchoUpstream implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ConcurrentLinkedQueue<Map<String, Object>> seen = new ConcurrentLinkedQueue<>();
    private final AtomicInteger count = new AtomicInteger();
    private volatile Function<HttpExchange, Integer> status = e -> null;

    private EchoUpstream(HttpServer server) {
        this.server = server;
    }

    public static EchoUpstream start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
            EchoUpstream upstream = new EchoUpstream(server);
            server.createContext("/", upstream::handle);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.start();
            return upstream;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** How many requests arrived. */
    public int count() {
        return count.get();
    }

    /** What the last request looked like (as the JSON answer describes it), or null. */
    public Map<String, Object> last() {
        Map<String, Object> last = null;
        for (Map<String, Object> m : seen) last = m;
        return last;
    }

    /** The last request for {@code path} (browsers also ask for /favicon.ico), or null. */
    public Map<String, Object> lastAt(String path) {
        Map<String, Object> last = null;
        for (Map<String, Object> m : seen) if (path.equals(m.get("path"))) last = m;
        return last;
    }

    /** A status chosen per request (null: the usual answer). */
    public void answerWith(Function<HttpExchange, Integer> status) {
        this.status = status;
    }

    private void handle(HttpExchange exchange) throws IOException {
        count.incrementAndGet();
        try (exchange) {
            Map<String, String> query = new LinkedHashMap<>();
            String rawQuery = exchange.getRequestURI().getRawQuery();
            if (rawQuery != null) {
                for (String p : rawQuery.split("&")) {
                    int eq = p.indexOf('=');
                    if (eq > 0) query.put(p.substring(0, eq), p.substring(eq + 1));
                }
            }
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long length = 0;
            try (InputStream in = exchange.getRequestBody()) {
                byte[] buf = new byte[65536];
                for (int n; (n = in.read(buf)) > 0; ) {
                    sha.update(buf, 0, n);
                    length += n;
                }
            }
            if (query.containsKey("delay")) {
                Thread.sleep(Long.parseLong(query.get("delay")));
            }
            Map<String, Object> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v.size() == 1 ? v.get(0) : v));
            Map<String, Object> echo = new LinkedHashMap<>();
            echo.put("method", exchange.getRequestMethod());
            echo.put("path", exchange.getRequestURI().getRawPath());
            echo.put("query", rawQuery);
            echo.put("headers", headers);
            echo.put("length", length);
            echo.put("sha256", HexFormat.of().formatHex(sha.digest()));
            seen.add(echo);
            if (seen.size() > 1000) seen.poll();
            Integer forced = status.apply(exchange);
            int code = forced != null ? forced : query.containsKey("status") ? Integer.parseInt(query.get("status")) : 200;
            if (query.containsKey("bytes")) {
                long n = Long.parseLong(query.get("bytes"));
                exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
                exchange.sendResponseHeaders(code, n);
                try (OutputStream out = exchange.getResponseBody()) {
                    byte[] chunk = new byte[65536];
                    for (long left = n; left > 0; left -= chunk.length) {
                        out.write(chunk, 0, (int) Math.min(chunk.length, left));
                    }
                }
                return;
            }
            byte[] body = JSON.writeValueAsBytes(echo);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.getResponseHeaders().set("Access-Control-Allow-Origin", "https://evil.example");
            if (query.containsKey("cacheable")) { // what a FHIR server or a CDN-minded API sends with a read
                exchange.getResponseHeaders().set("Cache-Control", "public, max-age=3600");
                exchange.getResponseHeaders().set("Expires", "Thu, 01 Jan 2099 00:00:00 GMT");
                exchange.getResponseHeaders().set("Pragma", "cache");
                exchange.getResponseHeaders().set("Last-Modified", "Mon, 07 Dec 2026 08:00:00 GMT");
                exchange.getResponseHeaders().set("ETag", "W/\"3\"");
            }
            exchange.sendResponseHeaders(code, body.length);
            exchange.getResponseBody().write(body);
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
        }
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> headersOf(Map<String, Object> echo) {
        return (Map<String, Object>) echo.get("headers");
    }

    public static Map<String, Object> parse(String json) {
        try {
            return JSON.readValue(json, Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<String> list(Object value) {
        return value instanceof List<?> l ? l.stream().map(String::valueOf).toList() : value == null ? List.of() : List.of(value.toString());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
