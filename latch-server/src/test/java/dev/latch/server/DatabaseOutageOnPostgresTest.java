package dev.latch.server;

import static dev.latch.server.OAuthResponses.basic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.client.Client;
import dev.latch.server.http.Json;
import dev.latch.server.signin.SignInFixture;
import dev.latch.server.storage.PostgresCluster;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL stopped under load, on a cluster of the test's own ({@link PostgresCluster}): requests that
 * need the database are answered {@code 503 temporarily_unavailable} with {@code Retry-After} (JSON on
 * the token endpoint, the error page on sign-in), never a 500 or a hang; {@code /healthz} says the
 * database is unreachable; JWKS and metadata go on; when PostgreSQL is back the same server recovers. The pool's
 * wait is a minute: an unreachable database must be found and refused at once ({@code DatabaseWatch}), not waited for.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DatabaseOutageOnPostgresTest {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseOutageOnPostgresTest.class);
    private static final String REDIRECT = "https://app.example/cb";
    private static final int WORKERS = 8;

    /** One answered request: which kind, its status, how long it took, and what a 503 must carry. */
    record Outcome(String kind, int status, long millis, String retryAfter, String contentType, String body, long at) {}

    @Test
    void requestsThatNeedTheDatabaseAreRefusedWith503WhileItIsDownAndServedAgainWhenItIsBack() throws Exception {
        RealPart.require(PostgresCluster.available(), PostgresCluster.MISSING);
        try (PostgresCluster pg = PostgresCluster.start();
             // a busy pool may keep a request a minute here: the 503s below can only come from finding the database down
             SignInFixture fixture = new SignInFixture(REDIRECT, Map.of("database.url", pg.url(), "database.user", "postgres",
                     "database.connection-timeout", "1m"))) {
            TestServer server = fixture.server;
            fixture.addClient(new Client.Builder().clientId("svc").scope("read").tokenEndpointAuthMethod(Client.BASIC)
                    .grantTypes(List.of("client_credentials", "refresh_token")).build());
            Outcome up = refresh(server);
            assertThat(up.status()).as("up: an unknown refresh token is looked up and refused: " + up.body()).isEqualTo(400);
            assertThat(server.get(server.managementUrl("/healthz")).statusCode()).isEqualTo(200);

            List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
            List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean running = new AtomicBoolean(true);
            ExecutorService load = Executors.newFixedThreadPool(WORKERS);
            for (int w = 0; w < WORKERS; w++) {
                int worker = w;
                load.submit(() -> {
                    for (int i = 0; running.get(); i++) {
                        try {
                            outcomes.add((i + worker) % 2 == 0 ? refresh(server) : clientCredentials(server));
                        } catch (Exception e) {
                            failures.add(e);
                        }
                    }
                });
            }
            Thread.sleep(1_000);
            long stoppedAt = System.nanoTime();
            pg.stop("fast");
            LOG.info("PostgreSQL stopped (fast shutdown) under load of {} workers", WORKERS);
            Thread.sleep(3_000);

            // while it is down: self-contained work goes on, health says so, pages are clean 503s
            HttpResponse<String> jwks = server.get(server.url("/jwks"));
            HttpResponse<String> metadata = server.get(server.url("/.well-known/openid-configuration"));
            HttpResponse<String> health = server.get(server.managementUrl("/healthz"));
            HttpResponse<String> signIn = server.get(fixture.authorizeUrl(fixture.request()));
            running.set(false);
            load.shutdown();
            assertThat(load.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

            assertThat(jwks.statusCode()).as(jwks.body()).isEqualTo(200);
            assertThat(Json.MAPPER.readTree(jwks.body()).get("keys").size()).isPositive();
            assertThat(metadata.statusCode()).as(metadata.body()).isEqualTo(200);
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(Json.MAPPER.readTree(health.body()).get("database").asText()).isEqualTo("unreachable");
            assertThat(signIn.statusCode()).as(signIn.body()).isEqualTo(503);
            assertThat(signIn.headers().firstValue("Content-Type")).get().asString().startsWith("text/html");
            assertThat(signIn.headers().firstValue("Retry-After")).isPresent();
            assertThat(signIn.body()).contains("Try again in a moment").doesNotContain("Exception").doesNotContain("at dev.latch");

            assertThat(failures).as("no request failed without an answer (a hang, a reset)").isEmpty();
            List<Outcome> afterStop = outcomes.stream().filter(o -> o.at() > stoppedAt).toList();
            assertThat(outcomes).as("never a 500").allSatisfy(o -> assertThat(o.status()).as(o.body()).isNotEqualTo(500));
            List<Outcome> refused = afterStop.stream().filter(o -> o.status() == 503).toList();
            assertThat(refused).as("requests needing the database are refused while it is down").isNotEmpty();
            assertThat(refused).allSatisfy(o -> {
                assertThat(o.retryAfter()).isNotNull();
                assertThat(o.contentType()).startsWith("application/json");
                try {
                    assertThat(Json.MAPPER.readTree(o.body()).get("error").asText()).isEqualTo("temporarily_unavailable");
                } catch (IOException e) {
                    throw new AssertionError(o.body(), e);
                }
            });
            assertThat(afterStop.stream().filter(o -> o.kind().equals("refresh")).map(Outcome::status).distinct())
                    .as("an unknown refresh token cannot be looked up: every one after the stop answered is refused (or was answered just before)")
                    .containsAnyOf(503);
            long[] millis = refused.stream().mapToLong(Outcome::millis).sorted().toArray();
            LOG.info("outage: {} requests after the stop, {} refused with 503 (median {} ms, max {} ms), {} served (client credentials need no database)",
                    afterStop.size(), refused.size(), millis[millis.length / 2], millis[millis.length - 1],
                    afterStop.stream().filter(o -> o.status() == 200).count());

            // PostgreSQL comes back: the same server recovers by itself
            long resumedAt = System.nanoTime();
            pg.resume();
            Outcome after = refresh(server);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (after.status() != 400 && System.nanoTime() < deadline) {
                Thread.sleep(100);
                after = refresh(server);
            }
            assertThat(after.status()).as("served again without a restart: " + after.body()).isEqualTo(400);
            LOG.info("recovery: the first database request succeeded {} ms after PostgreSQL was started again (pg_ctl -w included)",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - resumedAt));
            assertThat(server.get(server.managementUrl("/healthz")).statusCode()).isEqualTo(200);
            assertThat(clientCredentials(server).status()).isEqualTo(200);
            assertThat(server.get(fixture.authorizeUrl(fixture.request())).statusCode()).isEqualTo(200);
        }
    }

    private static Outcome refresh(TestServer server) throws IOException, InterruptedException {
        return send("refresh", server, "grant_type=refresh_token&refresh_token=unknown-" + System.nanoTime());
    }

    private static Outcome clientCredentials(TestServer server) throws IOException, InterruptedException {
        return send("client_credentials", server, "grant_type=client_credentials&scope=read");
    }

    private static Outcome send(String kind, TestServer server, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.url("/token")))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", basic("svc", SignInFixture.SECRET))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long t0 = System.nanoTime();
        HttpResponse<String> r = TestServer.HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        long t1 = System.nanoTime();
        return new Outcome(kind, r.statusCode(), TimeUnit.NANOSECONDS.toMillis(t1 - t0), r.headers().firstValue("Retry-After").orElse(null),
                r.headers().firstValue("Content-Type").orElse(""), r.body(), t0);
    }
}
