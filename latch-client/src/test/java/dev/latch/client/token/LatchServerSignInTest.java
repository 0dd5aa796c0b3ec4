package dev.latch.client.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.SignedJWT;
import dev.latch.client.auth.ClientAuthentication;
import dev.latch.client.discovery.Discovery;
import dev.latch.client.discovery.ProviderMetadata;
import dev.latch.client.http.BearerHttpClient;
import dev.latch.client.oidc.CodeExchange;
import dev.latch.client.oidc.IdTokenValidationException;
import dev.latch.client.oidc.IdTokenValidator;
import dev.latch.server.InMemoryUserStore;
import dev.latch.server.TestClock;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import dev.latch.server.code.ApprovedAuthorization;
import dev.latch.server.user.User;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The caching token source, the code exchange with ID token validation and the bearer client
 * against a real Latch server that shares the test clock. Codes are issued through the server's
 * code store, as the authorization endpoint does once a user has signed in.
 */
class LatchServerSignInTest {

    static final String SUBJECT = "u-5d1e";
    static final URI REDIRECT = URI.create("https://app.example/cb");
    static final String VERIFIER = "dBjftJeZ4CVP-mJ92K9ABC.defghijklmnopqrstuvwxyz~_0123";
    static final String WEB_SECRET = "web-secret-for-latch-client-tests-0123456789";

    static final TestClock clock = TestClock.atNow();
    static TestServer server;
    static ProviderMetadata metadata;
    static ClientAuthentication web = ClientAuthentication.clientSecretBasic("web", WEB_SECRET);
    static TokenClient client = TokenClient.builder().clock(clock).build();

