package dev.latch.gateway.realparts;

import static dev.latch.gateway.EchoUpstream.headersOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.latch.client.peers.OidcProviderPeer;
import dev.latch.gateway.EchoUpstream;
import dev.latch.gateway.TestGateway;
import dev.latch.server.OAuthResponses;
import dev.latch.server.TestClock;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two independent issuers in one gateway: a real Latch and npm {@code oidc-provider} (RFC 9068 JWT access
 * tokens for its one resource {@link OidcProviderPeer#RESOURCE}), each guarding its own protect route,
 * both requiring {@code typ: at+jwt}. Each issuer's tokens pass on its route and only there; a token for
 * another resource (audience) is refused, and so is an expired one. The expired token comes from Latch,
 * whose clock the test sets; oidc-provider's token lifetime is fixed at 300 s by the peer script and its
 * clock is its own, so an expired token of it would take five minutes of waiting: that case is Latch's only.
 */
class OidcProviderIssuerTest {

    static final String OTHER_RESOURCE = "https://other.example/";
    static final ObjectMapper JSON = new ObjectMapper();

    static OidcProviderPeer peer;
    static TestClock latchClock;
    static String expiredLatchToken;
    static TestServer latch;
    static LatchClients clients;
    static EchoUpstream service;
    static TestGateway gateway;

    @BeforeAll
    static void start() {
        peer = OidcProviderPeer.start(); // skips without oidc-provider (fails on CI)
        // Latch starts two hours back, so its first key and one token date from then; then its clock catches up
        latchClock = new TestClock(Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS));
        latch = TestServer.start(Map.of(), latchClock);
        clients = new LatchClients(latch);
        clients.add(new Client.Builder().clientId("latch-app").scope("api.read").allowedResources(List.of(OTHER_RESOURCE)).build());
        expiredLatchToken = latchToken(); // lifetime one hour: expired an hour ago, far beyond any clock skew
        latchClock.advance(Duration.ofHours(2));
        service = EchoUpstream.start();
        gateway = TestGateway.start("""
                issuers:
                  - id: latch
                    issuer: %1$s
                    audience: %1$s
                    typ: at+jwt
                  - id: peer
                    issuer: %2$s
                    audience: %3$s
                    typ: at+jwt
                  - id: peer-elsewhere         # the same issuer, for another resource
                    issuer: %2$s
                    audience: https://elsewhere.peer.test/
                    typ: at+jwt
                routes:
                  - path: /latch-api/
                    upstream: %4$s
                    mode: protect
                    issuer: latch
                    scopes: [api.read]
                  - path: /peer-api/
                    upstream: %4$s
                    mode: protect
                    issuer: peer
                    scopes: [read]
                  - path: /peer-elsewhere/
                    upstream: %4$s
                    mode: protect
                    issuer: peer-elsewhere
                """.formatted(latch.issuer(), peer.issuer(), OidcProviderPeer.RESOURCE, service.url()));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) gateway.close();
        if (service != null) service.close();
        if (latch != null) latch.close();
        if (peer != null) peer.close();
    }

    /** A client-credentials token from oidc-provider, as a client of it would ask for one. */
    private static String peerToken() throws Exception {
        HttpResponse<String> r = TestGateway.send(HttpRequest.newBuilder(URI.create(peer.issuer() + "/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", OAuthResponses.basic(OidcProviderPeer.BASIC, peer.secret()))
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=read")).build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("access_token").asText();
    }

    private static String latchToken() {
        return clients.token("latch-app", "&scope=api.read");
    }

    private static HttpResponse<String> get(String path, String token) {
        return gateway.get(path, "Authorization", "Bearer " + token);
    }

    private static void assertInvalidToken(HttpResponse<String> r, String why) {
        assertThat(r.statusCode()).as(why + ": " + r.body()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).as(why).contains("error=\"invalid_token\"");
        assertThat(r.body()).as(why).contains("\"error\":\"invalid_token\"");
    }

    @Test
    void tokensOfEachIssuerThenAcceptedOnItsOwnRouteWithItsIdentity() throws Exception {
        String fromPeer = peerToken();
        String fromLatch = latchToken();
        assertThat(LatchClients.typ(fromPeer)).isEqualTo("at+jwt");
        assertThat(LatchClients.typ(fromLatch)).isEqualTo("at+jwt");

        HttpResponse<String> p = get("/peer-api/things", fromPeer);
        assertThat(p.statusCode()).as(p.body()).isEqualTo(200);
        Map<String, Object> ph = headersOf(EchoUpstream.parse(p.body()));
        assertThat(ph.get("x-forwarded-client-id")).isEqualTo(OidcProviderPeer.BASIC);
        assertThat(ph.get("x-forwarded-scope")).isEqualTo("read");

        HttpResponse<String> l = get("/latch-api/things", fromLatch);
        assertThat(l.statusCode()).as(l.body()).isEqualTo(200);
        Map<String, Object> lh = headersOf(EchoUpstream.parse(l.body()));
        assertThat(lh.get("x-forwarded-user")).isEqualTo("latch-app");
        assertThat(lh.get("x-forwarded-client-id")).isEqualTo("latch-app");
    }

    @Test
    void tokenOfOneIssuerOnTheOthersRouteThen401InvalidToken() throws Exception {
        int before = service.count();
        assertInvalidToken(get("/latch-api/things", peerToken()), "oidc-provider's token on Latch's route");
        assertInvalidToken(get("/peer-api/things", latchToken()), "Latch's token on oidc-provider's route");
        assertThat(service.count()).isEqualTo(before);
    }

    @Test
    void tokenForAnotherResourceThen401InvalidToken() throws Exception {
        int before = service.count();
        assertInvalidToken(get("/peer-elsewhere/things", peerToken()), "oidc-provider's token for " + OidcProviderPeer.RESOURCE);
        String otherAudience = clients.token("latch-app", "&scope=api.read&resource=" + OAuthResponses.form(OTHER_RESOURCE));
        assertInvalidToken(get("/latch-api/things", otherAudience), "Latch's token for " + OTHER_RESOURCE);
        assertThat(service.count()).isEqualTo(before);
    }

    @Test
    void expiredTokenThen401InvalidToken() {
        HttpResponse<String> r = get("/latch-api/things", expiredLatchToken);
        assertInvalidToken(r, "expired");
        assertThat(r.body()).containsIgnoringCase("expired");
        assertThat(get("/latch-api/things", latchToken()).statusCode()).as("a fresh one passes").isEqualTo(200);
    }
}
