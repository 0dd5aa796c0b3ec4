package dev.latch.server.signin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.user.PasswordHasher;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Password checks run on a bounded pool (user/PasswordVerifier): sign-in still works through it, and
 * when the pool and its queue are full the login page answers 503 "busy, try again" at once.
 */
class PasswordVerificationPoolTest {

    /** Holds every check until the test releases it, so the pool can be filled without timing. */
    static final class HeldHasher implements PasswordHasher {
        final PasswordHasher real;
        final Semaphore entered = new Semaphore(0);
        final CountDownLatch release = new CountDownLatch(1);

        HeldHasher(PasswordHasher real) { this.real = real; }

        private void hold() {
            entered.release();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override public String hash(char[] password) { return real.hash(password); }
        @Override public boolean verify(char[] password, String hash) { hold(); return real.verify(password, hash); }
        @Override public boolean verifyAgainstDummy(char[] password) { hold(); return real.verifyAgainstDummy(password); }
        @Override public boolean needsRehash(String hash) { return real.needsRehash(hash); }
    }

    @Test
    void loginWhenPoolAndQueueFullThen503BusyPageAndLaterLoginsStillWork() throws Exception {
        HeldHasher[] held = new HeldHasher[1];
        // one thread, one place in the queue: a third concurrent check has nowhere to go
        try (SignInFixture f = new SignInFixture("https://app.example/cb", Map.of(),
                h -> held[0] = new HeldHasher(h), s -> s.passwordVerification(1, 1));
             ExecutorService browsers = Executors.newVirtualThreadPerTaskExecutor()) {
            HeldHasher hasher = held[0];
            for (String u : List.of("u1", "u2", "u3")) {
                f.users.add(u, SignInFixture.PASSWORD, f.hasher);
            }
            CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> login(f, "u1"), browsers);
            assertThat(hasher.entered.tryAcquire(60, TimeUnit.SECONDS)).as("first check running").isTrue();
            // of the next two, one is queued and the other refused; which one depends on arrival order
            CompletableFuture<HttpResponse<String>> second = CompletableFuture.supplyAsync(() -> login(f, "u2"), browsers);
            CompletableFuture<HttpResponse<String>> third = CompletableFuture.supplyAsync(() -> login(f, "u3"), browsers);
            HttpResponse<String> refused = (HttpResponse<String>) CompletableFuture.anyOf(second, third).get(60, TimeUnit.SECONDS);
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("retry-after")).hasValue("1");
            assertThat(refused.body()).contains("The server is busy signing other people in. Try again in a moment.")
                    .contains("name=\"password\"");
            assertThat(first).isNotDone();

            hasher.release.countDown();
            assertThat(first.get(60, TimeUnit.SECONDS).body()).contains("wants to access your account");
            HttpResponse<String> queued = (second.get(60, TimeUnit.SECONDS) == refused ? third : second).get(60, TimeUnit.SECONDS);
            assertThat(queued.body()).contains("wants to access your account");
            // the refused browser tries again and gets in
            assertThat(login(f, refused == second.get() ? "u2" : "u3").body()).contains("wants to access your account");
        }
    }

    private static HttpResponse<String> login(SignInFixture f, String user) {
        Agent agent = new Agent();
        HttpResponse<String> page = agent.get(f.authorizeUrl(f.request()));
        assertThat(page.statusCode()).isEqualTo(200);
        return agent.post(f.server.url("/authorize/login"), "interaction=" + Agent.field(page.body(), "interaction") + "&csrf="
                + Agent.field(page.body(), "csrf") + "&username=" + user + "&password=" + SignInFixture.PASSWORD.replace(" ", "+"));
    }
}
