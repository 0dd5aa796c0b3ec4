package dev.latch.server.http;

import static dev.latch.server.OAuthResponses.basic;
import static dev.latch.server.OAuthResponses.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.server.RealPart;
import dev.latch.server.TestServer;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.util.Collections;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The management listener: {@code /healthz} (liveness and database) and {@code /metrics}
 * (Prometheus: requests, tokens issued, errors by RFC code), on its own port, bound to loopback,
 * and not on the public port.
 */
class ManagementEndpointsTest {

    static TestServer server;
    static String secret;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        secret = server.basicClient("metered", "read").clientSecret();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String scrape() {
        HttpResponse<String> r = server.get(server.managementUrl("/metrics"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("text/plain");
        return r.body();
    }

    /**
     * Scrapes until {@code counted} holds, at most 100 times. A request is timed by an after-handler,
     * which runs once its response has gone out (the body is written with its length, so Jetty completes
     * the response at once): a scrape right after a response can come before that request is counted.
     */
    private static String scrapeUntil(java.util.function.Predicate<String> counted) {
        String metrics = scrape();
        for (int i = 1; i < 100 && !counted.test(metrics); i++) {
            metrics = scrape();
        }
        return metrics;
    }

    /** The value of the first sample of {@code name} whose labels include every {@code label="value"} given. */
    /** The value of the first sample of {@code name} carrying all {@code labels}; 0 when there is none. */
    private static double sample(String metrics, String name, String... labels) {
        return samples(metrics, name, labels).findFirst().orElse(0);
    }

    /** The values of every sample of {@code name} carrying all {@code labels}. */
    private static java.util.stream.DoubleStream samples(String metrics, String name, String... labels) {
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "(?:\\{([^}]*)\\})?\\s+(\\S+)", Pattern.MULTILINE);
        return line.matcher(metrics).results()
                .filter(m -> java.util.Arrays.stream(labels).allMatch(label -> m.group(1) != null && m.group(1).contains(label)))
                .mapToDouble(m -> Double.parseDouble(m.group(2)));
    }

    @Test
    void healthzReportsTheDatabaseReachable() {
        HttpResponse<String> r = server.get(server.managementUrl("/healthz"));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.get("status").asText()).isEqualTo("ok");
        assertThat(body.get("database").asText()).isEqualTo("reachable");
    }

    @Test
    void metricsCountTokensIssuedAndErrorsByCode() {
        String before = scrape();
        double issued = sample(before, "latch_tokens_issued_total", "grant_type=\"client_credentials\"");
        double invalidClient = sample(before, "latch_oauth_errors_total", "endpoint=\"token\"", "error=\"invalid_client\"");
        double invalidScope = sample(before, "latch_oauth_errors_total", "endpoint=\"token\"", "error=\"invalid_scope\"");
        double introspectionInvalidRequest = sample(before, "latch_oauth_errors_total", "endpoint=\"introspection\"", "error=\"invalid_request\"");

        server.postForm("/token", "grant_type=client_credentials", "Authorization", basic("metered", secret));
        server.postForm("/token", "grant_type=client_credentials", "Authorization", basic("metered", secret));
        server.postForm("/token", "grant_type=client_credentials", "Authorization", basic("metered", "wrong"));
        server.postForm("/token", "grant_type=client_credentials&scope=admin", "Authorization", basic("metered", secret));
        server.postForm("/introspect", "", "Authorization", basic("metered", secret));

        String after = scrapeUntil(m -> sample(m, "latch_http_requests_seconds_count", "route=\"/token\"", "status=\"200\"") >= 2);
        assertThat(sample(after, "latch_tokens_issued_total", "grant_type=\"client_credentials\"")).isEqualTo(issued + 2);
        assertThat(sample(after, "latch_oauth_errors_total", "endpoint=\"token\"", "error=\"invalid_client\"")).isEqualTo(invalidClient + 1);
        assertThat(sample(after, "latch_oauth_errors_total", "endpoint=\"token\"", "error=\"invalid_scope\"")).isEqualTo(invalidScope + 1);
        assertThat(sample(after, "latch_oauth_errors_total", "endpoint=\"introspection\"", "error=\"invalid_request\""))
                .isEqualTo(introspectionInvalidRequest + 1);
        assertThat(sample(after, "latch_http_requests_seconds_count", "route=\"/token\"", "status=\"200\"")).isGreaterThanOrEqualTo(2);
        assertThat(after).doesNotContain(secret);
    }

    @Test
    void requestMetricsAreLabelledByRouteNotByRawPath() {
        server.get(server.url("/jwks"));
        server.get(server.url("/no-such-path/" + secret));
        String metrics = scrapeUntil(m -> sample(m, "latch_http_requests_seconds_count", "route=\"unmatched\"", "status=\"404\"") >= 1
                && sample(m, "latch_http_requests_seconds_count", "route=\"/jwks\"", "status=\"200\"") >= 1);
        assertThat(sample(metrics, "latch_http_requests_seconds_count", "route=\"/jwks\"", "method=\"GET\"", "status=\"200\""))
                .isGreaterThanOrEqualTo(1);
        assertThat(sample(metrics, "latch_http_requests_seconds_count", "route=\"unmatched\"", "status=\"404\""))
                .isGreaterThanOrEqualTo(1);
        assertThat(metrics).doesNotContain("no-such-path").doesNotContain(secret);
    }

    @Test
    void metricsShowTheJvmAnOperatorWatches() {
        String metrics = scrape();
        // one sample per heap pool, and a pool (survivor, old generation) may hold nothing right after a collection
        assertThat(samples(metrics, "jvm_memory_used_bytes", "area=\"heap\"").sum()).isPositive();
        assertThat(sample(metrics, "jvm_threads_live_threads")).isPositive();
        assertThat(sample(metrics, "process_uptime_seconds")).isPositive();
        assertThat(metrics).contains("process_cpu_usage");
    }

    @Test
    void managementEndpointsAreNotOnThePublicPort() {
        assertThat(server.get(server.url("/healthz")).statusCode()).isEqualTo(404);
        assertThat(server.get(server.url("/metrics")).statusCode()).isEqualTo(404);
    }

    @Test
    void managementPortAcceptsOnlyLoopbackConnections() throws IOException {
        Optional<InetAddress> external = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress()).findFirst();
        RealPart.require(external.isPresent(), "this machine has no non-loopback IPv4 address to try");
        int port = server.server().managementPort();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(external.get(), port), 2000);
            throw new AssertionError("management port " + port + " accepted a connection on " + external.get());
        } catch (IOException expected) {
            // refused: bound to loopback only
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
        }
    }
}
