package dev.latch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Fires one client assertion at two token endpoints at the same moment, round after round, and
 * checks RFC 7523 §3 item 7 across nodes: of the two uses exactly one wins (200), the other is
 * {@code invalid_client} (401).
 */
final class AssertionRace {

    /** How often each node won, for the log: which one wins depends on timing, that one wins does not. */
    record Outcome(int winsA, int winsB) {}

    private AssertionRace() {}

    static Outcome run(int rounds, JWK key, String clientId, String audience, String tokenUrlA, String tokenUrlB) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        int winsA = 0;
        int winsB = 0;
        try {
            for (int round = 0; round < rounds; round++) {
                String body = ClientAssertions.tokenRequest(ClientAssertions.sign(key, clientId, audience, "race-" + UUID.randomUUID()));
                CyclicBarrier together = new CyclicBarrier(2);
                Future<HttpResponse<String>> a = pool.submit(() -> post(together, tokenUrlA, body));
                Future<HttpResponse<String>> b = pool.submit(() -> post(together, tokenUrlB, body));
                HttpResponse<String> ra = a.get(60, TimeUnit.SECONDS);
                HttpResponse<String> rb = b.get(60, TimeUnit.SECONDS);
                List<Integer> statuses = new ArrayList<>(List.of(ra.statusCode(), rb.statusCode()));
                String detail = "round " + round + ": A " + summary(ra) + " / B " + summary(rb);
                assertThat(statuses).as(detail).containsExactlyInAnyOrder(200, 401);
                HttpResponse<String> loser = ra.statusCode() == 401 ? ra : rb;
                assertThat(loser.body()).as(detail).contains("\"error\":\"invalid_client\"");
                if (ra.statusCode() == 200) winsA++;
                else winsB++;
            }
        } finally {
            pool.shutdownNow();
        }
        return new Outcome(winsA, winsB);
    }

    /** Status and error body; never the issued token itself. */
    private static String summary(HttpResponse<String> r) {
        return r.statusCode() == 200 ? "200 (token issued)" : r.statusCode() + " " + r.body();
    }

    private static HttpResponse<String> post(CyclicBarrier together, String url, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        together.await(30, TimeUnit.SECONDS);
        return TestServer.HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
