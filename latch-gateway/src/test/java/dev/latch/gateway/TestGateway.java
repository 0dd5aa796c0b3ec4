package dev.latch.gateway;

import dev.latch.core.secret.SecretReference;
import dev.latch.gateway.config.GatewayConfig;
import dev.latch.gateway.config.GatewayConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A real gateway for tests: the YAML given (ports 0 unless it says otherwise) through the real
 * configuration loader, with {@code env} as its environment, on free loopback ports.
 */
public final class TestGateway implements AutoCloseable {

    public static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final GatewayServer server;
    private final Path file;

    private TestGateway(GatewayServer server, Path file) {
        this.server = server;
        this.file = file;
    }

    public static TestGateway start(String yaml) {
        return start(yaml, Map.of());
    }

    public static TestGateway start(String yaml, Map<String, String> env) {
        try {
            Path file = Files.createTempFile("gateway", ".yaml");
            Files.writeString(file, yaml);
            GatewayConfig config = new GatewayConfigLoader(env::get, new SecretReference(env::get, InputStream::nullInputStream))
                    .load(file, Map.of("port", "0", "management-port", "0"));
            GatewayServer server = GatewayServer.create(config);
            server.start();
            return new TestGateway(server, file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public GatewayServer server() {
        return server;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    public String managementUrl(String path) {
        return "http://127.0.0.1:" + server.managementPort() + path;
    }

    public HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(30)).GET();
        if (headers.length > 0) b.headers(headers);
        return send(b.build());
    }

    /** One request with the shared test client (the same helper the server's tests use). */
    public static HttpResponse<String> send(HttpRequest request) {
        return dev.latch.server.TestServer.send(request);
    }

    @Override
    public void close() {
        server.close();
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a temp file left behind
        }
    }
}
