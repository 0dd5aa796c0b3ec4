package dev.latch.client.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latch.client.LocalEndpoint;
import dev.latch.client.LocalEndpoint.Answer;
import dev.latch.client.OAuthClientException;
import dev.latch.client.auth.ClientAuthentication;
import dev.latch.server.TestClock;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Token requests as sent (field by field per RFC) and token responses as parsed, good and bad. */
class TokenClientTest {

    static final TestClock clock = new TestClock(Instant.parse("2025-03-01T10:00:00Z"));
    static final String OK = "{\"access_token\":\"at-1\",\"token_type\":\"Bearer\",\"expires_in\":3600}";

    LocalEndpoint as;
    TokenClient client;
    TokenEndpoint endpoint;
    ClientAuthentication auth = ClientAuthentication.clientSecretBasic("c", "s");

    @BeforeEach
    void start() {
        as = LocalEndpoint.start();
        client = TokenClient.builder().clock(clock).build();
        endpoint = new TokenEndpoint(URI.create(as.origin()), as.url("/token"));
    }

    @AfterEach
    void stop() {
        as.close();
    }

    private AccessToken answer(Answer answer, TokenRequest request) {
        as.on("/token", answer);
        return client.request(endpoint, auth, request);
    }

    private AccessToken answer(String json) {
        return answer(Answer.json(200, json), TokenRequest.clientCredentials("read"));
    }

    // --- requests as sent ---

