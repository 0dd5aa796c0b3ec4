package dev.latch.server.token;

import static dev.latch.server.OAuthResponses.assertError;
import static dev.latch.server.OAuthResponses.assertNoStoreJson;
import static dev.latch.server.OAuthResponses.basic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.core.crypto.CryptoProviders;
import dev.latch.core.secret.SecretReference;
import dev.latch.server.LatchInstance;
import dev.latch.server.LatchServer;
import dev.latch.server.client.Client;
import dev.latch.server.client.ClientRegistry;
import dev.latch.server.config.ConfigLoader;
import dev.latch.server.config.ServerConfig;
import dev.latch.server.cpu.CpuPool;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Token signatures and access-token checks run on the server's crypto pool (cpu/CpuPool): when its
 * threads and its queue are full, a token request or an introspection is answered at once with 503
 * temporarily_unavailable and Retry-After, never held (and never "inactive"); queued requests finish
 * once the pool frees up, and later requests work.
 */
class SigningPoolSaturationTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void tokenRequestWhenSigningPoolAndQueueFullThen503TemporarilyUnavailableWithRetryAfter(@TempDir Path data) throws Exception {
        CryptoProviders.select(CryptoProviders.Mode.AUTO);
        // one signing thread, one place in its queue
        CpuPool signing = new CpuPool("test-sign", 1, 1);
        ServerConfig config = new ConfigLoader(name -> null, SecretReference.system()).load(null, Map.of(
                "port", Integer.toString(LatchServer.freePort()), "management.port", Integer.toString(LatchServer.freePort()),
                "data", Files.createDirectories(data.resolve("data")).toString()));
        try (LatchServer server = LatchServer.create(LatchInstance.open(config, Clock.systemUTC()), signing).start();
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            ClientRegistry.Registered client = server.instance().clients().create(new Client.Builder().clientId("job").build(), null, true, null);
            String auth = basic("job", client.clientSecret());
            assertNoStoreJson(token(server, auth), 200);

            // the test holds the only signing thread
            Semaphore running = new Semaphore(0);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Boolean> held = CompletableFuture.supplyAsync(() -> {
                try {
                    return signing.run(() -> {
                        running.release();
                        return release.await(60, TimeUnit.SECONDS);
                    });
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, clients);
            assertThat(running.tryAcquire(60, TimeUnit.SECONDS)).as("the signing thread is held").isTrue();

            // of two token requests, one takes the queue place and waits, the other is refused at once;
            // the waiting one cannot finish while the thread is held, so the first to finish is the refused one
            CompletableFuture<HttpResponse<String>> a = CompletableFuture.supplyAsync(() -> token(server, auth), clients);
            CompletableFuture<HttpResponse<String>> b = CompletableFuture.supplyAsync(() -> token(server, auth), clients);
            HttpResponse<String> refused = (HttpResponse<String>) CompletableFuture.anyOf(a, b).get(60, TimeUnit.SECONDS);
            assertError(refused, 503, "temporarily_unavailable");
            assertThat(refused.headers().firstValue("retry-after")).hasValue("1");
            CompletableFuture<HttpResponse<String>> queued = refused == a.getNow(null) ? b : a;
            assertThat(queued).isNotDone();

            release.countDown();
            assertThat(held.get(60, TimeUnit.SECONDS)).isTrue();
            assertThat(assertNoStoreJson(queued.get(60, TimeUnit.SECONDS), 200).path("access_token").asText()).isNotEmpty();
            assertThat(assertNoStoreJson(token(server, auth), 200).path("access_token").asText()).isNotEmpty();
        }
    }

    @Test
    void introspectionWhenThePoolIsFullAnswers503NeverInactive(@TempDir Path data) throws Exception {
        CryptoProviders.select(CryptoProviders.Mode.AUTO);
        CpuPool crypto = new CpuPool("test-crypto", 1, 1);
        ServerConfig config = new ConfigLoader(name -> null, SecretReference.system()).load(null, Map.of(
                "port", Integer.toString(LatchServer.freePort()), "management.port", Integer.toString(LatchServer.freePort()),
                "data", Files.createDirectories(data.resolve("data")).toString()));
        try (LatchServer server = LatchServer.create(LatchInstance.open(config, Clock.systemUTC()), crypto).start();
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            ClientRegistry.Registered client = server.instance().clients().create(new Client.Builder().clientId("job").build(), null, true, null);
            String auth = basic("job", client.clientSecret());
            String accessToken = assertNoStoreJson(token(server, auth), 200).path("access_token").asText();
            assertThat(assertNoStoreJson(introspect(server, auth, accessToken), 200).path("active").asBoolean()).isTrue();

            // the test holds the pool's only thread and fills its one queue place itself
            Semaphore running = new Semaphore(0);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Boolean> held = CompletableFuture.supplyAsync(() -> {
                try {
                    return crypto.run(() -> {
                        running.release();
                        return release.await(60, TimeUnit.SECONDS);
                    });
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, clients);
            assertThat(running.tryAcquire(60, TimeUnit.SECONDS)).as("the pool's thread is held").isTrue();
            CompletableFuture<Boolean> queued = CompletableFuture.supplyAsync(() -> crypto.run(() -> true), clients);
            for (int i = 0; i < 600 && crypto.queued() < 1; i++) {
                Thread.sleep(10);
            }
            assertThat(crypto.queued()).as("the queue place is taken").isEqualTo(1);

            // a resource server must not be told a good token is inactive because the server is busy
            HttpResponse<String> refused = introspect(server, auth, accessToken);
            assertError(refused, 503, "temporarily_unavailable");
            assertThat(refused.headers().firstValue("retry-after")).hasValue("1");
            assertThat(held).isNotDone();

            release.countDown();
            assertThat(held.get(60, TimeUnit.SECONDS)).isTrue();
            assertThat(queued.get(60, TimeUnit.SECONDS)).isTrue();
            assertThat(assertNoStoreJson(introspect(server, auth, accessToken), 200).path("active").asBoolean()).isTrue();
        }
    }

    private static HttpResponse<String> introspect(LatchServer server, String authorization, String token) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/introspect"))
                    .header("Authorization", authorization).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("token=" + token)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> token(LatchServer server, String authorization) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/token"))
                    .header("Authorization", authorization).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
