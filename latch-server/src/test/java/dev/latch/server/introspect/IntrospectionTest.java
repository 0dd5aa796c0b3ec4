package dev.latch.server.introspect;

import static dev.latch.server.OAuthResponses.assertError;
import static dev.latch.server.OAuthResponses.assertInvalidClientWithBasicChallenge;
import static dev.latch.server.OAuthResponses.assertInvalidClientWithoutChallenge;
import static dev.latch.server.OAuthResponses.assertNoStoreJson;
import static dev.latch.server.OAuthResponses.basic;
import static dev.latch.server.OAuthResponses.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenIntrospectionRequest;
import com.nimbusds.oauth2.sdk.TokenIntrospectionResponse;
import com.nimbusds.oauth2.sdk.TokenIntrospectionSuccessResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.JWTAuthenticationClaimsSet;
import com.nimbusds.oauth2.sdk.auth.PrivateKeyJWT;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.Audience;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.JWTID;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import dev.latch.server.ClientAssertion;
import dev.latch.server.TestClock;
import dev.latch.server.TestKeys;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Token introspection (RFC 7662) as the Nimbus SDK and raw requests see it: a token is active only
 * to the client it was issued to or to a resource server in its audience; everything else is
 * exactly {@code {"active":false}}. The server's clock is a {@link TestClock} so tokens can expire.
 */
class IntrospectionTest {

    static final String INACTIVE = "{\"active\":false}";
    static final String RS_A = "urn:latch:rs-a";
    static final String API = "https://api.example.com";
    static TestServer server;
    static TestClock clock;
    static final Map<String, String> secrets = new HashMap<>();

