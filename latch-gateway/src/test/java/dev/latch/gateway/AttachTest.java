package dev.latch.gateway;

import static dev.latch.gateway.EchoUpstream.headersOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import dev.latch.server.TestServer;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code attach} end to end: local callers send plain requests, the gateway gets a client-credentials
 * token from a real Latch through latch-client, caches it, adds it, and renews it once on an upstream 401.
 */
class AttachTest {

    static TestServer latch;
    static EchoUpstream upstream;
    static TestGateway gateway;
    static int closedPort;

    @BeforeAll
    static void start() throws Exception {
        latch = TestServer.start();
        String secret = latch.basicClient("billing-job", "api.read").clientSecret();
        upstream = EchoUpstream.start();
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        gateway = TestGateway.start("""
                routes:
                  - path: /partner/
                    upstream: %s
                    mode: attach
                    token:
                      issuer: %s
                      client-id: billing-job
                      client-secret: ${env:BILLING_JOB_SECRET}
                      scope: api.read
                  - path: /down/
                    upstream: %s
                    mode: attach
                    token:
                      issuer: http://127.0.0.1:%d
                      client-id: billing-job
                      client-secret: ${env:BILLING_JOB_SECRET}
                """.formatted(upstream.url(), latch.issuer(), upstream.url(), closedPort), Map.of("BILLING_JOB_SECRET", secret));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
        latch.close();
    }

    private static String bearerSeenUpstream(HttpResponse<String> r) {
        return (String) headersOf(EchoUpstream.parse(r.body())).get("authorization");
    }

    @Test
    void plainRequestThenUpstreamGetsLatchTokenAndCallerAuthorizationReplaced() throws Exception {
        HttpResponse<String> r = gateway.get("/partner/invoices", "Authorization", "Bearer caller-own");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String bearer = bearerSeenUpstream(r);
        assertThat(bearer).startsWith("Bearer ").isNotEqualTo("Bearer caller-own");
        SignedJWT jwt = SignedJWT.parse(bearer.substring(7));
        assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo(latch.issuer());
        assertThat(jwt.getJWTClaimsSet().getStringClaim("client_id")).isEqualTo("billing-job");
        assertThat(jwt.getJWTClaimsSet().getStringClaim("scope")).isEqualTo("api.read");
    }

    @Test
    void severalRequestsThenOneTokenReused() {
        String first = bearerSeenUpstream(gateway.get("/partner/a"));
        String second = bearerSeenUpstream(gateway.get("/partner/b"));
        assertThat(second).isEqualTo(first);
    }

    @Test
    void upstream401ThenTokenRenewedAndRequestRetriedOnce() {
        String before = bearerSeenUpstream(gateway.get("/partner/warm"));
        AtomicInteger calls = new AtomicInteger();
        upstream.answerWith(ex -> ex.getRequestURI().getPath().equals("/partner/retry") && calls.getAndIncrement() == 0 ? 401 : null);
        try {
            HttpResponse<String> r = gateway.get("/partner/retry");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(calls.get()).isEqualTo(2);
            assertThat(bearerSeenUpstream(r)).as("a fresh token on the retry").isNotEqualTo(before);
        } finally {
            upstream.answerWith(ex -> null);
        }
    }

    @Test
    void upstreamAlways401ThenCallerGets401AfterOneRetry() {
        AtomicInteger calls = new AtomicInteger();
        upstream.answerWith(ex -> {
            if (!ex.getRequestURI().getPath().equals("/partner/never")) return null;
            calls.incrementAndGet();
            return 401;
        });
        try {
            HttpResponse<String> r = gateway.get("/partner/never");
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(calls.get()).isEqualTo(2);
        } finally {
            upstream.answerWith(ex -> null);
        }
    }

    @Test
    void authorizationServerDownThen502JsonAndUpstreamNotReached() {
        int before = upstream.count();
        HttpResponse<String> r = gateway.get("/down/x");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(r.body()).contains("\"error\":\"token_unavailable\"");
        assertThat(upstream.count()).isEqualTo(before);
    }
}