    @Test
    void jwtBearerGrantIsExactlyRfc7523Section21() {
        as.on("/token", Answer.json(200, OK));
        client.request(endpoint, TokenRequest.jwtBearer("eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln", "read", "write"));

        LocalEndpoint.Recorded r = as.last();
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.uri().getPath()).isEqualTo("/token");
        assertThat(r.header("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(r.header("Authorization")).isNull();
        assertThat(r.form()).containsExactly(
                Map.entry("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                Map.entry("assertion", "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln"),
                Map.entry("scope", "read write"));
    }

    @Test
    void tokenExchangeIsExactlyRfc8693Section21() {
        as.on("/token", Answer.json(200, "{\"access_token\":\"x\",\"issued_token_type\":\"urn:ietf:params:oauth:token-type:access_token\","
                + "\"token_type\":\"Bearer\",\"expires_in\":60}"));
        TokenRequest request = TokenRequest.tokenExchange("subject.jwt", TokenRequest.TokenExchange.JWT)
                .actor("actor.jwt", TokenRequest.TokenExchange.ACCESS_TOKEN)
                .requestedTokenType(TokenRequest.TokenExchange.ACCESS_TOKEN)
                .resource("https://api.example/a").resource("https://api.example/b").audience("backend").scope("read", "write").build();

        AccessToken token = client.request(endpoint, auth, request);

        LocalEndpoint.Recorded r = as.last();
        assertThat(r.formList()).containsExactly(
                Map.entry("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
                Map.entry("resource", "https://api.example/a"),
                Map.entry("resource", "https://api.example/b"),
                Map.entry("audience", "backend"),
                Map.entry("scope", "read write"),
                Map.entry("requested_token_type", "urn:ietf:params:oauth:token-type:access_token"),
                Map.entry("subject_token", "subject.jwt"),
                Map.entry("subject_token_type", "urn:ietf:params:oauth:token-type:jwt"),
                Map.entry("actor_token", "actor.jwt"),
                Map.entry("actor_token_type", "urn:ietf:params:oauth:token-type:access_token"));
        assertThat(r.header("Authorization")).startsWith("Basic ");
        assertThat(token.parameters()).containsEntry("issued_token_type", "urn:ietf:params:oauth:token-type:access_token");
        assertThat(token.issuedTokenType()).isEqualTo("urn:ietf:params:oauth:token-type:access_token");
    }

    @Test
    void tokenExchangeResponseWithoutIssuedTokenTypeThenRefused() {
        TokenRequest request = TokenRequest.tokenExchange("s", TokenRequest.TokenExchange.ACCESS_TOKEN).build();
        as.on("/token", Answer.json(200, "{\"access_token\":\"x\",\"token_type\":\"Bearer\",\"expires_in\":60}"));
        assertThatThrownBy(() -> client.request(endpoint, auth, request)).isExactlyInstanceOf(OAuthClientException.class)
                .hasMessage("token endpoint " + as.url("/token") + " answered a token exchange without issued_token_type (RFC 8693 §2.2.1 requires it)");
        as.on("/token", Answer.json(200, "{\"access_token\":\"x\",\"token_type\":\"Bearer\",\"issued_token_type\":7}"));
        assertThatThrownBy(() -> client.request(endpoint, auth, request)).isExactlyInstanceOf(OAuthClientException.class)
                .hasMessageContaining("without issued_token_type");
        assertThat(answer(OK).issuedTokenType()).as("other grants need none").isNull();
    }

    @Test
    void tokenExchangeWithoutOptionsSendsOnlyTheRequiredParameters() {
        as.on("/token", Answer.json(200, "{\"access_token\":\"x\",\"issued_token_type\":\"urn:ietf:params:oauth:token-type:jwt\",\"token_type\":\"N_A\"}"));
        AccessToken token = client.request(endpoint, auth, TokenRequest.tokenExchange("s", TokenRequest.TokenExchange.ACCESS_TOKEN).build());
        assertThat(as.last().form()).containsExactly(
                Map.entry("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
                Map.entry("subject_token", "s"),
                Map.entry("subject_token_type", "urn:ietf:params:oauth:token-type:access_token"));
        assertThat(token.tokenType()).isEqualTo("N_A"); // RFC 8693 §2.2.1: not an access token
        assertThatThrownBy(() -> TokenRequest.tokenExchange("s", "t").actor("a", null).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("actor_token_type");
        assertThatThrownBy(() -> TokenRequest.tokenExchange("", "t").build()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void clientCredentialsWithResourceAudienceAndOpenidQuirkAsExplicitOptions() {
        as.on("/token", Answer.json(200, OK));
        client.request(endpoint, auth, TokenRequest.clientCredentials("read", "write").withResource("https://fhir.example/r4")
                .withAudience("api://backend").withOpenid());
        assertThat(as.last().formList()).containsExactly(
                Map.entry("grant_type", "client_credentials"),
                Map.entry("scope", "openid read write"),
                Map.entry("resource", "https://fhir.example/r4"),
                Map.entry("audience", "api://backend"));

        client.request(endpoint, auth, TokenRequest.clientCredentials());
        assertThat(as.last().form()).containsExactly(Map.entry("grant_type", "client_credentials"));
    }

    @Test
    void commaScopeSeparatorForQuirkyProviders() {
        as.on("/token", Answer.json(200, OK));
        TokenClient.builder().scopeSeparator(",").build().request(endpoint, auth, TokenRequest.clientCredentials("a", "b"));
        assertThat(as.last().form()).containsEntry("scope", "a,b");
    }

    @Test
    void authorizationCodeAndRefreshTokenRequests() {
        as.on("/token", Answer.json(200, OK));
        client.request(endpoint, ClientAuthentication.none("spa"),
                TokenRequest.authorizationCode("c0de", URI.create("http://127.0.0.1:8123/cb"), "verifier-123"));
        assertThat(as.last().form()).containsExactly(Map.entry("grant_type", "authorization_code"), Map.entry("code", "c0de"),
                Map.entry("redirect_uri", "http://127.0.0.1:8123/cb"), Map.entry("code_verifier", "verifier-123"),
                Map.entry("client_id", "spa"));

        client.request(endpoint, auth, TokenRequest.refreshToken("rt-1", "read"));
        assertThat(as.last().form()).containsExactly(Map.entry("grant_type", "refresh_token"), Map.entry("refresh_token", "rt-1"),
                Map.entry("scope", "read"));
    }

    // --- responses ---

    @Test
    void expiresInNumberThenExpiryFromTheClock() {
        AccessToken t = answer(OK);
        assertThat(t.value()).isEqualTo("at-1");
        assertThat(t.expiresAt()).isEqualTo(clock.instant().plusSeconds(3600));
        assertThat(t.isBearer()).isTrue();
        assertThat(t.toString()).doesNotContain("at-1");
    }

    @Test
    void expiresInAsStringThenParsedAndMissingThenNoExpiry() {
        assertThat(answer("{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_in\":\"1800\"}").expiresAt())
                .isEqualTo(clock.instant().plusSeconds(1800));
        assertThat(answer("{\"access_token\":\"a\",\"token_type\":\"Bearer\"}").expiresAt()).isNull();
        assertThatThrownBy(() -> answer("{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_in\":\"soon\"}"))
                .isInstanceOf(OAuthClientException.class).hasMessageContaining("expires_in \"soon\", not a number");
    }

    @Test
    void tokenTypeComparedIgnoringCaseAndNonBearerRefusedUnlessAllowed() {
        assertThat(answer("{\"access_token\":\"a\",\"token_type\":\"bearer\"}").tokenType()).isEqualTo("bearer");
        assertThat(answer("{\"access_token\":\"a\",\"token_type\":\"BEARER\"}").isBearer()).isTrue();
        assertThatThrownBy(() -> answer("{\"access_token\":\"a\",\"token_type\":\"DPoP\"}"))
                .isInstanceOf(OAuthClientException.class).hasMessageContaining("of type DPoP");
        as.on("/token", Answer.json(200, "{\"access_token\":\"a\",\"token_type\":\"DPoP\"}"));
        assertThat(TokenClient.builder().allowNonBearer(true).build().request(endpoint, auth, TokenRequest.clientCredentials()).tokenType())
                .isEqualTo("DPoP");
        assertThatThrownBy(() -> answer("{\"access_token\":\"a\"}")).hasMessageContaining("without a token_type");
    }

    @Test
    void missingAccessTokenOrNonJsonOrHtmlThenClearMessage() {
        assertThatThrownBy(() -> answer("{\"token_type\":\"Bearer\"}"))
                .isExactlyInstanceOf(OAuthClientException.class).hasMessageEndingWith("answered 200 without an access_token");
        assertThatThrownBy(() -> answer(new Answer(200, Map.of("Content-Type", "text/plain"), "ok"), TokenRequest.clientCredentials()))
                .isExactlyInstanceOf(OAuthClientException.class).hasMessageEndingWith("answered 200 with text/plain, not a JSON token response");
        assertThatThrownBy(() -> answer(new Answer(400, Map.of("Content-Type", "text/html; charset=utf-8"),
                "<html><body>Bad Request</body></html>"), TokenRequest.clientCredentials()))
                .isExactlyInstanceOf(OAuthClientException.class)
                .hasMessageEndingWith("answered 400 with an HTML page (text/html), not an OAuth error response");
    }

    @Test
    void rfcErrorThenTypedExceptionWithCodeDescriptionUriAndStatus() {
        assertThatThrownBy(() -> answer(Answer.json(401, "{\"error\":\"invalid_client\",\"error_description\":\"client authentication failed\","
                + "\"error_uri\":\"https://as.example/e\"}"), TokenRequest.clientCredentials()))
                .isExactlyInstanceOf(TokenErrorException.class)
                .hasMessage("token endpoint answered 401 invalid_client: client authentication failed")
                .satisfies(e -> {
                    TokenErrorException t = (TokenErrorException) e;
                    assertThat(t.error()).isEqualTo("invalid_client");
                    assertThat(t.errorDescription()).isEqualTo("client authentication failed");
                    assertThat(t.errorUri()).isEqualTo("https://as.example/e");
                    assertThat(t.status()).isEqualTo(401);
                });
    }

    @Test
    void invalidGrantOnRefreshThenReauthenticationRequiredButOnACodeThenPlainTokenError() {
        Answer invalidGrant = Answer.json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"refresh token reused\"}");
        assertThatThrownBy(() -> answer(invalidGrant, TokenRequest.refreshToken("rt")))
                .isExactlyInstanceOf(ReauthenticationRequiredException.class)
                .extracting(e -> ((TokenErrorException) e).error()).isEqualTo("invalid_grant");
        assertThatThrownBy(() -> answer(invalidGrant, TokenRequest.authorizationCode("c", null, null)))
                .isExactlyInstanceOf(TokenErrorException.class);
    }

    @Test
    void serviceUnavailableOrTooManyRequestsThenUnavailableCarryingRetryAfter() {
        assertThatThrownBy(() -> answer(new Answer(503, Map.of("Retry-After", "120"), ""), TokenRequest.clientCredentials()))
                .isExactlyInstanceOf(TokenEndpointUnavailableException.class)
                .satisfies(e -> assertThat(((TokenEndpointUnavailableException) e).retryAfter()).isEqualTo(Duration.ofSeconds(120)));
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(clock.instant().plusSeconds(30).atZone(ZoneOffset.UTC));
        assertThatThrownBy(() -> answer(Answer.json(429, "{\"error\":\"slow_down\"}").withHeader("Retry-After", date), TokenRequest.clientCredentials()))
                .isExactlyInstanceOf(TokenEndpointUnavailableException.class)
                .satisfies(e -> assertThat(((TokenEndpointUnavailableException) e).retryAfter()).isEqualTo(Duration.ofSeconds(30)));
        assertThatThrownBy(() -> answer(Answer.json(500, "{\"error\":\"server_error\"}"), TokenRequest.clientCredentials()))
                .isExactlyInstanceOf(TokenEndpointUnavailableException.class)
                .satisfies(e -> assertThat(((TokenEndpointUnavailableException) e).retryAfter()).isNull());
    }

    @Test
    void unreachableEndpointThenUnavailableInOneLine() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        TokenEndpoint closed = TokenEndpoint.of(URI.create("http://127.0.0.1:" + port + "/token"));
        assertThatThrownBy(() -> client.request(closed, auth, TokenRequest.clientCredentials()))
                .isExactlyInstanceOf(TokenEndpointUnavailableException.class)
                .hasMessage("token endpoint: cannot reach http://127.0.0.1:" + port + ": connection refused");
    }

    @Test
    void redirectIsNotFollowedSoCredentialsStayHere() {
        try (LocalEndpoint elsewhere = LocalEndpoint.start()) {
            elsewhere.on("/steal", Answer.json(200, OK));
            assertThatThrownBy(() -> answer(new Answer(307, Map.of("Location", elsewhere.url("/steal").toString()), ""),
                    TokenRequest.clientCredentials()))
                    .isExactlyInstanceOf(OAuthClientException.class).hasMessageContaining("answered a redirect (307); it is not followed");
            assertThat(elsewhere.count()).isZero();
        }
    }

    @Test
    void refreshAndIdTokensAndExtrasAreKept() {
        AccessToken t = answer("{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"refresh_token\":\"r\",\"id_token\":\"i\",\"scope\":\"read\","
                + "\"patient\":\"123\"}");
        assertThat(t.refreshToken()).isEqualTo("r");
        assertThat(t.idToken()).isEqualTo("i");
        assertThat(t.scope()).isEqualTo("read");
        assertThat(t.parameters()).containsEntry("patient", "123");
        assertThat(List.of(t.toString())).noneMatch(s -> s.contains("\"r\""));
    }

    @Test
    void tokenEndpointNotHttpsOutsideLoopbackOrNotHttpThenTypedExceptionNotIllegalArgument() {
        assertThatThrownBy(() -> TokenEndpoint.of(URI.create("ftp://as.example/token"))).isExactlyInstanceOf(OAuthClientException.class)
                .hasMessage("the token endpoint ftp://as.example/token has the scheme ftp: only https (or http on a loopback host) is supported");
        assertThatThrownBy(() -> TokenEndpoint.of(URI.create("http://as.example/token"))).isExactlyInstanceOf(OAuthClientException.class)
                .hasMessageStartingWith("the token endpoint http://as.example/token is http on a host that is not loopback: https is required");
        assertThatThrownBy(() -> TokenEndpoint.of(URI.create("/token"))).isExactlyInstanceOf(OAuthClientException.class)
                .hasMessage("the token endpoint /token is not an absolute URL");
        assertThatThrownBy(() -> CachingTokenSource.builder().tokenEndpoint(URI.create("ftp://as.example/token"))
                .authentication(auth).request(TokenRequest.clientCredentials("read")).build())
                .isInstanceOf(OAuthClientException.class).hasMessageContaining("has the scheme ftp");
        assertThat(TokenEndpoint.of(URI.create("https://as.example/token")).url()).hasToString("https://as.example/token");
        assertThat(TokenEndpoint.of(URI.create("http://localhost:8080/token")).url()).hasToString("http://localhost:8080/token");
    }

    @Test
    void jwksUriNotHttpThenTypedException() {
        assertThatThrownBy(() -> dev.latch.client.oidc.IdTokenValidator.builder().jwksUri(URI.create("ftp://as.example/jwks")))
                .isExactlyInstanceOf(OAuthClientException.class)
                .hasMessage("the JWKS URI ftp://as.example/jwks has the scheme ftp: only https (or http on a loopback host) is supported");
    }
}
