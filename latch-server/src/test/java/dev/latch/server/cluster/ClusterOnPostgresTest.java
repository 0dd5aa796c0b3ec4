package dev.latch.server.cluster;

import static dev.latch.server.OAuthResponses.assertError;
import static dev.latch.server.OAuthResponses.assertNoStoreJson;
import static dev.latch.server.OAuthResponses.basic;
import static dev.latch.server.OAuthResponses.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.server.ClientAssertions;
import dev.latch.server.LatchServer;
import dev.latch.server.TestClock;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import dev.latch.server.keys.SigningKey;
import dev.latch.server.signin.Agent;
import dev.latch.server.signin.BrowserCallback;
import dev.latch.server.signin.SharedChromium;
import dev.latch.server.signin.SignInFixture;
import dev.latch.server.storage.TestDatabase;
import dev.latch.server.user.UserProfile;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * Two Latch nodes on one PostgreSQL database behind a real HAProxy balancing round-robin, as the
 * guide "Run Latch on several nodes" sets them up: one issuer (the balancer's URL), one master key,
 * one database. Where a property is about which node does what, the test talks to node A and node B
 * directly (each one's own port), so it knows; the browser goes through the balancer, and each node's
 * request metrics show both served it. The nodes share a {@link TestClock}, so the key rotation can
 * pass its JWKS max-age without waiting; that test runs last, since it moves the clock ten minutes on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClusterOnPostgresTest {

    static final String VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"; // RFC 7636 Appendix B
    static final String PASSWORD = "correct horse battery staple";

    final TestClock clock = TestClock.atNow();
    TestDatabase db;
    TestServer a;
    TestServer b;
    HaproxyProcess balancer;
    BrowserCallback callback;
    int users;

    @BeforeAll
    void start() {
        HaproxyProcess.require();
        TestDatabase.assumePostgresReachable();
        db = TestDatabase.postgres();
        callback = new BrowserCallback();
        int balancerPort = LatchServer.freePort();
        Map<String, String> settings = new HashMap<>(db.settings());
        settings.put("issuer", "http://127.0.0.1:" + balancerPort); // every node has the balancer's URL as its issuer
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        settings.put("master-key", java.util.Base64.getEncoder().encodeToString(key)); // and the same master key
        a = TestServer.start(settings, clock);
        b = TestServer.start(settings, clock);
        balancer = HaproxyProcess.start(balancerPort, List.of(
                new HaproxyProcess.Backend("a", a.server().port(), a.server().managementPort()),
                new HaproxyProcess.Backend("b", b.server().port(), b.server().managementPort())));
        awaitBothNodesBehindTheBalancer();

        a.clients().create(new Client.Builder().clientId("web").clientName("Web App").scope("openid offline_access")
                .grantTypes(List.of("authorization_code", "refresh_token")).redirectUris(List.of(callback.uri())).build(),
                SignInFixture.SECRET, true, null);
        a.clients().create(new Client.Builder().clientId("m2m").scope("read").grantTypes(List.of("client_credentials")).build(),
                SignInFixture.SECRET, true, null);
    }

    @AfterAll
    void stop() {
        try {
            for (AutoCloseable c : new AutoCloseable[] {balancer, b, a, callback}) {
                if (c != null) c.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            if (db != null) db.close();
        }
    }

    /** HAProxy marks a node up after its first health check: wait until answers come from both. */
    void awaitBothNodesBehindTheBalancer() {
        Set<String> seen = new TreeSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (seen.size() < 2 && System.nanoTime() < deadline) {
            HttpResponse<String> r = TestServer.send(HttpRequest.newBuilder(URI.create(balancer.url("/.well-known/openid-configuration"))).build());
            if (r.statusCode() == 200) r.headers().firstValue("X-Latch-Node").ifPresent(seen::add);
        }
        assertThat(seen).as("nodes answering behind the balancer\n" + balancer.output()).containsExactly("a", "b");
    }

    static String direct(TestServer node, String path) {
        return "http://127.0.0.1:" + node.server().port() + path;
    }

    static HttpResponse<String> post(String url, String body, String... headers) {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) r.header(headers[i], headers[i + 1]);
        return TestServer.send(r.build());
    }

    static HttpResponse<String> get(String url) {
        return TestServer.send(HttpRequest.newBuilder(URI.create(url)).build());
    }

    String newUser() {
        String name = "person" + (++users);
        a.instance().users().create(new UserProfile(name, Map.of(), List.of(), true), PASSWORD.toCharArray());
        return name;
    }

    Map<String, String> authorizationRequest(String scope) {
        Map<String, String> p = new LinkedHashMap<>(SignInFixture.request("web", callback.uri()));
        p.put("scope", scope);
        p.put("code_challenge", SignInFixture.CHALLENGE);
        return p;
    }

    /** The sign-in page from {@code pageNode}, the login form posted to {@code loginNode}, consent given on {@code consentNode}: the code. */
    String codeThrough(TestServer pageNode, TestServer loginNode, TestServer consentNode, String scope) {
        Agent agent = new Agent();
        HttpResponse<String> page = agent.get(direct(pageNode, "/authorize?" + SignInFixture.form(authorizationRequest(scope))));
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        HttpResponse<String> consent = agent.post(direct(loginNode, "/authorize/login"), "interaction=" + Agent.field(page.body(), "interaction")
                + "&csrf=" + Agent.field(page.body(), "csrf") + "&username=" + newUser() + "&password=" + form(PASSWORD));
        assertThat(consent.body()).as("the form made on one node is accepted by the other").contains("wants to access your account");
        HttpResponse<String> done = agent.post(direct(consentNode, "/authorize/consent"), "interaction=" + Agent.field(consent.body(), "interaction")
                + "&csrf=" + Agent.field(consent.body(), "csrf") + "&decision=approve");
        assertThat(done.statusCode()).as(done.body()).isEqualTo(303);
        return Agent.query(done.headers().firstValue("location").orElseThrow()).get("code");
    }

    HttpResponse<String> redeem(TestServer node, String code) {
        return post(direct(node, "/token"), "grant_type=authorization_code&code=" + form(code) + "&redirect_uri=" + form(callback.uri())
                + "&code_verifier=" + VERIFIER, "Authorization", basic("web", SignInFixture.SECRET));
    }

    HttpResponse<String> refresh(TestServer node, String refreshToken) {
        return post(direct(node, "/token"), "grant_type=refresh_token&refresh_token=" + form(refreshToken),
                "Authorization", basic("web", SignInFixture.SECRET));
    }

    /** Introspection as {@code client} (a token is reported active only to the client it was issued to). */
    static JsonNode introspect(TestServer node, String client, String token) {
        return assertNoStoreJson(post(direct(node, "/introspect"), "token=" + form(token), "Authorization", basic(client, SignInFixture.SECRET)), 200);
    }

    String clientCredentialsToken(TestServer node) {
        return assertNoStoreJson(post(direct(node, "/token"), "grant_type=client_credentials&scope=read",
                "Authorization", basic("m2m", SignInFixture.SECRET)), 200).path("access_token").asText();
    }

    @Test
    @Order(1)
    void codeMadeOnOneNodeIsRedeemedOnTheOtherAndOnlyOnce() {
        String code = codeThrough(a, b, a, "openid");
        JsonNode tokens = assertNoStoreJson(redeem(b, code), 200);
        assertThat(tokens.path("id_token").asText()).isNotEmpty();
        assertThat(introspect(a, "web", tokens.path("access_token").asText()).path("active").asBoolean()).isTrue();

        // a code is single-use on every node: the replay on A is refused and revokes what B issued
        assertError(redeem(a, code), 400, "invalid_grant");
        assertThat(introspect(b, "web", tokens.path("access_token").asText()).path("active").asBoolean()).isFalse();
    }

    @Test
    @Order(2)
    void formsAndTheirCsrfTokensHoldOnEveryNodeAndAForgedOneIsRefusedOnEvery() {
        Agent agent = new Agent();
        HttpResponse<String> page = agent.get(direct(a, "/authorize?" + SignInFixture.form(authorizationRequest("openid"))));
        String interaction = Agent.field(page.body(), "interaction");
        for (TestServer node : List.of(a, b)) {
            HttpResponse<String> forged = agent.post(direct(node, "/authorize/login"), "interaction=" + interaction
                    + "&csrf=forged&username=" + newUser() + "&password=" + form(PASSWORD));
            assertThat(forged.body()).doesNotContain("wants to access your account").contains("This form has expired");
            assertThat(agent.cookies).doesNotContainKey("latch_session");
        }
        // the session made on B is known to A: a second authorization on A needs no sign-in
        String user = newUser();
        page = agent.get(direct(a, "/authorize?" + SignInFixture.form(authorizationRequest("openid"))));
        HttpResponse<String> consent = agent.post(direct(b, "/authorize/login"), "interaction=" + Agent.field(page.body(), "interaction")
                + "&csrf=" + Agent.field(page.body(), "csrf") + "&username=" + user + "&password=" + form(PASSWORD));
        assertThat(consent.body()).contains("wants to access your account");
        assertThat(agent.cookies).containsKey("latch_session");
        HttpResponse<String> again = agent.get(direct(a, "/authorize?" + SignInFixture.form(authorizationRequest("openid"))));
        assertThat(again.body()).as("signed in on B, known on A").contains("wants to access your account").doesNotContain("name=\"password\"");
    }

    @Test
    @Order(3)
    void refreshRotationAndReuseDetectionHoldAcrossNodes() {
        JsonNode first = assertNoStoreJson(redeem(a, codeThrough(b, a, b, "openid offline_access")), 200);
        String r0 = first.path("refresh_token").asText();
        assertThat(r0).isNotEmpty();

        JsonNode second = assertNoStoreJson(refresh(b, r0), 200);   // rotated on B
        String r1 = second.path("refresh_token").asText();
        JsonNode third = assertNoStoreJson(refresh(a, r1), 200);    // and again on A
        String r2 = third.path("refresh_token").asText();
        assertThat(introspect(b, "web", third.path("access_token").asText()).path("active").asBoolean()).isTrue();

        // r0 was rotated on B; presenting it again on A is reuse: refused, and the whole family is revoked everywhere
        assertError(refresh(a, r0), 400, "invalid_grant");
        assertError(refresh(b, r2), 400, "invalid_grant");
        assertThat(introspect(b, "web", third.path("access_token").asText()).path("active").asBoolean()).isFalse();
        assertThat(introspect(a, "web", second.path("access_token").asText()).path("active").asBoolean()).isFalse();
    }

    @Test
    @Order(4)
    void clientAssertionReplayedToTheOtherNodeIsRefused() {
        catchUpWithRealTime(); // assertions are made with the real time
        JWK key = ClientAssertions.newKey();
        a.register(ClientAssertions.privateKeyJwtClient("signed", key, "read"));
        String assertion = ClientAssertions.sign(key, "signed", a.issuer() + "/token", UUID.randomUUID().toString());
        assertNoStoreJson(post(direct(a, "/token"), ClientAssertions.tokenRequest(assertion)), 200);
        HttpResponse<String> replay = post(direct(b, "/token"), ClientAssertions.tokenRequest(assertion));
        assertThat(replay.statusCode()).isEqualTo(401);
        assertThat(replay.body()).contains("\"error\":\"invalid_client\"");
        // a fresh jti is fine on B
        assertNoStoreJson(post(direct(b, "/token"), ClientAssertions.tokenRequest(
                ClientAssertions.sign(key, "signed", a.issuer() + "/token", UUID.randomUUID().toString()))), 200);
    }

    @Test
    @Order(5)
    void tokenRevokedOnOneNodeIsInactiveOnTheOtherAtOnce() {
        String token = clientCredentialsToken(a);
        assertThat(introspect(b, "m2m", token).path("active").asBoolean()).isTrue();
        assertThat(post(direct(a, "/revoke"), "token=" + form(token), "Authorization", basic("m2m", SignInFixture.SECRET)).statusCode()).isEqualTo(200);
        assertThat(introspect(b, "m2m", token).path("active").asBoolean()).isFalse(); // no wait, no clock moved
        assertThat(introspect(a, "m2m", token).path("active").asBoolean()).isFalse();
    }

    @Test
    @Order(6)
    void browserSignsInThroughTheBalancerWhicheverNodeServesEachStep() throws Exception {
        SharedChromium.require();
        ChromeDriver browser = SharedChromium.driver();
        callback.clear();
        browser.get(balancer.url("/.well-known/openid-configuration"));
        browser.manage().deleteAllCookies();
        double beforeA = authorizeRequests(a);
        double beforeB = authorizeRequests(b);
        String user = newUser();

        browser.get(balancer.url("/authorize?" + SignInFixture.form(authorizationRequest("openid"))));
        browser.findElement(By.id("username")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(PASSWORD);
        SharedChromium.submit(browser, By.id("sign-in"));
        assertThat(browser.findElements(By.id("approve"))).as(browser.getPageSource()).isNotEmpty();
        SharedChromium.submit(browser, By.id("approve"));
        String code = Agent.query(callback.next().asUri(callback.uri())).get("code");
        assertNoStoreJson(post(balancer.url("/token"), "grant_type=authorization_code&code=" + form(code) + "&redirect_uri="
                + form(callback.uri()) + "&code_verifier=" + VERIFIER, "Authorization", basic("web", SignInFixture.SECRET)), 200);

        // signed in and consent remembered: the next authorizations come straight back with a code, whichever node answers
        for (int i = 0; i < 2; i++) {
            browser.get(balancer.url("/authorize?" + SignInFixture.form(authorizationRequest("openid"))));
            assertThat(Agent.query(callback.next().asUri(callback.uri()))).containsKey("code");
        }
        // round-robin gave both nodes part of the browser's requests
        assertThat(authorizeRequests(a)).isGreaterThan(beforeA);
        assertThat(authorizeRequests(b)).isGreaterThan(beforeB);
    }

    @Test
    @Order(7)
    void failedSignInsThroughTheBalancerCountOnBothNodes() {
        String user = newUser();
        for (int i = 0; i < 4; i++) {
            Agent agent = new Agent();
            HttpResponse<String> page = agent.get(balancer.url("/authorize?" + SignInFixture.form(authorizationRequest("openid"))));
            agent.post(balancer.url("/authorize/login"), "interaction=" + Agent.field(page.body(), "interaction")
                    + "&csrf=" + Agent.field(page.body(), "csrf") + "&username=" + user + "&password=wrong");
        }
        // four failures, two per node (round-robin): the fourth is past the allowance of three, so both nodes make the person wait
        for (TestServer node : List.of(a, b)) {
            Agent agent = new Agent();
            HttpResponse<String> page = agent.get(direct(node, "/authorize?" + SignInFixture.form(authorizationRequest("openid"))));
            HttpResponse<String> r = agent.post(direct(node, "/authorize/login"), "interaction=" + Agent.field(page.body(), "interaction")
                    + "&csrf=" + Agent.field(page.body(), "csrf") + "&username=" + user + "&password=" + form(PASSWORD));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
        }
        clock.advance(Duration.ofSeconds(1));
    }

    @Test
    @Order(100)
    void keyRotatedOnOneNodeIsPublishedByAllBeforeAnyNodeSignsWithIt() throws Exception {
        JWSAlgorithm alg = SignedJWT.parse(clientCredentialsToken(a)).getHeader().getAlgorithm();
        String oldKid = SignedJWT.parse(clientCredentialsToken(b)).getHeader().getKeyID();
        clock.advance(Duration.ofSeconds(5));
        jwks(a);
        jwks(b); // both nodes have just reloaded their keys

        long rotatedAt = clock.instant().getEpochSecond();
        SigningKey fresh = a.instance().keyRing().rotate(alg, null, false);
        long activateAt = fresh.activateAt();

        // a verifier may fetch a node's JWKS at any moment and keep it for its max-age: every copy that lacks
        // the new key must have run out before the key signs
        for (int second = 0; second <= 5; second++) {
            for (TestServer node : List.of(a, b)) {
                HttpResponse<String> r = get(direct(node, "/jwks"));
                long maxAge = maxAge(r);
                boolean has = JWKSet.parse(r.body()).getKeyByKeyId(fresh.kid()) != null;
                long now = clock.instant().getEpochSecond();
                if (!has) {
                    assertThat(now + maxAge).as("a JWKS without the new key, fetched %d s after the rotation, is fresh until after it signs",
                            now - rotatedAt).isLessThanOrEqualTo(activateAt);
                }
                if (now - rotatedAt >= 3) assertThat(has).as("published by every node within seconds").isTrue();
            }
            clock.advance(Duration.ofSeconds(1));
        }

        // until the activation both nodes sign with the old key; from then on both with the new one
        clock.advance(Duration.ofSeconds(activateAt - clock.instant().getEpochSecond() - 1));
        assertThat(kidOf(clientCredentialsToken(a))).isEqualTo(oldKid);
        assertThat(kidOf(clientCredentialsToken(b))).isEqualTo(oldKid);
        clock.advance(Duration.ofSeconds(1));
        String fromA = clientCredentialsToken(a);
        String fromB = clientCredentialsToken(b);
        assertThat(kidOf(fromA)).isEqualTo(fresh.kid());
        assertThat(kidOf(fromB)).isEqualTo(fresh.kid());
        assertThat(introspect(b, "m2m", fromA).path("active").asBoolean()).isTrue();
        assertThat(introspect(a, "m2m", fromB).path("active").asBoolean()).isTrue();
        // the old key stays published (tokens it signed are still valid)
        assertThat(JWKSet.parse(get(balancer.url("/jwks")).body()).getKeyByKeyId(oldKid)).isNotNull();
    }

    /** Moves the nodes' clock to the real time (it stands still unless moved; tests that sign with the real time need it near). */
    void catchUpWithRealTime() {
        Duration behind = Duration.between(clock.instant(), java.time.Instant.now());
        if (!behind.isNegative()) clock.advance(behind);
    }

    static JWKSet jwks(TestServer node) throws Exception {
        return JWKSet.parse(get(direct(node, "/jwks")).body());
    }

    static long maxAge(HttpResponse<String> r) {
        Matcher m = Pattern.compile("max-age=(\\d+)").matcher(r.headers().firstValue("Cache-Control").orElseThrow());
        assertThat(m.find()).isTrue();
        return Long.parseLong(m.group(1));
    }

    static String kidOf(String jwt) throws Exception {
        return SignedJWT.parse(jwt).getHeader().getKeyID();
    }

    /** Requests to the authorization pages this node has answered (its own metrics, from its management port). */
    static double authorizeRequests(TestServer node) {
        String scrape = get(node.managementUrl("/metrics")).body();
        Matcher m = Pattern.compile("(?m)^latch_http_requests_seconds_count\\{[^}]*route=\"/authorize[^\"]*\"[^}]*} (\\S+)$").matcher(scrape);
        double sum = 0;
        while (m.find()) sum += Double.parseDouble(m.group(1));
        return sum;
    }
}
