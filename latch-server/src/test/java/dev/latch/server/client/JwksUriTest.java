package dev.latch.server.client;

import static dev.latch.server.OAuthResponses.assertInvalidClientWithoutChallenge;
import static dev.latch.server.OAuthResponses.assertNoStoreJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.latch.server.ClientAssertion;
import dev.latch.server.TestClock;
import dev.latch.server.TestKeys;
import dev.latch.server.TestServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Client keys from a {@code jwks_uri} served by a local web server whose host is on the outbound
 * allow-list: caching per Cache-Control (clamped to 5 min–24 h), the once-a-minute refetch for an
 * unknown kid, no redirects, a size limit, and {@code jku} only when it is the registered URI. The
 * server's clock is a {@link TestClock}, so time moves without sleeping.
 */
class JwksUriTest {

    static TestServer server;
    static TestClock clock;
    static JwksHost host;

    @BeforeAll
    static void start() {
        clock = TestClock.atNow();
        server = TestServer.start(Map.of("outbound.allow", "127.0.0.1"), clock);
        host = new JwksHost();
    }

    @AfterAll
    static void stop() {
        host.close();
        server.close();
    }

    private static String jwks(JWK... keys) {
        return new JWKSet(java.util.List.of(keys)).toPublicJWKSet().toString();
    }

    private static void registerRemote(String clientId, String path) {
        server.register(new Client.Builder().clientId(clientId).scope("read").tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                .jwksUri(host.url(path)).build());
    }

    private static HttpResponse<String> authenticate(String clientId, JWK key) {
        return authenticate(ClientAssertion.of(clientId, server.issuer(), clock.instant()).kid(key.getKeyID()), key);
    }

    private static HttpResponse<String> authenticate(ClientAssertion assertion, JWK key) {
        return server.postForm("/token", "grant_type=client_credentials&" + ClientAssertion.form(assertion.sign(key, JWSAlgorithm.RS256)));
    }

    @Test
    void keysFromAllowedLoopbackHostThenTokenAndCachedForLaterAssertions() {
        JWK key = TestKeys.rsa("a1");
        host.serve("/allowed", JwksHost.Answer.json(jwks(key), null));
        registerRemote("remote-allowed", "/allowed");

        assertNoStoreJson(authenticate("remote-allowed", key), 200);
        assertNoStoreJson(authenticate("remote-allowed", key), 200);
        assertNoStoreJson(authenticate("remote-allowed", key), 200);

        assertThat(host.fetches("/allowed")).isEqualTo(1);
    }

    @Test
    void cacheControlMaxAgeIsHonoured() {
        JWK key = TestKeys.rsa("m1");
        host.serve("/max-age-hour", JwksHost.Answer.json(jwks(key), "public, max-age=3600"));
        registerRemote("remote-hour", "/max-age-hour");

        assertNoStoreJson(authenticate("remote-hour", key), 200);
        clock.advance(Duration.ofMinutes(59));
        assertNoStoreJson(authenticate("remote-hour", key), 200);
        assertThat(host.fetches("/max-age-hour")).as("still fresh after 59 minutes").isEqualTo(1);

        clock.advance(Duration.ofMinutes(2));
        assertNoStoreJson(authenticate("remote-hour", key), 200);
        assertThat(host.fetches("/max-age-hour")).as("stale after 61 minutes").isEqualTo(2);
    }

    @Test
    void cacheLifetimeBelowFiveMinutesIsRaisedToFive() {
        JWK key = TestKeys.rsa("s1");
        host.serve("/max-age-short", JwksHost.Answer.json(jwks(key), "max-age=10"));
        registerRemote("remote-short", "/max-age-short");

        assertNoStoreJson(authenticate("remote-short", key), 200);
        clock.advance(Duration.ofMinutes(4));
        assertNoStoreJson(authenticate("remote-short", key), 200);
        assertThat(host.fetches("/max-age-short")).isEqualTo(1);

        clock.advance(Duration.ofMinutes(2));
        assertNoStoreJson(authenticate("remote-short", key), 200);
        assertThat(host.fetches("/max-age-short")).isEqualTo(2);
    }

    @Test
    void cacheLifetimeAboveOneDayIsCutToOneDay() {
        JWK key = TestKeys.rsa("l1");
        host.serve("/max-age-long", JwksHost.Answer.json(jwks(key), "max-age=864000"));
        registerRemote("remote-long", "/max-age-long");

        assertNoStoreJson(authenticate("remote-long", key), 200);
        clock.advance(Duration.ofHours(23));
        assertNoStoreJson(authenticate("remote-long", key), 200);
        assertThat(host.fetches("/max-age-long")).isEqualTo(1);

        clock.advance(Duration.ofHours(2));
        assertNoStoreJson(authenticate("remote-long", key), 200);
        assertThat(host.fetches("/max-age-long")).isEqualTo(2);
    }

