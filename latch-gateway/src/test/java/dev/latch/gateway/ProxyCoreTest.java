package dev.latch.gateway;

import static dev.latch.gateway.EchoUpstream.headersOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The proxy core: streaming both ways, hop-by-hop headers, size limits, time limits, upstream failures
 * answered with JSON, CORS, rate limits, health and metrics, and connections that survive bad requests.
 */
class ProxyCoreTest {

    static EchoUpstream upstream;
    static TestGateway gateway;
    static int closedPort;

    @BeforeAll
    static void start() throws Exception {
        upstream = EchoUpstream.start();
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        gateway = TestGateway.start("""
                routes:
                  - path: /
                    upstream: %1$s
                    mode: passthrough
                    max-body: unlimited
                  - path: /small/
                    upstream: %1$s
                    mode: passthrough
                    max-body: 1KiB
                  - path: /slow/
                    upstream: %1$s
                    mode: passthrough
                    timeouts: { connect: 1s, idle: 1s, total: 2s }
                  - path: /down/
                    upstream: http://127.0.0.1:%2$d
                    mode: passthrough
                  - path: /limited/
                    upstream: %1$s
                    mode: passthrough
                    rate-limit: { per-second: 1, burst: 2 }
                  - path: /browser/
                    upstream: %1$s
                    mode: passthrough
                    cors:
                      allowed-origins: [https://app.example.org]
                      allowed-methods: [GET, POST]
                      allowed-headers: [Authorization, Content-Type]
                      exposed-headers: [X-Request-Id]
                """.formatted(upstream.url(), closedPort));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    @Test
    void largeBodyStreamsBothWaysIntact() throws Exception {
        byte[] chunk = new byte[1 << 20];
        new java.util.Random(7).nextBytes(chunk);
        int chunks = 64;
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < chunks; i++) sha.update(chunk);
        HttpRequest post = HttpRequest.newBuilder(URI.create(gateway.url("/upload")))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new InputStream() {
                    int i, pos;
                    @Override public int read() { throw new UnsupportedOperationException(); }
                    @Override public int read(byte[] b, int off, int len) {
                        if (i == chunks) return -1;
                        int n = Math.min(len, chunk.length - pos);
                        System.arraycopy(chunk, pos, b, off, n);
                        pos += n;
                        if (pos == chunk.length) { pos = 0; i++; }
                        return n;
                    }
                })).build();
        HttpResponse<String> r = TestGateway.send(post);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Map<String, Object> echo = EchoUpstream.parse(r.body());
        assertThat(((Number) echo.get("length")).longValue()).isEqualTo((long) chunks << 20);
        assertThat(echo.get("sha256")).isEqualTo(HexFormat.of().formatHex(sha.digest()));

        HttpResponse<InputStream> down = TestGateway.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.url("/download?bytes=" + (100L << 20)))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        long n = 0;
        try (InputStream in = down.body()) {
            byte[] buf = new byte[65536];
            for (int k; (k = in.read(buf)) > 0; ) n += k;
        }
        assertThat(n).isEqualTo(100L << 20);
    }

    @Test
    void hopByHopHeadersRemovedAndConnectionListedOnesToo() {
        HttpResponse<String> r = gateway.get("/h", "X-Secret-Hop", "1", "Te", "trailers", "Upgrade-Insecure-Requests", "1",
                "X-Forwarded-For", "10.0.0.9", "X-Forwarded-Host", "evil.example");
        Map<String, Object> h = headersOf(EchoUpstream.parse(r.body()));
        assertThat(h).doesNotContainKey("te");
        assertThat(h.get("x-forwarded-for")).isEqualTo("10.0.0.9, 127.0.0.1");
        assertThat(h.get("x-forwarded-host").toString()).startsWith("127.0.0.1:");
    }

    @Test
    void passthroughKeepsTheUpstreamsCachingHeaders() {
        HttpResponse<String> r = gateway.get("/public/logo?cacheable=1");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().allValues("Cache-Control")).containsExactly("public, max-age=3600");
        assertThat(r.headers().firstValue("Expires")).hasValue("Thu, 01 Jan 2099 00:00:00 GMT");
    }

    @Test
    void passthroughThenCallersOwnAuthorizationReachesTheService() {
        HttpResponse<String> r = gateway.get("/own-auth", "Authorization", "Basic YWxpY2U6cw==");
        assertThat(headersOf(EchoUpstream.parse(r.body())).get("authorization")).isEqualTo("Basic YWxpY2U6cw==");
    }

    @Test
    void bodyDeclaredTooLargeThen413BeforeUpstream() {
        int before = upstream.count();
        HttpResponse<String> r = TestGateway.send(HttpRequest.newBuilder(URI.create(gateway.url("/small/x")))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[2048])).build());
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.body()).contains("request_too_large");
        assertThat(upstream.count()).isEqualTo(before);
    }

    @Test
    void chunkedBodyGrowingTooLargeThen413() {
        HttpResponse<String> r = TestGateway.send(HttpRequest.newBuilder(URI.create(gateway.url("/small/x")))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(new byte[64 * 1024]))).build());
        assertThat(r.statusCode()).isEqualTo(413);
    }

    @Test
    void upstreamDownThen502JsonAndOtherRoutesServe() {
        HttpResponse<String> r = gateway.get("/down/x");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(r.body()).contains("\"error\":\"upstream_unavailable\"");
        assertThat(gateway.get("/fine").statusCode()).isEqualTo(200);
    }

    @Test
    void upstreamSlowerThanTotalTimeoutThen504Json() {
        HttpResponse<String> r = gateway.get("/slow/x?delay=5000");
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(r.body()).contains("\"error\":\"upstream_timeout\"");
    }

    @Test
    void rateLimitThen429WithRetryAfter() {
        int limited = 0;
        String retryAfter = null;
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = gateway.get("/limited/x");
            if (r.statusCode() == 429) {
                limited++;
                retryAfter = r.headers().firstValue("Retry-After").orElse(null);
            }
        }
        assertThat(limited).isGreaterThanOrEqualTo(2);
        assertThat(retryAfter).isEqualTo("1");
    }

    @Test
    void corsPreflightAnsweredByGatewayAndUpstreamCorsHeadersReplaced() {
        HttpResponse<String> pre = TestGateway.send(HttpRequest.newBuilder(URI.create(gateway.url("/browser/x")))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "https://app.example.org")
                .header("Access-Control-Request-Method", "POST").header("Access-Control-Request-Headers", "authorization, content-type").build());
        assertThat(pre.statusCode()).isEqualTo(204);
        assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example.org");
        assertThat(pre.headers().firstValue("Access-Control-Allow-Methods")).hasValue("GET, POST");

        HttpResponse<String> denied = TestGateway.send(HttpRequest.newBuilder(URI.create(gateway.url("/browser/x")))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "GET").build());
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

        HttpResponse<String> actual = gateway.get("/browser/x", "Origin", "https://app.example.org");
        assertThat(actual.headers().allValues("Access-Control-Allow-Origin")).containsExactly("https://app.example.org");
        assertThat(actual.headers().firstValue("Access-Control-Expose-Headers")).hasValue("X-Request-Id");
        HttpResponse<String> other = gateway.get("/browser/x", "Origin", "https://evil.example");
        assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).as("the upstream's own CORS header is dropped").isEmpty();
    }

    @Test
    void healthzReportsEachUpstreamAndMetricsCountRoutes() {
        gateway.get("/fine");
        HttpResponse<String> h = TestGateway.send(HttpRequest.newBuilder(URI.create(gateway.managementUrl("/healthz"))).build());
        assertThat(h.statusCode()).as("one upstream is down").isEqualTo(503);
        assertThat(h.body()).contains("\"reachable\":false").contains("127.0.0.1:" + closedPort).contains("\"reachable\":true");
        HttpResponse<String> m = TestGateway.send(HttpRequest.newBuilder(URI.create(gateway.managementUrl("/metrics"))).build());
        assertThat(m.statusCode()).isEqualTo(200);
        assertThat(m.body()).contains("latch_gateway_requests_seconds_count{route=\"/\",status=\"200\"}");
        assertThat(gateway.get("/healthz").body()).as("public port does not serve management").doesNotContain("upstreams");
    }

    /** One keep-alive connection: each bad request, then a good one on the same connection. */
    @Test
    void badRequestsLeaveKeepAliveConnectionUsableOrSayClose() throws Exception {
        String[] bad = {
            "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n",
            "BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /small/x HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + "a".repeat(5000),
            "GET /x HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20000) + "\r\n\r\n",
            "GET /x HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
            "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
            "GET /api/\u00ff HTTP/1.1\r\nHost: x\r\n\r\n",
        };
        for (String request : bad) {
            try (Socket socket = new Socket("127.0.0.1", gateway.server().port())) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write(request.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
                Response first = Response.read(in);
                assertThat(first.status).as(request.lines().findFirst().orElse("")).isLessThan(500).isGreaterThan(0);
                if (first.close) continue; // the server said so before closing: allowed
                out.write("GET /after HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                Response second = Response.read(in);
                assertThat(second.status).as("after " + request.lines().findFirst().orElse("")).isEqualTo(200);
            }
        }
    }

    private record Response(int status, boolean close) {
        static Response read(BufferedReader in) throws java.io.IOException {
            String statusLine = in.readLine();
            if (statusLine == null) return new Response(-1, true);
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            boolean close = false;
            long length = 0;
            boolean chunked = false;
            for (String line; (line = in.readLine()) != null && !line.isEmpty(); ) {
                String lower = line.toLowerCase(java.util.Locale.ROOT);
                if (lower.startsWith("connection:") && lower.contains("close")) close = true;
                if (lower.startsWith("content-length:")) length = Long.parseLong(lower.substring(15).strip());
                if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) chunked = true;
            }
            if (chunked) {
                for (String size; (size = in.readLine()) != null; ) {
                    int n = Integer.parseInt(size.strip(), 16);
                    if (n == 0) { in.readLine(); break; }
                    in.skip(n);
                    in.readLine();
                }
            } else {
                in.skip(length);
            }
            return new Response(status, close);
        }
    }
}
