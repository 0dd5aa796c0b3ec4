package dev.latch.resource;

import static dev.latch.resource.Tokens.AUDIENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.latch.resource.IssuerSettings.TokenType;
import dev.latch.resource.TokenRejectedException.Reason;
import dev.latch.server.TestClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keys fetched from a real (local) issuer: discovery, then the JWKS; a rotation followed after exactly one
 * refetch; unknown kids cannot make the validator fetch more than once per interval; an issuer that is down
 * at start-up gives 503s until it is back, without a rebuild.
 */
class IssuerKeysTest {

    static final JWK OLD = Tokens.key(JWSAlgorithm.RS256, "old");
    static final JWK NEW = Tokens.key(JWSAlgorithm.ES256, "new");

    final TestClock clock = TestClock.atNow();

    static Map<String, Object> claims(IssuerHost host, TestClock clock) {
        Map<String, Object> c = Tokens.claims(clock.instant());
        c.put("iss", host.issuer());
        return c;
    }

    static IssuerSettings settings(String issuer) {
        return IssuerSettings.of(issuer, AUDIENCE).withType(TokenType.AT_JWT).withJwksTiming(Duration.ofSeconds(30), Duration.ofMinutes(5));
    }

    @Test
    void validateWhenIssuerRotatesThenNewKidAcceptedAfterExactlyOneRefetch() {
        try (IssuerHost host = IssuerHost.start(new JWKSet(OLD.toPublicJWK()));
             AccessTokenValidator v = AccessTokenValidator.builder(settings(host.issuer())).clock(clock).build()) {
            assertThat(v.validate(Tokens.sign(OLD, claims(host, clock))).subject()).isEqualTo("client-1");
            assertThat(v.stats().jwksFetches()).isEqualTo(1);
            assertThat(v.validate(Tokens.sign(OLD, claims(host, clock))).subject()).isEqualTo("client-1");
            assertThat(host.jwksRequests()).as("kept for its TTL").isEqualTo(1);

            host.keys(new JWKSet(List.of(OLD.toPublicJWK(), NEW.toPublicJWK())));
            clock.advance(Duration.ofSeconds(30));
            assertThat(v.validate(Tokens.sign(NEW, claims(host, clock))).subject()).isEqualTo("client-1");

            assertThat(v.stats().jwksFetches()).isEqualTo(2);
            assertThat(host.jwksRequests()).isEqualTo(2);
            assertThat(v.health().reachable()).isTrue();
        }
    }

