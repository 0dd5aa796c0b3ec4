package dev.latch.server.signin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.TestClock;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import dev.latch.server.client.StoredClient;
import dev.latch.server.purge.Janitor;
import dev.latch.server.secret.Secrets;
import dev.latch.server.storage.TestDatabase;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Two servers on one database throttle password sign-ins as one: failures made on either count on
 * both, per account and per address, concurrent failures are all counted, a success on one clears the
 * account on both, and the counts lapse after an hour and are purged. Time is a {@link TestClock} both
 * share, moved by the test. With counts kept per node (as before) every test here fails: each node
 * would have seen only half the failures.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
abstract class LoginThrottleAcrossServersContract {

    static final String CALLBACK = "https://app.example/cb";

    TestDatabase db;
    final TestClock clock = TestClock.atNow();
    final InMemoryUsers users = new InMemoryUsers();
    final TestPasswordHasher hasher = new TestPasswordHasher();
    final AtomicInteger names = new AtomicInteger();
    TestServer a;
    TestServer b;

    abstract TestDatabase createDatabase();

    @BeforeAll
    void start() {
        db = createDatabase();
        Map<String, String> settings = new HashMap<>(db.settings());
        settings.put("database.purge-interval", "1h"); // only the test purges
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        settings.put("master-key", java.util.Base64.getEncoder().encodeToString(key)); // one key for the nodes of one database
        a = TestServer.start(settings, clock, s -> s.users(users, hasher));
        b = TestServer.start(settings, clock, s -> s.users(users, hasher));
        long now = clock.instant().getEpochSecond();
        a.clients().store().insert(new StoredClient(new Client.Builder().clientId("web").clientName("Web App").scope("openid profile")
                .tokenEndpointAuthMethod(Client.BASIC).grantTypes(List.of("authorization_code")).redirectUris(List.of(CALLBACK)).build(),
                Secrets.digest(SignInFixture.SECRET), null, null, now, now));
    }

    @AfterAll
    void stop() {
        try {
            if (b != null) b.close();
            if (a != null) a.close();
        } finally {
            if (db != null) db.close();
        }
    }

    /** Every test starts from no failures (they all come from 127.0.0.1, so they would share the address's count). */
    @BeforeEach
    void forgetFailures() {
        a.sql().update("DELETE FROM login_failures");
    }

    String freshUser() {
        String name = "user" + names.incrementAndGet();
        users.add(name, SignInFixture.PASSWORD, hasher);
        return name;
    }

    static HttpResponse<String> login(TestServer node, String user, String password) {
        Agent agent = new Agent();
        HttpResponse<String> page = agent.get(node.url("/authorize?" + SignInFixture.form(SignInFixture.request("web", CALLBACK))));
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        return agent.post(node.url("/authorize/login"), "interaction=" + Agent.field(page.body(), "interaction") + "&csrf="
                + Agent.field(page.body(), "csrf") + "&username=" + user + "&password=" + password.replace(" ", "+"));
    }

    static void assertWrongPassword(HttpResponse<String> r) {
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("The username or password is incorrect.");
    }

    static void assertThrottled(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
        assertThat(r.body()).contains("Too many failed sign-in attempts. Wait");
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
    }

    static void assertSignedIn(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("wants to access your account");
    }

    @Test
    void accountFailuresOnEitherNodeAddUpAndTheWaitHoldsOnBoth() {
        String user = freshUser();
        // the free allowance (3) spread over both nodes, then a fourth failure: each node saw only two
        assertWrongPassword(login(a, user, "wrong"));
        assertWrongPassword(login(b, user, "wrong"));
        assertWrongPassword(login(a, user, "wrong"));
        assertWrongPassword(login(b, user, "wrong"));

        assertThrottled(login(a, user, SignInFixture.PASSWORD));
        assertThrottled(login(b, user, SignInFixture.PASSWORD));

        clock.advance(Duration.ofSeconds(1)); // the first wait past the allowance is one second
        assertSignedIn(login(b, user, SignInFixture.PASSWORD));
    }

