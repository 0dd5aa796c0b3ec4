package dev.latch.gateway.realparts;

import static dev.latch.gateway.EchoUpstream.headersOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import dev.latch.gateway.EchoUpstream;
import dev.latch.gateway.TestGateway;
import dev.latch.server.OAuthResponses;
import dev.latch.server.TestClock;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import dev.latch.server.keys.SigningKey;
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
 * A real Latch as the gateway's issuer, everything over HTTP as in production: client-credentials JWTs
 * checked against Latch's JWKS, opaque tokens checked by RFC 7662 introspection at Latch (and refused
 * once revoked there), and a signing-key rotation at Latch that refuses no token.
 *
 * <p>The gateway introspects as a resource server registered at Latch for the API's resource URI, the
 * audience of the tokens (RFC 8707 {@code resource}); Latch answers {@code active} only to a token's
 * own client or such a resource server. Its secret reaches the YAML through {@code ${env:…}}.
 * {@code cache-ttl: 0s} makes the gateway ask Latch about every request, so a revocation is seen at
 * once; with a positive cache-ttl a revoked opaque token would pass until its cache entry ends.
 *
 * <p>Latch runs on a {@link TestClock} (standing 15 minutes in the past, so tokens stay valid for the
 * gateway's real clock when it is moved on) to let a scheduled rotation's new key start signing
 * without waiting for {@code tokens.jwks-max-age}.
 */
class LatchIssuerTest {

    static final String API = "https://api.example.test/";

    static TestClock clock;
    static TestServer latch;
    static LatchClients clients;
    static EchoUpstream service;
    static TestGateway gateway;

    @BeforeAll
    static void start() {
        clock = new TestClock(Instant.now().minus(Duration.ofMinutes(15)).truncatedTo(ChronoUnit.SECONDS));
        latch = TestServer.start(Map.of(), clock);
        clients = new LatchClients(latch);
        clients.add(new Client.Builder().clientId("billing").scope("api.read api.write").allowedResources(List.of(API)).build());
        clients.add(new Client.Builder().clientId("reports").scope("api.read").allowedResources(List.of(API))
                .accessTokenFormat("opaque").build());
        String gatewaySecret = clients.add(new Client.Builder().clientId("gateway").resourceUris(List.of(API)).build());
        service = EchoUpstream.start();
        gateway = TestGateway.start("""
                issuers:
                  - id: latch
                    issuer: %s
                    audience: %s
                    typ: at+jwt
                    # a test cannot move the gateway's clock as it moves Latch's: see keyRotationAtLatch…
                    jwks-refetch-interval: 1ms
                    introspection:
                      client-id: gateway
                      client-secret: ${env:GATEWAY_INTROSPECTION_SECRET}
                      auth-method: client_secret_basic
                      cache-ttl: 0s
                routes:
                  - path: /api/
                    upstream: %s
                    mode: protect
                    issuer: latch
                    scopes: { GET: [api.read], "*": [api.write] }
                """.formatted(latch.issuer(), API, service.url()), Map.of("GATEWAY_INTROSPECTION_SECRET", gatewaySecret));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) gateway.close();
        if (service != null) service.close();
        if (latch != null) latch.close();
    }

    private static HttpResponse<String> get(String token) {
        return gateway.get("/api/invoices", "Authorization", "Bearer " + token);
    }

    private static String billingToken() {
        return clients.token("billing", "&scope=api.read&resource=" + OAuthResponses.form(API));
    }

    @Test
    void clientCredentialsJwtThenAcceptedWithIdentityHeaders() {
        String token = billingToken();
        assertThat(LatchClients.typ(token)).isEqualTo("at+jwt");
        HttpResponse<String> r = get(token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Map<String, Object> h = headersOf(EchoUpstream.parse(r.body()));
        assertThat(h.get("x-forwarded-user")).isEqualTo("billing");
        assertThat(h.get("x-forwarded-client-id")).isEqualTo("billing");
        assertThat(h.get("x-forwarded-scope")).isEqualTo("api.read");
        assertThat(h).doesNotContainKey("authorization");
    }

    @Test
    void clientCredentialsJwtWithoutTheWriteScopeThen403OnPost() {
        HttpResponse<String> r = TestGateway.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(gateway.url("/api/invoices")))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).header("Authorization", "Bearer " + billingToken()).build());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"insufficient_scope\"");
    }

    @Test
    void opaqueTokenThenAcceptedByIntrospectionAndAfterRevocationAtLatchThen401() {
        String token = clients.token("reports", "&scope=api.read&resource=" + OAuthResponses.form(API));
        assertThat(token).as("an opaque token, not a JWT").doesNotContain(".");
        long introspectionsBefore = gateway.server().validators().get("latch").stats().introspections();

        HttpResponse<String> first = get(token);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        Map<String, Object> h = headersOf(EchoUpstream.parse(first.body()));
        assertThat(h.get("x-forwarded-client-id")).isEqualTo("reports");
        assertThat(h.get("x-forwarded-scope")).isEqualTo("api.read");
        assertThat(get(token).statusCode()).as("still active").isEqualTo(200);

        clients.revoke("reports", token);
        int before = service.count();
        HttpResponse<String> revoked = get(token);
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(401);
        assertThat(revoked.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"invalid_token\"");
        assertThat(service.count()).as("the revoked token's request did not reach the service").isEqualTo(before);
        assertThat(gateway.server().validators().get("latch").stats().introspections() - introspectionsBefore)
                .as("each request introspected (cache-ttl 0s)").isEqualTo(3);
    }

    @Test
    void opaqueTokenNotForTheApiThen401() {
        // no resource: Latch's default audience (its issuer URL), not the API's; Latch tells the gateway it is not active
        String token = clients.token("reports", "&scope=api.read");
        HttpResponse<String> r = get(token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"invalid_token\"");
    }

    /**
     * {@code latch keys rotate}: the new key is published at once and signs only after
     * {@code tokens.jwks-max-age} plus the key reload ({@code publicationDelay}), so caches have it first; the old one keeps being published until its
     * tokens have expired. No token is refused at any point. (In real time Latch's 10 minutes exceed the
     * gateway's jwks-ttl of 5 minutes, so a gateway has the new key before it signs anything; here Latch's
     * clock jumps those minutes while the gateway's does not, so the gateway finds the new key by fetching
     * the JWKS when it first meets the new {@code kid} — at once, with {@code jwks-refetch-interval: 1ms}.)
     */
    @Test
    void keyRotationAtLatchThenNoTokenRefusedBeforeDuringOrAfter() {
        String before = billingToken();
        assertThat(get(before).statusCode()).isEqualTo(200);

        SigningKey next = latch.instance().keyRing().rotate(JWSAlgorithm.RS256, null, false);
        String during = billingToken();
        assertThat(LatchClients.kid(during)).as("the old key signs until the new one is in every cache").isEqualTo(LatchClients.kid(before));
        assertThat(get(during).statusCode()).isEqualTo(200);

        clock.advance(latch.instance().keyRing().publicationDelay().plusSeconds(1));
        String after = billingToken();
        assertThat(LatchClients.kid(after)).as("the new key signs now").isEqualTo(next.kid()).isNotEqualTo(LatchClients.kid(before));
        long fetches = gateway.server().validators().get("latch").stats().jwksFetches();
        HttpResponse<String> r = get(after);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(gateway.server().validators().get("latch").stats().jwksFetches()).as("the new kid made the gateway fetch the JWKS")
                .isGreaterThan(fetches);
        assertThat(get(before).statusCode()).as("a token of the old key, still published").isEqualTo(200);
        assertThat(get(billingToken()).statusCode()).isEqualTo(200);
    }
}