    @BeforeAll
    static void start() {
        clock = TestClock.atNow();
        server = TestServer.start(Map.of(), clock);
        add(new Client.Builder().clientId("owner").scope("read write").allowedResources(List.of(RS_A, API)).build());
        add(new Client.Builder().clientId("other").scope("read").build());
        add(new Client.Builder().clientId(RS_A).build());
        add(new Client.Builder().clientId("rs-b").resourceUris(List.of(API)).build());
        add(new Client.Builder().clientId("rs-c").resourceUris(List.of("https://elsewhere.example.com")).build());
        add(new Client.Builder().clientId("short").accessTokenLifetime(60L).build());
        add(new Client.Builder().clientId("opaque").scope("read").accessTokenFormat("opaque").accessTokenLifetime(60L).build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void add(Client client) {
        secrets.put(client.clientId(), server.register(client).clientSecret());
    }

    private static String tokenFor(String clientId, String extra) {
        HttpResponse<String> r = server.postForm("/token", "grant_type=client_credentials" + extra,
                "Authorization", basic(clientId, secrets.get(clientId)));
        return assertNoStoreJson(r, 200).get("access_token").asText();
    }

    private static HttpResponse<String> introspect(String callerId, String token) {
        return server.postForm("/introspect", "token=" + form(token), "Authorization", basic(callerId, secrets.get(callerId)));
    }

    private static void assertInactive(HttpResponse<String> r) {
        assertNoStoreJson(r, 200);
        assertThat(r.body()).isEqualTo(INACTIVE);
    }

    private static void assertActive(HttpResponse<String> r) {
        assertThat(assertNoStoreJson(r, 200).get("active").asBoolean()).as(r.body()).isTrue();
    }

    @Test
    void ownTokenIsActiveWithItsClaimsThroughNimbus() throws Exception {
        String token = tokenFor("owner", "&scope=read");
        HTTPResponse http = new TokenIntrospectionRequest(URI.create(server.url("/introspect")),
                new ClientSecretBasic(new ClientID("owner"), new Secret(secrets.get("owner"))), new BearerAccessToken(token))
                .toHTTPRequest().send();
        assertThat(http.getHeaderValue("Cache-Control")).isEqualTo("no-store");

        TokenIntrospectionResponse response = TokenIntrospectionResponse.parse(http);
        assertThat(response.indicatesSuccess()).as(http.getBody()).isTrue();
        TokenIntrospectionSuccessResponse ok = response.toSuccessResponse();
        assertThat(ok.isActive()).isTrue();
        assertThat(ok.getScope()).isEqualTo(new Scope("read"));
        assertThat(ok.getClientID()).isEqualTo(new ClientID("owner"));
        assertThat(ok.getSubject().getValue()).isEqualTo("owner");
        assertThat(ok.getIssuer().getValue()).isEqualTo(server.issuer());
        assertThat(ok.getAudience()).containsExactly(new Audience(server.issuer()));
        assertThat(ok.getTokenType().getValue()).isEqualTo("Bearer");
        assertThat(ok.getJWTID()).isNotNull();
        assertThat(ok.getIssueTime()).isEqualTo(Date.from(clock.instant()));
        assertThat(ok.getExpirationTime()).isEqualTo(Date.from(clock.instant().plus(Duration.ofHours(1))));
    }

    @Test
    void callerAuthenticatedWithPrivateKeyJwtThroughNimbus() throws Exception {
        JWK key = TestKeys.rsa("introspector");
        server.register(new Client.Builder().clientId("pkj").scope("read").tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                .jwks(TestKeys.publicJwks(key)).build());
        String token = ClientAssertion.of("pkj", server.issuer(), clock.instant()).kid("introspector").sign(key, JWSAlgorithm.RS256);
        String accessToken = assertNoStoreJson(server.postForm("/token", "grant_type=client_credentials&" + ClientAssertion.form(token)), 200)
                .get("access_token").asText();

        Date now = Date.from(clock.instant());
        JWTAuthenticationClaimsSet claims = new JWTAuthenticationClaimsSet(new ClientID("pkj"), List.of(new Audience(server.issuer())),
                Date.from(clock.instant().plusSeconds(60)), null, now, new JWTID());
        PrivateKeyJWT auth = new PrivateKeyJWT(claims, JWSAlgorithm.RS256, ((RSAKey) key).toPrivateKey(), "introspector", null);
        HTTPResponse http = new TokenIntrospectionRequest(URI.create(server.url("/introspect")), auth, new BearerAccessToken(accessToken))
                .toHTTPRequest().send();
        assertThat(TokenIntrospectionResponse.parse(http).toSuccessResponse().isActive()).as(http.getBody()).isTrue();
    }

    @Test
    void tokenOfAnotherClientIsInactive() {
        assertInactive(introspect("other", tokenFor("owner", "")));
    }

    @Test
    void resourceServerWhoseClientIdIsInTheAudienceSeesTheToken() {
        String token = tokenFor("owner", "&resource=" + form(RS_A));
        JsonNode body = assertNoStoreJson(introspect(RS_A, token), 200);
        assertThat(body.get("active").asBoolean()).isTrue();
        assertThat(body.get("client_id").asText()).isEqualTo("owner");
        assertThat(body.get("aud").asText()).isEqualTo(RS_A);
        assertInactive(introspect("rs-b", token));
    }

    @Test
    void resourceServerWhoseResourceUriIsInTheAudienceSeesTheToken() {
        String token = tokenFor("owner", "&resource=" + form(API));
        assertActive(introspect("rs-b", token));
        assertInactive(introspect("rs-c", token));
        assertInactive(introspect(RS_A, token));
        assertInactive(introspect("other", token));
    }

    @Test
    void revokedTokenIsInactive() {
        String token = tokenFor("owner", "");
        assertActive(introspect("owner", token));
        HttpResponse<String> revoke = server.postForm("/revoke", "token=" + form(token), "Authorization", basic("owner", secrets.get("owner")));
        assertThat(revoke.statusCode()).isEqualTo(200);
        assertInactive(introspect("owner", token));
    }

    @Test
    void expiredTokenIsInactive() {
        String jwt = tokenFor("short", "");
        String opaque = tokenFor("opaque", "");
        clock.advance(Duration.ofSeconds(59));
        assertActive(introspect("short", jwt));
        assertActive(introspect("opaque", opaque));
        clock.advance(Duration.ofSeconds(2));
        assertInactive(introspect("short", jwt));
        assertInactive(introspect("opaque", opaque));
    }

    @Test
    void opaqueTokenIsActiveOnlyForItsClient() {
        String token = tokenFor("opaque", "");
        JsonNode body = assertNoStoreJson(introspect("opaque", token), 200);
        assertThat(body.get("active").asBoolean()).isTrue();
        assertThat(body.get("client_id").asText()).isEqualTo("opaque");
        assertThat(body.get("scope").asText()).isEqualTo("read");
        assertInactive(introspect("other", token));
    }

    @Test
    void tokenTypeHintDoesNotChangeTheAnswer() {
        String token = tokenFor("owner", "");
        HttpResponse<String> r = server.postForm("/introspect", "token=" + form(token) + "&token_type_hint=refresh_token",
                "Authorization", basic("owner", secrets.get("owner")));
        assertActive(r);
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "a.b.c", "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.", "....", "%00%ff", "ünïcødé"})
    void garbageIsInactive(String token) {
        assertInactive(introspect("owner", token));
    }

    @Test
    void veryLongGarbageIsInactive() {
        assertInactive(introspect("owner", "x".repeat(60_000)));
    }

    @Test
    void forgedTokenWithOurKidAndClaimsIsInactive() throws Exception {
        String kid = JWKSet.parse(server.get(server.url("/jwks")).body()).getKeys().get(0).getKeyID();
        JWK attacker = TestKeys.rsa(kid);
        long now = clock.instant().getEpochSecond();
        String forged = ClientAssertion.of("owner", server.issuer(), clock.instant()).kid(kid).typ("at+jwt")
                .claim("iss", server.issuer()).claim("client_id", "owner").claim("scope", "read")
                .claim("iat", now).claim("exp", now + 600).sign(attacker, JWSAlgorithm.RS256);
        assertInactive(introspect("owner", forged));
    }

    @Test
    void tamperedTokenIsInactive() {
        String token = tokenFor("owner", "&scope=read");
        String[] parts = token.split("\\.");
        String payload = new String(java.util.Base64.getUrlDecoder().decode(parts[1]), java.nio.charset.StandardCharsets.UTF_8)
                .replace("\"scope\":\"read\"", "\"scope\":\"read write\"");
        String tampered = parts[0] + "." + com.nimbusds.jose.util.Base64URL.encode(payload) + "." + parts[2];
        assertInactive(introspect("owner", tampered));
    }

    @Test
    void missingTokenThenInvalidRequest() {
        assertError(server.postForm("/introspect", "", "Authorization", basic("owner", secrets.get("owner"))), 400, "invalid_request");
    }

    @Test
    void unauthenticatedThenInvalidClient() {
        assertInvalidClientWithoutChallenge(server.postForm("/introspect", "token=" + form(tokenFor("owner", ""))));
    }

    @Test
    void wrongSecretThenInvalidClientWithBasicChallenge() {
        assertInvalidClientWithBasicChallenge(server.postForm("/introspect", "token=" + form(tokenFor("owner", "")),
                "Authorization", basic("owner", "wrong")));
    }

    @Test
    void repeatedTokenParameterThenInvalidRequest() {
        String token = tokenFor("owner", "");
        assertError(server.postForm("/introspect", "token=" + form(token) + "&token=" + form(token),
                "Authorization", basic("owner", secrets.get("owner"))), 400, "invalid_request");
    }

    /** RFC 7592 §2.3: once a client is disabled, or removed (even if registered again), its tokens stop working. */
    @Test
    void tokensOfADisabledOrRemovedClientAreInactiveEvenIfTheIdIsRegisteredAgain() throws Exception {
        add(new Client.Builder().clientId("leaver").scope("read").allowedResources(List.of(RS_A)).build());
        String token = tokenFor("leaver", "&resource=" + form(RS_A));
        assertActive(introspect(RS_A, token));

        var stored = server.clients().find("leaver").orElseThrow();
        server.clients().update("leaver", stored.client().toBuilder().enabled(false).build(), true);
        assertEventually(() -> introspect(RS_A, token).body().equals(INACTIVE));
        server.clients().update("leaver", stored.client().toBuilder().enabled(true).build(), true);
        assertEventually(() -> !introspect(RS_A, token).body().equals(INACTIVE));

        clock.advance(Duration.ofSeconds(1));
        server.clients().remove("leaver");
        add(new Client.Builder().clientId("leaver").scope("read").allowedResources(List.of(RS_A)).build());
        assertEventually(() -> introspect(RS_A, token).body().equals(INACTIVE));
        assertActive(introspect(RS_A, tokenFor("leaver", "&resource=" + form(RS_A))));
    }

    /** Client changes reach a running server within 5 seconds (clients are cached for 2). */
    private static void assertEventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within 5 s").isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
