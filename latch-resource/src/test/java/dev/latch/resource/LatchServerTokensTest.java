package dev.latch.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.latch.client.auth.ClientAuthentication;
import dev.latch.resource.IssuerSettings.TokenType;
import dev.latch.resource.TokenRejectedException.Reason;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Against a real Latch authorization server: its RFC 9068 JWT access tokens validated locally through discovery
 * and its JWKS; its opaque reference tokens through RFC 7662 introspection as a resource server client, and
 * refused as inactive once revoked (RFC 7009).
 */
class LatchServerTokensTest {

    static final String API = "https://api.example.test/";
    static final ObjectMapper JSON = new ObjectMapper();

    static TestServer server;
    static String workerSecret;
    static String opaqueSecret;
    static String apiSecret;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("tokens.default-audience", API));
        workerSecret = server.basicClient("worker", "read write").clientSecret();
        opaqueSecret = server.register(new Client.Builder().clientId("opaque-worker").scope("read").accessTokenFormat("opaque").build()).clientSecret();
        // the resource server itself: it may introspect tokens for its own audience
        apiSecret = server.register(new Client.Builder().clientId("api").resourceUris(List.of(API)).build()).clientSecret();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String token(String clientId, String secret, String scope) throws Exception {
        HttpResponse<String> r = server.postForm("/token", "grant_type=client_credentials&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8),
                "Authorization", "Basic " + Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        return body.get("access_token").asText();
    }

    static AccessTokenValidator validator(Duration introspectionCacheTtl) {
        IssuerSettings settings = IssuerSettings.of(server.issuer(), API).withType(TokenType.AT_JWT)
                .withIntrospection(ClientAuthentication.clientSecretBasic("api", apiSecret), introspectionCacheTtl);
        return AccessTokenValidator.builder(settings).build();
    }

    @Test
    void validateWhenClientCredentialsJwtThenAccepted() throws Exception {
        try (AccessTokenValidator v = validator(Duration.ofSeconds(60))) {
            TokenPrincipal p = v.authenticate("Bearer " + token("worker", workerSecret, "read write"));

            assertThat(p.issuer()).isEqualTo(server.issuer());
            assertThat(p.subject()).isEqualTo("worker");
            assertThat(p.clientId()).isEqualTo("worker");
            assertThat(p.scopes()).containsExactlyInAnyOrder("read", "write");
            assertThat(p.audience()).contains(API);
            assertThat(v.stats().introspections()).isZero();
            assertThat(v.stats().jwksFetches()).isEqualTo(1);
            assertThat(v.health().reachable()).isTrue();
        }
    }

    @Test
    void validateWhenOpaqueTokenThenAcceptedByIntrospection() throws Exception {
        try (AccessTokenValidator v = validator(Duration.ofSeconds(60))) {
            String token = token("opaque-worker", opaqueSecret, "read");
            assertThat(token).doesNotContain(".");

            TokenPrincipal p = v.validate(token);
            assertThat(p.clientId()).isEqualTo("opaque-worker");
            assertThat(p.scopes()).containsExactly("read");
            assertThat(p.expiresAt()).isNotNull();
            assertThat(v.validate(token)).as("the answer is cached").isSameAs(p);
            assertThat(v.stats().introspections()).isEqualTo(1);
            assertThat(v.stats().jwksFetches()).isZero();
        }
    }

    @Test
    void validateWhenOpaqueTokenRevokedThenInactive() throws Exception {
        try (AccessTokenValidator v = validator(Duration.ZERO)) {
            String token = token("opaque-worker", opaqueSecret, "read");
            assertThat(v.validate(token).clientId()).isEqualTo("opaque-worker");

            HttpResponse<String> revoked = server.postForm("/revoke", "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8),
                    "Authorization", "Basic " + Base64.getEncoder().encodeToString(("opaque-worker:" + opaqueSecret).getBytes(StandardCharsets.UTF_8)));
            assertThat(revoked.statusCode()).isEqualTo(200);

            assertThatThrownBy(() -> v.validate(token)).isInstanceOfSatisfying(TokenRejectedException.class, e -> {
                assertThat(e.reason()).isEqualTo(Reason.INACTIVE);
                assertThat(e.status()).isEqualTo(401);
            });
            assertThat(v.stats().introspections()).as("a TTL of 0 caches nothing").isEqualTo(2);
        }
    }

    @Test
    void requireActiveWhenJwtRevokedAtLatchThenInactiveWhileStillValidLocally() throws Exception {
        try (AccessTokenValidator v = validator(Duration.ZERO)) {
            String token = token("worker", workerSecret, "read");
            assertThat(v.validate(token).clientId()).isEqualTo("worker");
            v.requireActive(token);
            assertThat(v.stats().introspections()).isEqualTo(1);

            HttpResponse<String> revoked = server.postForm("/revoke", "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8),
                    "Authorization", "Basic " + Base64.getEncoder().encodeToString(("worker:" + workerSecret).getBytes(StandardCharsets.UTF_8)));
            assertThat(revoked.statusCode()).isEqualTo(200);

            assertThat(v.validate(token).clientId()).as("the signature and lifetime are still fine").isEqualTo("worker");
            assertThatThrownBy(() -> v.requireActive(token)).isInstanceOfSatisfying(TokenRejectedException.class,
                    e -> assertThat(e.reason()).isEqualTo(Reason.INACTIVE));
        }
    }

    @Test
    void requireActiveWithoutIntrospectionClientThenIssuerUnavailable() throws Exception {
        try (AccessTokenValidator v = AccessTokenValidator.builder(IssuerSettings.of(server.issuer(), API)).build()) {
            String token = token("worker", workerSecret, "read");
            assertThatThrownBy(() -> v.requireActive(token)).isInstanceOfSatisfying(TokenRejectedException.class,
                    e -> assertThat(e.reason()).isEqualTo(Reason.ISSUER_UNAVAILABLE));
        }
    }

    @Test
    void validateWhenIntrospectionCredentialsWrongThenIssuerUnavailable() throws Exception {
        IssuerSettings settings = IssuerSettings.of(server.issuer(), API)
                .withIntrospection(ClientAuthentication.clientSecretBasic("api", "wrong"), Duration.ZERO);
        try (AccessTokenValidator v = AccessTokenValidator.builder(settings).build()) {
            String token = token("opaque-worker", opaqueSecret, "read");
            assertThatThrownBy(() -> v.validate(token)).isInstanceOfSatisfying(TokenRejectedException.class, e -> {
                assertThat(e.reason()).isEqualTo(Reason.ISSUER_UNAVAILABLE);
                assertThat(e.getMessage()).contains("answered 401").doesNotContain(token);
            });
            assertThat(v.health().reachable()).isFalse();
        }
    }
}
