package dev.latch.resource;

import static dev.latch.resource.Tokens.AUDIENCE;
import static dev.latch.resource.Tokens.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.latch.server.TestServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every bearer filter must answer (RFC 6750 §3), run against each filter in its real server. A subclass
 * starts the server with the filter made from {@link #validator()} and {@link #rule()} (scope {@code read}) and
 * {@link #METADATA}, in front of a handler that counts itself in {@link #SERVED} and answers 200 with
 * "SUBJECT SCOPES" (scopes sorted, comma-separated) from the principal attribute; and the same handler under
 * {@code /down/} behind a filter made from {@link #unreachableIssuerValidator()}.
 */
abstract class BearerFilterContract {

    static final JWK RS = Tokens.key(JWSAlgorithm.RS256, "rs-1");
    static final String METADATA = "https://api.example.test/.well-known/oauth-protected-resource";
    static final AtomicInteger SERVED = new AtomicInteger();

    /** Where the protected handler is. */
    abstract URI base();

    static AccessTokenValidator validator() {
        return AccessTokenValidator.builder(IssuerSettings.of(ISSUER, AUDIENCE)).jwks(new JWKSet(RS.toPublicJWK())).build();
    }

    /** The issuer of the filter in front of {@code /down/}: nothing listens there. */
    static final String DOWN_ISSUER = IssuerHost.issuerAt(IssuerHost.freePort());

    /** A validator whose issuer cannot be reached (the filter in front of {@code /down/}). */
    static AccessTokenValidator unreachableIssuerValidator() {
        return AccessTokenValidator.builder(IssuerSettings.of(DOWN_ISSUER, AUDIENCE)).build();
    }

    static AccessRule rule() {
        return AccessRule.anyScope("read");
    }

    static String scopes(TokenPrincipal p) {
        return p.subject() + " " + String.join(",", new java.util.TreeSet<>(p.scopes()));
    }

    static String token(String scope) {
        return Tokens.sign(RS, Tokens.claims(Instant.now(), "scope", scope));
    }

    HttpResponse<String> get(String pathAndQuery, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base().resolve(pathAndQuery)).GET();
        if (authorization != null) b.header("Authorization", authorization);
        return TestServer.send(b.build());
    }

    @BeforeEach
    void reset() {
        SERVED.set(0);
    }

    @Test
    void requestWhenNoTokenThen401ChallengeWithoutError() {
        HttpResponse<String> r = get("/orders", null);

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer resource_metadata=\"" + METADATA + "\"");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
        assertThat(r.body()).isEqualTo("{\"error\":\"invalid_token\",\"error_description\":\"a bearer token is required\"}");
        assertThat(SERVED).hasValue(0);
    }

    @Test
    void requestWhenTokenInvalidThen401InvalidToken() {
        HttpResponse<String> r = get("/orders", "Bearer " + token("read").replace(".", ".x"));

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).startsWith("Bearer error=\"invalid_token\"");
        assertThat(r.body()).startsWith("{\"error\":\"invalid_token\"");
        assertThat(SERVED).hasValue(0);
    }

    @Test
    void requestWhenHeaderNotBearerThen401InvalidRequest() {
        HttpResponse<String> r = get("/orders", "Basic dXNlcjpwYXNz");

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).startsWith("Bearer error=\"invalid_request\"");
        assertThat(SERVED).hasValue(0);
    }

    @Test
    void requestWhenScopeMissingThen403InsufficientScopeWithScopeAttribute() {
        HttpResponse<String> r = get("/orders", "Bearer " + token("write"));

        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer error=\"insufficient_scope\", error_description=\""
                + "the token lacks a required scope\", scope=\"read\", resource_metadata=\"" + METADATA + "\"");
        assertThat(r.body()).isEqualTo("{\"error\":\"insufficient_scope\",\"error_description\":\"the token lacks a required scope\"}");
        assertThat(SERVED).hasValue(0);
    }

    @Test
    void requestWhenTokenValidThen200WithThePrincipal() {
        HttpResponse<String> r = get("/orders", "Bearer " + token("read write"));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("client-1 read,write");
        assertThat(SERVED).hasValue(1);
    }

    @Test
    void requestWhenTheIssuerCannotBeReachedThen503RetryAfterAndNoChallenge() {
        java.util.Map<String, Object> claims = Tokens.claims(Instant.now(), "scope", "read");
        claims.put("iss", DOWN_ISSUER);
        HttpResponse<String> r = get("/down/orders", "Bearer " + Tokens.sign(RS, claims));

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).hasValue(Integer.toString(TokenRejectedException.RETRY_AFTER_SECONDS));
        assertThat(r.headers().firstValue("WWW-Authenticate")).as("nothing is known to be wrong with the token").isEmpty();
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(r.body()).isEqualTo("{\"error\":\"temporarily_unavailable\",\"error_description\":\"the token issuer " + DOWN_ISSUER
                + " cannot be reached; try again later\"}");
        assertThat(SERVED).hasValue(0);
    }

    @Test
    void requestWhenTokenInQueryThenRefusedEvenWithAValidHeader() {
        String token = token("read");
        for (String query : new String[] {"?access_token=" + token, "?a=1&access%5Ftoken=" + token}) {
            HttpResponse<String> r = get("/orders" + query, "Bearer " + token);
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).startsWith("Bearer error=\"invalid_request\"");
        }
        assertThat(SERVED).hasValue(0);
    }
}
