package dev.latch.bench.client;

import com.sun.net.httpserver.HttpServer;
import dev.latch.client.auth.ClientAuthentication;
import dev.latch.client.token.AccessToken;
import dev.latch.client.token.CachingTokenSource;
import dev.latch.client.token.TokenRequest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cached-token retrieval: what every outbound call pays once the token is held. 64 threads ask the
 * same {@link CachingTokenSource} at once; the token endpoint (a loopback server answering a one-hour
 * token) is asked once in set-up and must not be asked again during the run — {@link #check} fails
 * the run if it was.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@Threads(64)
public class TokenLookupBenchmark {

    private HttpServer endpoint;
    private final AtomicInteger tokenRequests = new AtomicInteger();
    private CachingTokenSource source;
    private TokenRequest otherScope;

    @Setup
    public void setUp() throws Exception {
        endpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        endpoint.createContext("/token", exchange -> {
            tokenRequests.incrementAndGet();
            byte[] body = "{\"access_token\":\"bench-token\",\"token_type\":\"Bearer\",\"expires_in\":3600}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        endpoint.start();
        URI tokenUrl = URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort() + "/token");
        source = CachingTokenSource.builder().tokenEndpoint(tokenUrl)
                .authentication(ClientAuthentication.clientSecretBasic("bench", "bench-secret")).scope("api").build();
        otherScope = TokenRequest.clientCredentials("api", "other");
        source.token();
        source.token(otherScope);
    }

    /** The default request's token: what {@code TokenSource.accessToken()} costs when cached. */
    @Benchmark
    public AccessToken cachedToken() {
        return source.token();
    }

    /** A token for a request given per call (looked up by its scope/resource/audience key). */
    @Benchmark
    public AccessToken cachedTokenByRequest() {
        return source.token(otherScope);
    }

    @TearDown
    public void check() {
        source.close();
        endpoint.stop(0);
        if (tokenRequests.get() != 2) {
            throw new IllegalStateException("the token endpoint was asked " + tokenRequests.get() + " times; cached lookups must not ask it");
        }
    }
}
