package dev.latch.client.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latch.client.LocalEndpoint;
import dev.latch.client.LocalEndpoint.Answer;
import dev.latch.client.OAuthClientException;
import dev.latch.client.auth.ClientAuthentication;
import dev.latch.server.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Caching, renewal, single flight, back-off and refresh tokens, with a test clock and no sleeping. */
class CachingTokenSourceTest {

    final TestClock clock = new TestClock(Instant.parse("2025-03-01T10:00:00Z"));
    final ManualScheduler scheduler = new ManualScheduler(clock);
    final List<Duration> slept = new ArrayList<>();
    final AtomicInteger issued = new AtomicInteger();
    LocalEndpoint as;

    @BeforeEach
    void start() {
        as = LocalEndpoint.start();
    }

    @AfterEach
    void stop() {
        as.close();
    }

    /** Answers a new token each time, "at-1", "at-2", … with the given lifetime. */
    private Function<LocalEndpoint.Recorded, Answer> tokens(String expiresIn) {
        return r -> Answer.json(200, "{\"access_token\":\"at-" + issued.incrementAndGet() + "\",\"token_type\":\"Bearer\""
                + (expiresIn == null ? "" : ",\"expires_in\":" + expiresIn) + "}");
    }

    private CachingTokenSource.Builder source() {
        return CachingTokenSource.builder().tokenEndpoint(as.url("/token"))
                .authentication(ClientAuthentication.clientSecretBasic("c", "s")).scope("read")
                .clock(clock).scheduler(scheduler).random(() -> 0.5)
                .sleeper(d -> {
                    slept.add(d);
                    clock.advance(d);
                });
    }

    @Test
    void servedFromCacheUntilTheRefreshMarginThenRenewedInTheBackground() {
        as.on("/token", tokens("3600"));
        CachingTokenSource source = source().proactiveRefresh(false).build();

        assertThat(source.accessToken()).isEqualTo("at-1");
        clock.advance(Duration.ofSeconds(3600 - 71)); // deadline E-10 s, refreshAt E-70 s
        assertThat(source.accessToken()).isEqualTo("at-1");
        assertThat(scheduler.runDue()).isZero();
        assertThat(as.count()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(2)); // inside the refresh window: cached token, background renewal
        assertThat(source.accessToken()).isEqualTo("at-1");
        assertThat(as.count()).isEqualTo(1);
        assertThat(scheduler.runDue()).isEqualTo(1);
        assertThat(as.count()).isEqualTo(2);
        assertThat(source.accessToken()).isEqualTo("at-2");
    }

    @Test
    void renewedProactivelyAtRefreshTimeWithoutAnyCaller() {
        as.on("/token", tokens("300"));
        CachingTokenSource source = source().build();
        assertThat(source.accessToken()).isEqualTo("at-1");
        // 300 s: deadline E-10 s, refreshAt E-40 s
        assertThat(scheduler.nextDue()).isEqualTo(clock.instant().plusSeconds(260));

        clock.advance(Duration.ofSeconds(260));
        scheduler.runDue();

        assertThat(as.count()).isEqualTo(2);
        assertThat(source.accessToken()).isEqualTo("at-2");
        assertThat(scheduler.nextDue()).isEqualTo(clock.instant().plusSeconds(260));
    }

