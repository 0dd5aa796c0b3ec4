package dev.latch.client.jwks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import dev.latch.client.LocalEndpoint;
import dev.latch.client.LocalEndpoint.Answer;
import dev.latch.client.OAuthClientException;
import dev.latch.core.jose.KeyGeneration;
import dev.latch.server.TestClock;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The one remote JWK Set: fetched once for many callers, kept for its TTL, refreshed behind a stale set, bounded. */
class RemoteJwksTest {

    static final JWK A = KeyGeneration.withKeyId(KeyGeneration.generate(JWSAlgorithm.RS256), "a");
    static final JWK B = KeyGeneration.withKeyId(KeyGeneration.generate(JWSAlgorithm.ES256), "b");

    final TestClock clock = TestClock.atNow();

    RemoteJwks jwks(LocalEndpoint op) {
        return RemoteJwks.builder(op.url("/jwks")).clock(clock).ttl(Duration.ofMinutes(5)).refetchInterval(Duration.ofSeconds(30))
                .timeout(Duration.ofSeconds(10)).failureBackoff(Duration.ofSeconds(5)).build();
    }

    static Answer set(JWK... keys) {
        return Answer.json(200, new JWKSet(List.of(keys)).toPublicJWKSet().toString());
    }

    @Test
    void keysWhenManyCallersAtOnceThenOneFetch() throws Exception {
        try (LocalEndpoint op = LocalEndpoint.start()) {
            CountDownLatch release = new CountDownLatch(1);
            op.on("/jwks", r -> {
                await(release);
                return set(A);
            });
            RemoteJwks jwks = jwks(op);
            List<Thread> callers = new ArrayList<>();
            List<Integer> sizes = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < 12; i++) {
                callers.add(Thread.ofPlatform().start(() -> sizes.add(jwks.keys().size())));
            }
            // every caller is parked on the one fetch before the endpoint answers
            // (a caller released early would find the set already fetched: the count below holds either way)
            while (callers.stream().anyMatch(t -> t.getState() == Thread.State.NEW || t.getState() == Thread.State.RUNNABLE
                    || t.getState() == Thread.State.BLOCKED)) {
                Thread.onSpinWait();
            }
            release.countDown();
            for (Thread t : callers) t.join();

            assertThat(sizes).hasSize(12).containsOnly(1);
            assertThat(op.count()).isEqualTo(1);
            assertThat(jwks.fetches()).isEqualTo(1);
        }
    }

    @Test
    void keysWhenStaleThenServedWhileOneRefreshRuns() {
        try (LocalEndpoint op = LocalEndpoint.start()) {
            op.on("/jwks", set(A));
            RemoteJwks jwks = jwks(op);
            assertThat(jwks.keys().getKeyByKeyId("a")).isNotNull();

            CountDownLatch release = new CountDownLatch(1);
            op.on("/jwks", r -> {
                await(release);
                return set(A, B);
            });
            clock.advance(Duration.ofMinutes(5));
            // the refresh is held by the endpoint, yet the stale set is served at once, and only one refresh starts
            assertThat(jwks.keys().getKeyByKeyId("b")).isNull();
            assertThat(jwks.keys().getKeyByKeyId("b")).isNull();
            assertThat(jwks.fetches()).isEqualTo(2);
            release.countDown();

            assertThat(jwks.fetchNow().getKeyByKeyId("b")).as("joins the refresh in flight").isNotNull();
            assertThat(op.count()).isEqualTo(2);
            assertThat(jwks.keys().getKeyByKeyId("b")).isNotNull();
        }
    }

    @Test
    void keysWhenRefreshFailsThenStaleSetStillServedAndProblemKnown() {
        try (LocalEndpoint op = LocalEndpoint.start()) {
            op.on("/jwks", set(A));
            RemoteJwks jwks = jwks(op);
            jwks.keys();
            op.on("/jwks", Answer.json(500, "{}"));
            clock.advance(Duration.ofMinutes(5));
            jwks.keys();
            assertThatThrownBy(jwks::fetchNow).isInstanceOf(JwksUnavailableException.class).hasMessageEndingWith("answered 500");

            assertThat(jwks.keys().getKeyByKeyId("a")).isNotNull();
            assertThat(jwks.problem()).endsWith("answered 500");
        }
    }

    @Test
    void keysWhenFirstFetchFailsThenCallersFailAtOnceUntilTheBackOffPasses() {
        try (LocalEndpoint op = LocalEndpoint.start()) {
            op.on("/jwks", Answer.json(503, "{}"));
            RemoteJwks jwks = jwks(op);
            assertThatThrownBy(jwks::keys).isInstanceOf(JwksUnavailableException.class).hasMessage("the JWKS at " + op.url("/jwks") + " answered 503");
            assertThatThrownBy(jwks::keys).isInstanceOf(JwksUnavailableException.class).hasMessageEndingWith("answered 503");
            assertThat(op.count()).isEqualTo(1);

            op.on("/jwks", set(A));
            clock.advance(Duration.ofSeconds(5));
            assertThat(jwks.keys().getKeys()).hasSize(1);
            assertThat(op.count()).isEqualTo(2);
            assertThat(jwks.problem()).isNull();
        }
    }

    @Test
    void keysForWhenKidUnknownThenRefetchedAtMostOncePerInterval() {
        try (LocalEndpoint op = LocalEndpoint.start()) {
            op.on("/jwks", set(A));
            RemoteJwks jwks = jwks(op);
            assertThat(jwks.keysFor("a", JWSAlgorithm.RS256)).hasSize(1);
            op.on("/jwks", set(A, B));
            assertThat(jwks.keysFor("b", JWSAlgorithm.ES256)).as("fetched less than 30 s ago").isEmpty();
            assertThat(op.count()).isEqualTo(1);

            clock.advance(Duration.ofSeconds(30));
            assertThat(jwks.keysFor("b", JWSAlgorithm.ES256)).hasSize(1);
            assertThat(jwks.keysFor("c", JWSAlgorithm.ES256)).isEmpty();
            assertThat(op.count()).isEqualTo(2);
        }
    }

    @Test
    void fetchWhenBodyOverOneMibOrRedirectOrNotAJwkSetThenUnavailable() {
        try (LocalEndpoint op = LocalEndpoint.start()) {
            op.on("/jwks", Answer.json(200, "{\"keys\":[],\"pad\":\"" + "x".repeat(1 << 20) + "\"}"));
            assertThatThrownBy(() -> jwks(op).keys()).isInstanceOf(JwksUnavailableException.class).hasMessageEndingWith("is larger than 1 MiB");
            op.on("/jwks", new Answer(302, java.util.Map.of("Location", "https://elsewhere.example/jwks"), ""));
            assertThatThrownBy(() -> jwks(op).keys()).hasMessageEndingWith("answered 302");
            op.on("/jwks", Answer.json(200, "[1,2]"));
            assertThatThrownBy(() -> jwks(op).keys()).hasMessageContaining("is not a JWK Set");
        }
    }

    @Test
    void builderWhenUrlNotHttpsOrLoopbackThenRefused() {
        assertThatThrownBy(() -> RemoteJwks.builder(URI.create("http://as.example/jwks"))).isInstanceOf(OAuthClientException.class)
                .hasMessageStartingWith("the JWKS URI http://as.example/jwks is http on a host that is not loopback");
        assertThatThrownBy(() -> RemoteJwks.builder(URI.create("ftp://as.example/jwks"))).isInstanceOf(OAuthClientException.class);
    }

    @Test
    void candidatesWhenUseAlgOrKeyTypeDoNotFitThenSkipped() throws Exception {
        RSAKey rsa = (RSAKey) A.toPublicJWK();
        JWK encryption = new RSAKey.Builder(rsa).keyID("enc").keyUse(KeyUse.ENCRYPTION).algorithm(null).build();
        JWK ps256Only = new RSAKey.Builder(rsa).keyID("ps").algorithm(JWSAlgorithm.PS256).build();
        JWK noKid = new RSAKey.Builder(rsa).keyID(null).algorithm(null).build();
        JWKSet set = new JWKSet(List.of(rsa, encryption, ps256Only, noKid, B.toPublicJWK()));

        assertThat(RemoteJwks.candidates(set, "a", JWSAlgorithm.RS256)).extracting(JWK::getKeyID).containsExactly("a");
        assertThat(RemoteJwks.candidates(set, "enc", JWSAlgorithm.RS256)).isEmpty();
        assertThat(RemoteJwks.candidates(set, "ps", JWSAlgorithm.RS256)).isEmpty();
        assertThat(RemoteJwks.candidates(set, "ps", JWSAlgorithm.PS256)).hasSize(1);
        assertThat(RemoteJwks.candidates(set, "b", JWSAlgorithm.RS256)).as("an EC key never verifies RS256").isEmpty();
        assertThat(RemoteJwks.candidates(set, "b", JWSAlgorithm.ES384)).as("wrong curve").isEmpty();
        assertThat(RemoteJwks.candidates(set, null, JWSAlgorithm.RS256)).extracting(JWK::getKeyID).containsExactlyInAnyOrder("a", null);
    }

    @Test
    void fixedWhenAskedThenNeverFetchesAndDropsPrivateParts() {
        RemoteJwks fixed = RemoteJwks.fixed(new JWKSet(A));
        assertThat(fixed.keys().getKeys()).allMatch(k -> !k.isPrivate());
        assertThat(fixed.keysFor("nope", JWSAlgorithm.RS256)).isEmpty();
        assertThat(fixed.fetches()).isZero();
        assertThat(fixed.uri()).isNull();
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("not released");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