    @Test
    void unknownKidRefetchesAtMostOncePerMinute() {
        JWK k1 = TestKeys.rsa("r1");
        JWK k2 = TestKeys.rsa("r2");
        JWK k3 = TestKeys.rsa("r3");
        host.serve("/rotating", JwksHost.Answer.json(jwks(k1), "max-age=3600"));
        registerRemote("remote-rotating", "/rotating");
        assertNoStoreJson(authenticate("remote-rotating", k1), 200);
        assertThat(host.fetches("/rotating")).isEqualTo(1);

        // the client rotates in k2; within the minute after the last fetch an unknown kid does not refetch
        host.serve("/rotating", JwksHost.Answer.json(jwks(k1, k2), "max-age=3600"));
        assertInvalidClientWithoutChallenge(authenticate("remote-rotating", k2));
        assertInvalidClientWithoutChallenge(authenticate("remote-rotating", k2));
        assertThat(host.fetches("/rotating")).isEqualTo(1);

        clock.advance(Duration.ofSeconds(61));
        assertNoStoreJson(authenticate("remote-rotating", k2), 200);
        assertThat(host.fetches("/rotating")).as("one refetch once the minute has passed").isEqualTo(2);

        // a flood of unknown kids right after that refetch costs nothing more
        for (int i = 0; i < 5; i++) {
            assertInvalidClientWithoutChallenge(authenticate("remote-rotating", k3));
        }
        assertThat(host.fetches("/rotating")).isEqualTo(2);
        assertNoStoreJson(authenticate("remote-rotating", k1), 200);
        assertThat(host.fetches("/rotating")).isEqualTo(2);
    }

    @Test
    void redirectsAreNotFollowed() {
        JWK key = TestKeys.rsa("d1");
        host.serve("/redirect-target", JwksHost.Answer.json(jwks(key), null));
        host.serve("/redirecting", JwksHost.Answer.redirect(host.url("/redirect-target")));
        registerRemote("remote-redirect", "/redirecting");

        assertInvalidClientWithoutChallenge(authenticate("remote-redirect", key));

        assertThat(host.fetches("/redirecting")).isEqualTo(1);
        assertThat(host.fetches("/redirect-target")).isZero();
    }

    @Test
    void oversizeDocumentIsRefused() {
        JWK key = TestKeys.rsa("o1");
        // a valid JWK Set, padded past the 512 KiB limit: it would work if the limit were not enforced
        Map<String, Object> padded = new LinkedHashMap<>(new JWKSet(key).toPublicJWKSet().toJSONObject());
        padded.put("padding", "x".repeat(520 * 1024));
        host.serve("/oversize", JwksHost.Answer.json(com.nimbusds.jose.util.JSONObjectUtils.toJSONString(padded), null));
        registerRemote("remote-oversize", "/oversize");

        assertInvalidClientWithoutChallenge(authenticate("remote-oversize", key));
        assertThat(host.fetches("/oversize")).isEqualTo(1);

        // the same set without padding is fine (control)
        host.serve("/not-oversize", JwksHost.Answer.json(jwks(key), null));
        registerRemote("remote-not-oversize", "/not-oversize");
        assertNoStoreJson(authenticate("remote-not-oversize", key), 200);
    }

    @Test
    void errorStatusOrNonJsonDocumentThenInvalidClient() {
        JWK key = TestKeys.rsa("e1");
        host.serve("/failing", new JwksHost.Answer(500, Map.of(), "{}"));
        registerRemote("remote-failing", "/failing");
        assertInvalidClientWithoutChallenge(authenticate("remote-failing", key));

        host.serve("/html", new JwksHost.Answer(200, Map.of(), "<html>not keys</html>"));
        registerRemote("remote-html", "/html");
        assertInvalidClientWithoutChallenge(authenticate("remote-html", key));
    }

    @Test
    void failingJwksUriIsRetriedAtMostOncePerMinute() {
        // anyone can send assertions naming a client, so a failing jwks_uri must not be fetched for each of them
        JWK key = TestKeys.rsa("f1");
        host.serve("/down", new JwksHost.Answer(503, Map.of(), "{}"));
        registerRemote("remote-down", "/down");
        for (int i = 0; i < 5; i++) {
            assertInvalidClientWithoutChallenge(authenticate("remote-down", key));
        }
        assertThat(host.fetches("/down")).isEqualTo(1);

        host.serve("/down", JwksHost.Answer.json(jwks(key), null));
        clock.advance(Duration.ofSeconds(61));
        assertNoStoreJson(authenticate("remote-down", key), 200);
        assertThat(host.fetches("/down")).isEqualTo(2);
    }

    @Test
    void jkuEqualToRegisteredJwksUriIsAccepted() {
        JWK key = TestKeys.rsa("j1");
        host.serve("/jku", JwksHost.Answer.json(jwks(key), null));
        registerRemote("remote-jku", "/jku");

        assertNoStoreJson(authenticate(ClientAssertion.of("remote-jku", server.issuer(), clock.instant()).kid("j1")
                .header("jku", host.url("/jku")), key), 200);
    }

    @Test
    void jkuOtherThanRegisteredJwksUriIsRefusedAndNotFetched() {
        JWK key = TestKeys.rsa("j2");
        host.serve("/jku-registered", JwksHost.Answer.json(jwks(TestKeys.rsa("j2-registered")), null));
        host.serve("/jku-attacker", JwksHost.Answer.json(jwks(key), null));
        registerRemote("remote-jku-other", "/jku-registered");

        assertInvalidClientWithoutChallenge(authenticate(ClientAssertion.of("remote-jku-other", server.issuer(), clock.instant())
                .kid("j2").header("jku", host.url("/jku-attacker")), key));
        assertThat(host.fetches("/jku-attacker")).isZero();
    }
}
