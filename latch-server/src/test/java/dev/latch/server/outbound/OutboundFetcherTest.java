package dev.latch.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpServer;
import dev.latch.core.fetch.FetchException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SSRF guard of {@link OutboundFetcher}: which addresses count as internal (including IPv4
 * addresses carried inside IPv6 ones), that the address checked is the address connected to (no
 * second DNS lookup a rebinding name could answer differently), and that the time limit covers the
 * whole response, not only its headers.
 */
class OutboundFetcherTest {

    private HttpServer host;
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() throws IOException {
        host = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        host.createContext("/keys", exchange -> {
            byte[] body = "{\"keys\":[]}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        host.createContext("/stalls", exchange -> {
            // headers at once, then a body that never comes
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 1000);
            exchange.getResponseBody().write('{');
            exchange.getResponseBody().flush();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        host.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        host.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        host.stop(0);
    }

    private int port() {
        return host.getAddress().getPort();
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
            "::1", "::", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254",
            // IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses carry an IPv4 address
            "::127.0.0.1", "::10.0.0.1", "64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1", "2002:7f00:1::1", "2002:a9fe:a9fe::1"})
    void internalAddressesAreRecognised(String address) throws UnknownHostException {
        assertThat(OutboundPolicy.isInternal(InetAddress.getByName(address))).as(address).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"93.184.215.14", "8.8.8.8", "2606:4700::1111", "64:ff9b::808:808", "2002:808:808::1"})
    void publicAddressesAreNotInternal(String address) throws UnknownHostException {
        assertThat(OutboundPolicy.isInternal(InetAddress.getByName(address))).as(address).isFalse();
    }

    @Test
    void nameResolvingToLoopbackIsRefusedWithoutConnecting() {
        AtomicInteger connections = new AtomicInteger();
        host.createContext("/counted", exchange -> {
            connections.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
        });
        OutboundFetcher fetcher = new OutboundFetcher(List.of(), Duration.ofSeconds(5), 1024,
                name -> new InetAddress[] {InetAddress.getLoopbackAddress()});
        assertThatThrownBy(() -> fetcher.fetch("https://jwks.example.test:" + port() + "/counted"))
                .isInstanceOf(FetchException.class).hasMessageContaining("loopback");
        assertThat(connections).hasValue(0);
    }

    /**
     * The name is resolved once, by the guard, and the connection goes to that address: a name the
     * system resolver does not know ({@code .test} is reserved) can only be fetched that way.
     */
    @Test
    void connectionGoesToTheAddressTheGuardChecked() {
        AtomicInteger lookups = new AtomicInteger();
        OutboundFetcher fetcher = new OutboundFetcher(List.of("jwks.example.test"), Duration.ofSeconds(5), 1024, name -> {
            lookups.incrementAndGet();
            return new InetAddress[] {InetAddress.getLoopbackAddress()};
        });
        OutboundFetcher.Fetched fetched = fetcher.fetch("http://jwks.example.test:" + port() + "/keys");
        assertThat(fetched.body()).isEqualTo("{\"keys\":[]}");
        assertThat(lookups).hasValue(1);
    }

    @Test
    void bodyThatNeverEndsFailsWithinTheTimeLimit() {
        OutboundFetcher fetcher = new OutboundFetcher(List.of("127.0.0.1"), Duration.ofMillis(500), 4096);
        // the bound only detects a hang: the fetch itself is limited to half a second
        assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
                assertThatThrownBy(() -> fetcher.fetch("http://127.0.0.1:" + port() + "/stalls"))
                        .isInstanceOf(FetchException.class));
    }

    @Test
    void httpFromAHostNotOnTheAllowListIsRefused() {
        OutboundFetcher fetcher = new OutboundFetcher(List.of(), Duration.ofSeconds(5), 1024);
        assertThatThrownBy(() -> fetcher.fetch("http://127.0.0.1:" + port() + "/keys"))
                .isInstanceOf(FetchException.class).hasMessageContaining("only https");
    }

    /** A FHIR server's upstream is configured by the operator: loopback is fine, the other limits hold. */
    @Test
    void configuredUrlOnLoopbackIsFetchedWithTheAcceptAsked() {
        java.util.List<String> accepts = new java.util.concurrent.CopyOnWriteArrayList<>();
        host.createContext("/fhir/Patient", exchange -> {
            accepts.add(exchange.getRequestHeaders().getFirst("Accept"));
            byte[] body = "{\"resourceType\":\"Bundle\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        OutboundFetcher fetcher = new OutboundFetcher(List.of(), Duration.ofSeconds(5), 1024);

        assertThat(fetcher.fetchConfigured("http://127.0.0.1:" + port() + "/fhir/Patient?name=x", "application/fhir+json").body())
                .isEqualTo("{\"resourceType\":\"Bundle\"}");
        assertThat(accepts).containsExactly("application/fhir+json");
    }

    @Test
    void configuredUrlRedirectIsNotFollowedAndSizeAndTimeLimitsHold() {
        host.createContext("/moved", exchange -> {
            exchange.getResponseHeaders().set("Location", "http://127.0.0.1:" + port() + "/keys");
            exchange.sendResponseHeaders(302, -1);
        });
        host.createContext("/big", exchange -> {
            byte[] body = new byte[4096];
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        OutboundFetcher fetcher = new OutboundFetcher(List.of(), Duration.ofMillis(500), 1024);

        assertThatThrownBy(() -> fetcher.fetchConfigured("http://127.0.0.1:" + port() + "/moved", "application/fhir+json"))
                .isInstanceOf(FetchException.class).hasMessageContaining("redirects are not followed");
        assertThatThrownBy(() -> fetcher.fetchConfigured("http://127.0.0.1:" + port() + "/big", "application/fhir+json"))
                .isInstanceOf(FetchException.class).hasMessageContaining("larger than 1024 bytes");
        assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
                assertThatThrownBy(() -> fetcher.fetchConfigured("http://127.0.0.1:" + port() + "/stalls", "application/fhir+json"))
                        .isInstanceOf(FetchException.class));
        assertThatThrownBy(() -> fetcher.fetchConfigured("file:///etc/passwd", "application/fhir+json"))
                .isInstanceOf(FetchException.class).hasMessageContaining("only http(s)");
    }
}
