package dev.latch.resource;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.latch.client.discovery.ProviderMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal issuer on 127.0.0.1 for key tests: OIDC discovery ({@code issuer}, {@code jwks_uri}) and a JWKS that
 * a test can switch, counting the JWKS requests.
 */
final class IssuerHost implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final AtomicInteger jwksRequests = new AtomicInteger();
    private volatile JWKSet keys;

    private IssuerHost(int port, JWKSet keys) throws IOException {
        this.keys = keys;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.setExecutor(executor);
        server.createContext("/.well-known/openid-configuration", x -> answer(x, JSONObjectUtils.toJSONString(metadataJson())));
        server.createContext("/jwks", x -> {
            jwksRequests.incrementAndGet();
            answer(x, JSONObjectUtils.toJSONString(this.keys.toPublicJWKSet().toJSONObject()));
        });
        server.start();
    }

    static IssuerHost start(JWKSet keys) {
        return start(0, keys);
    }

    static IssuerHost start(int port, JWKSet keys) {
        try {
            return new IssuerHost(port, keys);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A loopback port nothing listens on (just now). */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String issuerAt(int port) {
        return "http://127.0.0.1:" + port;
    }

    String issuer() {
        return issuerAt(server.getAddress().getPort());
    }

    ProviderMetadata metadata() {
        return ProviderMetadata.parse(metadataJson(), URI.create(issuer() + "/.well-known/openid-configuration"));
    }

    void keys(JWKSet keys) {
        this.keys = keys;
    }

    int jwksRequests() {
        return jwksRequests.get();
    }

    private Map<String, Object> metadataJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("issuer", issuer());
        m.put("jwks_uri", issuer() + "/jwks");
        return m;
    }

    private static void answer(HttpExchange x, String json) throws IOException {
        try (x) {
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().set("Content-Type", "application/json");
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