    @Test
    void successOnOneNodeClearsTheAccountOnTheOtherButNotTheAddress() {
        String user = freshUser();
        for (int i = 0; i < 3; i++) assertWrongPassword(login(i % 2 == 0 ? a : b, user, "wrong"));
        assertSignedIn(login(b, user, SignInFixture.PASSWORD));
        // cleared everywhere: three more failures are free again, on the other node too
        for (int i = 0; i < 3; i++) assertWrongPassword(login(a, user, "wrong"));
        assertSignedIn(login(a, user, SignInFixture.PASSWORD));
        // the address keeps its six failures
        assertThat(failures("ip:127.0.0.1")).isEqualTo(6);
    }

    @Test
    void addressFailuresAcrossAccountsAndNodesAddUp() {
        // 21 failures from one address, each on another account, alternating nodes: past the address's allowance of 20
        for (int i = 0; i < 21; i++) {
            assertWrongPassword(login(i % 2 == 0 ? a : b, "nobody" + i, "wrong"));
        }
        String user = freshUser();
        assertThrottled(login(a, user, SignInFixture.PASSWORD));
        assertThrottled(login(b, user, SignInFixture.PASSWORD));
        clock.advance(Duration.ofSeconds(1));
        assertSignedIn(login(a, user, SignInFixture.PASSWORD));
    }

    @Test
    void failuresAtTheSameMomentOnBothNodesAreAllCounted() throws Exception {
        String user = freshUser();
        int each = 6;
        ExecutorService pool = Executors.newFixedThreadPool(2 * each);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 2 * each; i++) {
                TestServer node = i % 2 == 0 ? a : b;
                answers.add(pool.submit(() -> {
                    go.await();
                    return login(node, user, "wrong");
                }));
            }
            go.countDown();
            int refused = 0;
            for (Future<HttpResponse<String>> f : answers) {
                HttpResponse<String> r = f.get(1, TimeUnit.MINUTES);
                if (r.statusCode() == 429) refused++;
                else assertWrongPassword(r);
            }
            // every attempt that got as far as the password check was counted, on whichever node it ran
            assertThat(failures(accountKey(user))).isEqualTo(2 * each - refused);
            assertThat(failures("ip:127.0.0.1")).isEqualTo(2 * each - refused);
        } finally {
            pool.shutdownNow();
        }
        assertThrottled(login(b, user, SignInFixture.PASSWORD));
    }

    @Test
    void countsLapseAnHourAfterTheLastFailureAndThePurgeRemovesThem() {
        String user = freshUser();
        for (int i = 0; i < 4; i++) assertWrongPassword(login(i % 2 == 0 ? a : b, user, "wrong"));
        assertThrottled(login(a, user, SignInFixture.PASSWORD));

        clock.advance(Duration.ofMinutes(59));
        assertThat(failures(accountKey(user))).isEqualTo(4); // the one-second wait is long past; the count stays
        assertWrongPassword(login(b, user, "wrong"));
        assertThrottled(login(a, user, SignInFixture.PASSWORD)); // the fifth failure waits 2 s

        clock.advance(Duration.ofMinutes(61));
        assertWrongPassword(login(b, user, "wrong")); // the hour has passed: counting starts again from one
        assertThat(failures(accountKey(user))).isEqualTo(1);
        assertSignedIn(login(a, user, SignInFixture.PASSWORD));

        clock.advance(Duration.ofMinutes(61));
        Janitor.Outcome first = a.server().purgeExpired();
        Janitor.Outcome second = b.server().purgeExpired();
        Janitor.Outcome winner = first.purged() ? first : second;
        assertThat(winner.rows().get("login_failures")).isEqualTo(1L); // the address's row: the account's was cleared by the success
        assertThat(a.sql().queryOne("SELECT COUNT(*) FROM login_failures", rs -> rs.getLong(1)).orElseThrow()).isZero();
    }

    @Test
    void noUsernameIsStored() {
        login(a, "someone-typed-their-password-here", "wrong");
        List<String> keys = a.sql().query("SELECT throttle_key FROM login_failures", rs -> rs.getString(1));
        assertThat(keys).hasSize(2).contains("ip:127.0.0.1").noneMatch(k -> k.contains("someone"));
    }

    private static String accountKey(String user) {
        return "account:" + Secrets.digest(user.toLowerCase(java.util.Locale.ROOT));
    }

    private long failures(String key) {
        return a.sql().queryOne("SELECT failures FROM login_failures WHERE throttle_key = ?", rs -> rs.getLong(1), key).orElse(0L);
    }
}