    @Test
    void validateWhenFloodOfUnknownKidsThenAtMostOneFetchPerInterval() {
        try (IssuerHost host = IssuerHost.start(new JWKSet(OLD.toPublicJWK()));
             AccessTokenValidator v = AccessTokenValidator.builder(settings(host.issuer())).clock(clock).build()) {
            v.validate(Tokens.sign(OLD, claims(host, clock)));
            clock.advance(Duration.ofSeconds(30));

            for (int i = 0; i < 50; i++) {
                JWK made = Tokens.key(JWSAlgorithm.ES256, "made-up-" + i);
                String token = Tokens.sign(made, claims(host, clock));
                assertThatThrownBy(() -> v.validate(token)).isInstanceOfSatisfying(TokenRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY));
            }
            assertThat(v.stats().jwksFetches()).as("one refetch for the first unknown kid, none for the rest").isEqualTo(2);

            clock.advance(Duration.ofSeconds(29));
            assertThatThrownBy(() -> v.validate(Tokens.sign(Tokens.key(JWSAlgorithm.ES256, "x"), claims(host, clock))))
                    .isInstanceOf(TokenRejectedException.class);
            assertThat(v.stats().jwksFetches()).isEqualTo(2);

            clock.advance(Duration.ofSeconds(1));
            assertThatThrownBy(() -> v.validate(Tokens.sign(Tokens.key(JWSAlgorithm.ES256, "y"), claims(host, clock))))
                    .isInstanceOf(TokenRejectedException.class);
            assertThat(v.stats().jwksFetches()).isEqualTo(3);
            assertThat(host.jwksRequests()).isEqualTo(3);
        }
    }

    @Test
    void validateWhenFloodOfUnknownKidsFromManyThreadsThenOneFetch() throws Exception {
        try (IssuerHost host = IssuerHost.start(new JWKSet(OLD.toPublicJWK()));
             AccessTokenValidator v = AccessTokenValidator.builder(settings(host.issuer())).clock(clock).build()) {
            String unknown = Tokens.sign(Tokens.key(JWSAlgorithm.ES256, "nobody"), claims(host, clock));
            List<Thread> threads = new java.util.ArrayList<>();
            for (int i = 0; i < 16; i++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int j = 0; j < 20; j++) {
                        try {
                            v.validate(unknown);
                        } catch (TokenRejectedException expected) {
                            assertThat(expected.reason()).isEqualTo(Reason.UNKNOWN_KEY);
                        }
                    }
                }));
            }
            for (Thread t : threads) t.join();
            assertThat(host.jwksRequests()).as("the first fetch, shared by every thread; no refetch within the interval").isEqualTo(1);
        }
    }

    @Test
    void buildWhenIssuerDownThenNoIoAndUnavailableUntilItIsBack() {
        int port = IssuerHost.freePort();
        String issuer = IssuerHost.issuerAt(port);
        AccessTokenValidator v = AccessTokenValidator.builder(settings(issuer)).clock(clock).build();
        assertThat(v.health().reachable()).isFalse();
        assertThat(v.health().problem()).isEqualTo("not checked yet");
        Map<String, Object> c = Tokens.claims(clock.instant());
        c.put("iss", issuer);
        String token = Tokens.sign(OLD, c);

        assertThatThrownBy(() -> v.validate(token)).isInstanceOfSatisfying(TokenRejectedException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.ISSUER_UNAVAILABLE);
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.description()).isEqualTo("the token issuer " + issuer + " cannot be reached; try again later");
            assertThat(e.getMessage()).contains("connection refused");
            assertThat(e.wwwAuthenticate(null)).isEqualTo("Bearer");
        });
        AccessTokenValidator.Health down = v.check();
        assertThat(down.reachable()).isFalse();
        assertThat(down.problem()).contains(issuer);
        assertThat(v.health()).isEqualTo(down);

        try (IssuerHost host = IssuerHost.start(port, new JWKSet(OLD.toPublicJWK()))) {
            // requests right after a failure are answered at once from the failure; the next look is after the back-off
            clock.advance(AccessTokenValidator.FAILURE_BACKOFF);
            assertThat(v.validate(token).subject()).isEqualTo("client-1");
            assertThat(v.health().reachable()).isTrue();
            assertThat(v.check()).satisfies(h -> {
                assertThat(h.reachable()).isTrue();
                assertThat(h.problem()).isNull();
                assertThat(h.checkedAt()).isEqualTo(clock.instant());
            });
        } finally {
            v.close();
        }
    }

    @Test
    void checkWhenIssuerUpThenReachableAndKeysFetched() {
        try (IssuerHost host = IssuerHost.start(new JWKSet(OLD.toPublicJWK()));
             AccessTokenValidator v = AccessTokenValidator.builder(settings(host.issuer())).clock(clock).build()) {
            assertThat(v.check().reachable()).isTrue();
            assertThat(host.jwksRequests()).isEqualTo(1);
            assertThat(v.check().reachable()).as("bypasses freshness").isTrue();
            assertThat(host.jwksRequests()).isEqualTo(2);
            v.validate(Tokens.sign(OLD, claims(host, clock)));
            assertThat(host.jwksRequests()).isEqualTo(2);
        }
    }

    @Test
    void validateWhenMetadataGivenThenNoDiscovery() {
        try (IssuerHost host = IssuerHost.start(new JWKSet(OLD.toPublicJWK()));
             AccessTokenValidator v = AccessTokenValidator.builder(settings(host.issuer())).metadata(host.metadata()).clock(clock).build()) {
            assertThat(v.validate(Tokens.sign(OLD, claims(host, clock))).subject()).isEqualTo("client-1");
        }
        assertThatThrownBy(() -> AccessTokenValidator.builder(settings("https://a.example")).metadata(
                dev.latch.client.discovery.ProviderMetadata.parse(Map.of("issuer", "https://b.example"), java.net.URI.create("https://b.example"))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