    @BeforeAll
    static void start() {
        InMemoryUserStore users = new InMemoryUserStore();
        users.insert(new User(SUBJECT, "alice", Map.of("name", "Alice Example", "email", "alice@example.com"), List.of(), null, true,
                1_600_000_000L, 1_600_000_000L));
        server = TestServer.start(Map.of(), clock, users);
        server.clients().create(new Client.Builder().clientId("web").scope("openid profile email offline_access")
                .grantTypes(List.of("authorization_code", "refresh_token")).redirectUris(List.of(REDIRECT.toString())).build(),
                WEB_SECRET, true, null);
        metadata = Discovery.create().discover(server.issuer());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String challenge() throws Exception {
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(VERIFIER.getBytes(StandardCharsets.US_ASCII));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
    }

    private static String code(String nonce) throws Exception {
        ApprovedAuthorization grant = new ApprovedAuthorization("web", SUBJECT, REDIRECT.toString(), "openid profile offline_access", nonce,
                challenge(), clock.instant().getEpochSecond(), "sid-1", List.of("pwd"), List.of(), true);
        return server.server().authorizationCodes().issue(grant, clock.instant().getEpochSecond() + 60);
    }

    private static CodeExchange exchange() {
        return new CodeExchange(client, TokenEndpoint.of(metadata), web, IdTokenValidator.builder().metadata(metadata).clientId("web")
                .clock(clock).build());
    }

    private static CodeExchange.SignIn signIn() throws Exception {
        return exchange().exchange(code("n-42"), REDIRECT, VERIFIER, "n-42");
    }

    @Test
    void clientCredentialsCachedThenRenewedOnceTheClockPassesTheDeadline() throws Exception {
        String secret = server.basicClient("svc", "read").clientSecret();
        ManualScheduler scheduler = new ManualScheduler(clock);
        try (CachingTokenSource source = CachingTokenSource.builder().issuer(URI.create(server.issuer()))
                .authentication(ClientAuthentication.clientSecretBasic("svc", secret)).scope("read")
                .clock(clock).scheduler(scheduler).build()) {
            AccessToken first = source.token();
            assertThat(source.token()).isSameAs(first);
            Duration lifetime = Duration.between(clock.instant(), first.expiresAt());

            clock.advance(lifetime);
            AccessToken second = source.token();

            assertThat(second.value()).isNotEqualTo(first.value());
            assertThat(SignedJWT.parse(second.value()).getJWTClaimsSet().getExpirationTime())
                    .isAfter(SignedJWT.parse(first.value()).getJWTClaimsSet().getExpirationTime());
            assertThat(SignedJWT.parse(second.value()).getJWTClaimsSet().getSubject()).isEqualTo("svc");
        }
    }

    @Test
    void codeExchangeValidatesLatchsIdTokenWithNonceAndAtHash() throws Exception {
        CodeExchange.SignIn signIn = signIn();
        assertThat(signIn.idToken().getSubject()).isEqualTo(SUBJECT);
        assertThat(signIn.idToken().getStringClaim("nonce")).isEqualTo("n-42");
        assertThat(signIn.idToken().getStringClaim("at_hash")).isNotNull();
        assertThat(signIn.tokens().refreshToken()).isNotNull();
    }

    @Test
    void codeExchangeWithTheWrongNonceThenRefused() throws Exception {
        String code = code("n-real");
        assertThatThrownBy(() -> exchange().exchange(code, REDIRECT, VERIFIER, "n-forged"))
                .isInstanceOf(IdTokenValidationException.class).hasMessageContaining("nonce does not match");
    }

    @Test
    void codeExchangeWithAWrongVerifierThenInvalidGrantButNoReauthenticationException() throws Exception {
        String code = code("n-1");
        assertThatThrownBy(() -> exchange().exchange(code, REDIRECT, "wrong-verifier-wrong-verifier-wrong-verifier-0", "n-1"))
                .isExactlyInstanceOf(TokenErrorException.class).extracting(e -> ((TokenErrorException) e).error()).isEqualTo("invalid_grant");
    }

    @Test
    void refreshTokenRotatesOnEachRenewal() throws Exception {
        CodeExchange.SignIn signIn = signIn();
        try (CachingTokenSource source = CachingTokenSource.builder().issuer(URI.create(server.issuer())).authentication(web)
                .refreshOnly().initialToken(signIn.tokens()).clock(clock).scheduler(new ManualScheduler(clock)).build()) {
            assertThat(source.token()).isSameAs(signIn.tokens());
            String rt1 = source.refreshToken();

            clock.advance(Duration.between(clock.instant(), signIn.tokens().expiresAt()));
            AccessToken second = source.token();
            String rt2 = source.refreshToken();
            clock.advance(Duration.between(clock.instant(), second.expiresAt()));
            AccessToken third = source.token();

            assertThat(List.of(signIn.tokens().value(), second.value(), third.value())).doesNotHaveDuplicates();
            assertThat(List.of(rt1, rt2, source.refreshToken())).doesNotHaveDuplicates();
            assertThat(SignedJWT.parse(third.value()).getJWTClaimsSet().getSubject()).isEqualTo(SUBJECT);
        }
    }

    @Test
    void rotatedRefreshTokenUsedAgainThenReauthenticationRequired() throws Exception {
        CodeExchange.SignIn signIn = signIn();
        String original = signIn.tokens().refreshToken();
        client.request(TokenEndpoint.of(metadata), web, TokenRequest.refreshToken(original)); // rotates it

        try (CachingTokenSource replay = CachingTokenSource.builder().issuer(URI.create(server.issuer())).authentication(web)
                .refreshOnly().refreshToken(original).clock(clock).scheduler(new ManualScheduler(clock)).build()) {
            assertThatThrownBy(replay::token).isInstanceOfSatisfying(ReauthenticationRequiredException.class,
                    e -> assertThat(e.error()).isEqualTo("invalid_grant"));
            assertThatThrownBy(replay::token).isInstanceOf(ReauthenticationRequiredException.class);
        }
    }

    @Test
    void bearerClientCallsUserinfoAndRecoversFromARejectedTokenWithTheRefreshToken() throws Exception {
        CodeExchange.SignIn signIn = signIn();
        AccessToken bogus = new AccessToken("not-a-latch-token", "Bearer", clock.instant().plusSeconds(3600), null,
                signIn.tokens().refreshToken(), null, Map.of());
        try (CachingTokenSource source = CachingTokenSource.builder().issuer(URI.create(server.issuer())).authentication(web)
                .refreshOnly().initialToken(bogus).clock(clock).scheduler(new ManualScheduler(clock)).build()) {
            BearerHttpClient http = BearerHttpClient.builder().tokenSource(source).build();

            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url("/userinfo"))).GET().build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).contains("\"sub\":\"" + SUBJECT + "\"");
            assertThat(source.accessToken()).isNotEqualTo("not-a-latch-token");
        }
    }
}
