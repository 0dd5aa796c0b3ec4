package dev.latch.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What operators see: the access log (never a token or query), /healthz per issuer, /metrics, a graceful stop. */
class OperationsTest {

    private static String yaml(FakeIssuer issuer, EchoUpstream upstream) {
        return """
                issuers:
                  - id: test
                    issuer: %s
                    audience: %s
                routes:
                  - path: /api/
                    upstream: %s
                    mode: protect
                    issuer: test
                    scopes: [api.read]
                """.formatted(issuer.issuer(), FakeIssuer.AUDIENCE, upstream.url());
    }

    @Test
    void accessLogLineHasRouteStatusAndSubjectButNeverTokenCookieOrQuery() {
        Logger access = (Logger) LoggerFactory.getLogger("latch.gateway.access");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        access.addAppender(lines);
        try (FakeIssuer issuer = FakeIssuer.start(); EchoUpstream upstream = EchoUpstream.start();
             TestGateway gateway = TestGateway.start(yaml(issuer, upstream))) {
            String token = issuer.token("alice", "api.read", List.of());
            gateway.get("/api/x?secret=s3cr3t", "Authorization", "Bearer " + token, "Cookie", "session=c00kie");
            gateway.get("/api/x?access_token=" + token);
            gateway.get("/api/y", "Authorization", "Bearer " + token.substring(0, token.length() - 3) + "abc");
        } finally {
            access.detachAppender(lines);
        }
        List<String> logged = lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(logged).hasSize(3);
        assertThat(logged.get(0)).contains("/api/ GET /api/x 200").contains("sub=alice").contains("client=app-alice");
        assertThat(logged.get(1)).contains(" 401 ");
        assertThat(String.join("\n", logged)).doesNotContain("s3cr3t").doesNotContain("c00kie").doesNotContain("eyJ")
                .doesNotContain("access_token");
    }

    @Test
    void healthzReportsIssuerReachableAndThenNotWhenItStops() {
        FakeIssuer issuer = FakeIssuer.start();
        try (EchoUpstream upstream = EchoUpstream.start(); TestGateway gateway = TestGateway.start(yaml(issuer, upstream))) {
            HttpResponse<String> up = TestGateway.send(HttpRequest.newBuilder(URI.create(gateway.managementUrl("/healthz"))).build());
            assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
            assertThat(up.body()).contains("\"id\":\"test\"").contains("\"issuer\":\"" + issuer.issuer() + "\"");
            issuer.close();
            // the report is kept five seconds; a new gateway on the same stopped issuer reports it down at once
            try (TestGateway second = TestGateway.start(yaml(issuer, upstream))) {
                HttpResponse<String> down = TestGateway.send(HttpRequest.newBuilder(URI.create(second.managementUrl("/healthz"))).build());
                assertThat(down.statusCode()).isEqualTo(503);
                assertThat(down.body()).contains("\"reachable\":false").contains("\"id\":\"test\"");
            }
        } finally {
            issuer.close();
        }
    }

    @Test
    void metricsCountRequestsRefusalsByReasonUpstreamErrorsAndTokenCache() {
        try (FakeIssuer issuer = FakeIssuer.start(); EchoUpstream upstream = EchoUpstream.start();
             TestGateway gateway = TestGateway.start(yaml(issuer, upstream))) {
            String token = issuer.token("alice", "api.read", List.of());
            gateway.get("/api/x", "Authorization", "Bearer " + token);
            gateway.get("/api/x", "Authorization", "Bearer " + token);
            gateway.get("/api/x");
            gateway.get("/api/x", "Authorization", "Bearer " + issuer.token("bob", "other", List.of()));
            String metrics = TestGateway.send(HttpRequest.newBuilder(URI.create(gateway.managementUrl("/metrics"))).build()).body();
            assertThat(metrics).contains("latch_gateway_requests_seconds_count{route=\"/api/\",status=\"200\"} 2\n")
                    .contains("latch_gateway_requests_seconds_bucket{route=\"/api/\",status=\"200\"")
                    .contains("latch_gateway_refusals_total{reason=\"missing\",route=\"/api/\"} 1.0")
                    .contains("latch_gateway_refusals_total{reason=\"insufficient_scope\",route=\"/api/\"} 1.0")
                    .contains("latch_gateway_token_cache_hits_total{issuer=\"test\"} 1.0");
        }
    }

    @Test
    void stopWhileRequestInFlightThenItCompletes() throws Exception {
        try (FakeIssuer issuer = FakeIssuer.start(); EchoUpstream upstream = EchoUpstream.start()) {
            TestGateway gateway = TestGateway.start(yaml(issuer, upstream));
            String token = issuer.token("alice", "api.read", List.of());
            CompletableFuture<HttpResponse<String>> slow = TestGateway.HTTP.sendAsync(
                    HttpRequest.newBuilder(URI.create(gateway.url("/api/slow?delay=1500"))).header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.ofString());
            while (upstream.count() == 0) Thread.onSpinWait();
            gateway.close();
            assertThat(slow.get().statusCode()).isEqualTo(200);
        }
    }
}