    @Test
    void hundredThreadsAskingAtOnceThenExactlyOneTokenRequest() throws Exception {
        int threads = 100;
        CountDownLatch asking = new CountDownLatch(threads);
        as.on("/token", r -> {
            try {
                asking.await(30, TimeUnit.SECONDS); // answer only once every thread has asked
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return tokens("3600").apply(r);
        });
        CachingTokenSource source = source().build();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    asking.countDown();
                    return source.accessToken();
                }));
            }
            Set<String> values = ConcurrentHashMap.newKeySet();
            for (Future<String> f : results) {
                values.add(f.get(60, TimeUnit.SECONDS));
            }
            assertThat(values).containsExactly("at-1");
            assertThat(as.count()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void neverReturnsAnExpiredTokenWhenRenewalFails() {
        as.on("/token", tokens("60"));
        CachingTokenSource source = source().proactiveRefresh(false).maxAttempts(2).build();
        assertThat(source.accessToken()).isEqualTo("at-1");
        as.on("/token", new Answer(503, Map.of(), ""));
        clock.advance(Duration.ofSeconds(60 - 10)); // at the deadline E-10 s

        assertThatThrownBy(source::accessToken).isInstanceOf(TokenEndpointUnavailableException.class).hasMessageContaining("503");
        assertThat(as.count()).isEqualTo(3);
    }

    @Test
    void transientFailuresRetriedWithJitteredExponentialBackoff() {
        as.on("/token", new Answer(502, Map.of(), ""));
        CachingTokenSource source = source().maxAttempts(4).backoff(Duration.ofMillis(500), Duration.ofSeconds(30)).build();

        assertThatThrownBy(source::accessToken).isInstanceOf(TokenEndpointUnavailableException.class);

        // equal jitter with random 0.5: half of 500·2^(n-1) plus a quarter
        assertThat(slept).containsExactly(Duration.ofMillis(375), Duration.ofMillis(750), Duration.ofMillis(1500));
        assertThat(as.count()).isEqualTo(4);
    }

    @Test
    void backoffIsCappedAndRandomisedWithinHalfToFull() {
        CachingTokenSource low = source().random(() -> 0.0).backoff(Duration.ofSeconds(1), Duration.ofSeconds(8)).build();
        CachingTokenSource high = source().random(() -> 0.999999).backoff(Duration.ofSeconds(1), Duration.ofSeconds(8)).build();
        assertThat(low.backoff(1, null)).isEqualTo(Duration.ofMillis(500));
        assertThat(high.backoff(1, null)).isEqualTo(Duration.ofMillis(999));
        assertThat(low.backoff(10, null)).isEqualTo(Duration.ofSeconds(4));
        assertThat(high.backoff(10, null)).isEqualTo(Duration.ofMillis(7999));
        assertThat(low.backoff(1, Duration.ofSeconds(7))).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void retryAfterIsHonouredBeforeTheNextAttempt() {
        AtomicInteger calls = new AtomicInteger();
        as.on("/token", r -> calls.incrementAndGet() == 1 ? new Answer(503, Map.of("Retry-After", "5"), "") : tokens("3600").apply(r));
        CachingTokenSource source = source().build();

        assertThat(source.accessToken()).isEqualTo("at-1");
        assertThat(slept).containsExactly(Duration.ofSeconds(5));
    }

    @Test
    void retryAfterLongerThanTheBackoffCapThenThrownAndNoRequestUntilThen() {
        as.on("/token", new Answer(429, Map.of("Retry-After", "120"), ""));
        CachingTokenSource source = source().build();

        assertThatThrownBy(source::accessToken).isInstanceOfSatisfying(TokenEndpointUnavailableException.class,
                e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(120)));
        assertThat(as.count()).isEqualTo(1);
        assertThat(slept).isEmpty();

        clock.advance(Duration.ofSeconds(60));
        assertThatThrownBy(source::accessToken).isInstanceOf(TokenEndpointUnavailableException.class).hasMessageContaining("asked to wait");
        assertThat(as.count()).isEqualTo(1);

        as.on("/token", tokens("3600"));
        clock.advance(Duration.ofSeconds(60));
        assertThat(source.accessToken()).isEqualTo("at-1");
    }

    @Test
    void failedBackgroundRenewalKeepsTheCachedTokenUntilItsDeadline() {
        as.on("/token", tokens("3600"));
        CachingTokenSource source = source().proactiveRefresh(false).build();
        assertThat(source.accessToken()).isEqualTo("at-1");
        as.on("/token", new Answer(500, Map.of(), ""));
        clock.advance(Duration.ofSeconds(3600 - 60));
        assertThat(source.accessToken()).isEqualTo("at-1");
        scheduler.runDue(); // the background attempt fails and schedules a retry
        assertThat(as.count()).isEqualTo(2);
        assertThat(source.accessToken()).isEqualTo("at-1");

        as.on("/token", tokens("3600"));
        clock.advance(Duration.ofSeconds(50)); // past the deadline: the caller waits for a new token
        assertThat(source.accessToken()).isEqualTo("at-2");
    }

    @Test
    void rfcErrorIsNotRetried() {
        as.on("/token", Answer.json(401, "{\"error\":\"invalid_client\"}"));
        CachingTokenSource source = source().build();
        assertThatThrownBy(source::accessToken).isInstanceOfSatisfying(TokenErrorException.class,
                e -> assertThat(e.error()).isEqualTo("invalid_client"));
        assertThat(as.count()).isEqualTo(1);
        assertThat(slept).isEmpty();
    }

    @Test
    void missingExpiresInThenTheDefaultLifetimeAndStringExpiresInParsed() {
        as.on("/token", tokens(null));
        CachingTokenSource source = source().proactiveRefresh(false).build();
        source.accessToken();
        clock.advance(Duration.ofSeconds(300 - 10 - 30 - 1));
        source.accessToken();
        assertThat(scheduler.runDue()).isZero();
        clock.advance(Duration.ofSeconds(1));
        source.accessToken();
        assertThat(scheduler.runDue()).isEqualTo(1);

        as.on("/token", tokens("\"120\""));
        CachingTokenSource other = source().scope("other").proactiveRefresh(false).build();
        other.accessToken();
        clock.advance(Duration.ofSeconds(110)); // the deadline of a 120 s token
        int before = as.count();
        other.accessToken();
        assertThat(as.count()).isEqualTo(before + 1);
    }

    @Test
    void jwtAccessTokenWithoutExpiresInThenItsExpClaim() throws Exception {
        long exp = clock.instant().getEpochSecond() + 100;
        String jwt = new com.nimbusds.jwt.PlainJWT(new com.nimbusds.jwt.JWTClaimsSet.Builder()
                .expirationTime(new java.util.Date(exp * 1000)).build()).serialize();
        as.on("/token", Answer.json(200, "{\"access_token\":\"" + jwt + "\",\"token_type\":\"Bearer\"}"));
        CachingTokenSource source = source().proactiveRefresh(false).build();
        source.accessToken();
        clock.advance(Duration.ofSeconds(90)); // deadline E-10 s
        source.accessToken();
        assertThat(as.count()).isEqualTo(2);
    }

    @Test
    void tokenAlreadyExpiredOnArrivalThenRefused() {
        as.on("/token", tokens("0"));
        assertThatThrownBy(source().build()::accessToken).isInstanceOf(OAuthClientException.class).hasMessageContaining("already expired");
    }

    @Test
    void invalidateForgetsOnlyTheCachedToken() {
        as.on("/token", tokens("3600"));
        CachingTokenSource source = source().build();
        AccessToken first = source.token();
        source.invalidate(new AccessToken("someone-else", "Bearer", null, null, null, null, null));
        assertThat(source.token()).isSameAs(first);
        source.invalidate(first);
        assertThat(source.accessToken()).isEqualTo("at-2");
    }

    @Test
    void onePerScopeSetResourceAndAudience() {
        as.on("/token", tokens("3600"));
        CachingTokenSource source = source().build();
        String a = source.token(TokenRequest.clientCredentials("x", "y")).value();
        assertThat(source.token(TokenRequest.clientCredentials("y", "x")).value()).isEqualTo(a);
        String b = source.token(TokenRequest.clientCredentials("x", "y").withAudience("api")).value();
        String c = source.token(TokenRequest.clientCredentials("x", "y").withResource("https://r")).value();
        assertThat(List.of(a, b, c)).doesNotHaveDuplicates();
        assertThat(source.accessToken()).isEqualTo("at-4");
        assertThat(source.token(TokenRequest.clientCredentials("x", "y").withAudience("api")).value()).isEqualTo(b);
        assertThat(as.requests().get(1).formList()).contains(Map.entry("audience", "api"));
        assertThat(as.requests().get(3).formList()).contains(Map.entry("scope", "read"));
        assertThat(as.count()).isEqualTo(4);
    }

    @Test
    void refreshTokenUsedAndRotated() {
        as.on("/token", r -> {
            int n = issued.incrementAndGet();
            return Answer.json(200, "{\"access_token\":\"at-" + n + "\",\"token_type\":\"Bearer\",\"expires_in\":60,\"refresh_token\":\"rt-" + (n + 1) + "\"}");
        });
        CachingTokenSource source = source().refreshOnly().refreshToken("rt-1").build();

        assertThat(source.accessToken()).isEqualTo("at-1");
        clock.advance(Duration.ofSeconds(60));
        assertThat(source.accessToken()).isEqualTo("at-2");

        assertThat(as.requests()).extracting(r -> r.form().get("refresh_token")).containsExactly("rt-1", "rt-2");
        assertThat(as.requests()).extracting(r -> r.form().get("grant_type")).containsOnly("refresh_token");
        assertThat(source.refreshToken()).isEqualTo("rt-3");
    }

    @Test
    void refreshAnsweredInvalidGrantThenReauthenticationRequiredAndNotRetried() {
        as.on("/token", Answer.json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"refresh token was reused\"}"));
        CachingTokenSource source = source().refreshOnly().refreshToken("rt-old").build();

        assertThatThrownBy(source::accessToken).isInstanceOfSatisfying(ReauthenticationRequiredException.class,
                e -> assertThat(e.errorDescription()).isEqualTo("refresh token was reused"));
        assertThat(as.count()).isEqualTo(1);
        assertThat(slept).isEmpty();
        assertThatThrownBy(source::accessToken).isInstanceOf(ReauthenticationRequiredException.class).hasMessageContaining("sign in again");
        assertThat(as.count()).isEqualTo(1);
    }

    @Test
    void refreshAnsweredInvalidGrantWithAGrantToFallBackOnThenNewTokenFromIt() {
        as.on("/token", r -> "refresh_token".equals(r.form().get("grant_type"))
                ? Answer.json(400, "{\"error\":\"invalid_grant\"}") : tokens("3600").apply(r));
        CachingTokenSource source = source().refreshToken("rt-expired").build();
        assertThat(source.accessToken()).isEqualTo("at-1");
        assertThat(as.requests()).extracting(r -> r.form().get("grant_type")).containsExactly("refresh_token", "client_credentials");
        assertThat(source.refreshToken()).isNull();
    }

    @Test
    void issuerOnlyThenTokenEndpointDiscoveredOnFirstUse() {
        String issuer = as.origin();
        as.on("/.well-known/openid-configuration", Answer.json(200, "{\"issuer\":\"" + issuer + "\",\"token_endpoint\":\"" + issuer + "/token\"}"));
        as.on("/token", tokens("3600"));
        CachingTokenSource source = CachingTokenSource.builder().issuer(java.net.URI.create(issuer))
                .authentication(ClientAuthentication.clientSecretPost("c", "s")).clock(clock).scheduler(scheduler).build();
        assertThat(as.count()).isZero();
        assertThat(source.accessToken()).isEqualTo("at-1");
        assertThat(as.requests()).extracting(r -> r.uri().getPath()).containsExactly("/.well-known/openid-configuration", "/token");
    }

    @Test
    void builderRefusesWhatCannotWork() {
        assertThatThrownBy(() -> CachingTokenSource.builder().authentication(ClientAuthentication.none("c")).build())
                .hasMessageContaining("issuer or a token endpoint");
        assertThatThrownBy(() -> CachingTokenSource.builder().tokenEndpoint(as.url("/t")).build())
                .hasMessageContaining("authentication");
        assertThatThrownBy(() -> CachingTokenSource.builder().tokenEndpoint(as.url("/t")).clientId("a")
                .authentication(ClientAuthentication.none("b")).build()).hasMessageContaining("differs");
        assertThatThrownBy(() -> CachingTokenSource.builder().tokenEndpoint(as.url("/t")).refreshOnly().build())
                .hasMessageContaining("refresh token");
    }
}
