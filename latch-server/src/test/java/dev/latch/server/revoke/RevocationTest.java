package dev.latch.server.revoke;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.server.LogCapture;
import static dev.latch.server.OAuthResponses.assertError;
import static dev.latch.server.OAuthResponses.assertInvalidClientWithBasicChallenge;
import static dev.latch.server.OAuthResponses.assertInvalidClientWithoutChallenge;
import static dev.latch.server.OAuthResponses.assertNoStoreJson;
import static dev.latch.server.OAuthResponses.basic;
import static dev.latch.server.OAuthResponses.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.TokenRevocationRequest;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Token revocation (RFC 7009) driven by the Nimbus SDK: a client revokes its own tokens (JWTs by a
 * jti deny-list, opaque ones in their store); anything else still answers 200 and changes nothing.
 */
class RevocationTest {

    static TestServer server;
    static final Map<String, String> secrets = new HashMap<>();

    @BeforeAll
    static void start() {
        server = TestServer.start();
        add(new Client.Builder().clientId("owner").scope("read").build());
        add(new Client.Builder().clientId("other").scope("read").build());
        add(new Client.Builder().clientId("post-owner").tokenEndpointAuthMethod(Client.POST).build());
        add(new Client.Builder().clientId("opaque").accessTokenFormat("opaque").build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void add(Client client) {
        secrets.put(client.clientId(), server.register(client).clientSecret());
    }

    private static String tokenFor(String clientId) {
        String secret = secrets.get(clientId);
        HttpResponse<String> r = clientId.equals("post-owner")
                ? server.postForm("/token", "grant_type=client_credentials&client_id=" + clientId + "&client_secret=" + form(secret))
                : server.postForm("/token", "grant_type=client_credentials", "Authorization", basic(clientId, secret));
        return assertNoStoreJson(r, 200).get("access_token").asText();
    }

    private static HTTPResponse revokeWithNimbus(String clientId, String token) throws Exception {
        ClientID id = new ClientID(clientId);
        Secret secret = new Secret(secrets.get(clientId));
        var auth = clientId.equals("post-owner") ? new ClientSecretPost(id, secret) : new ClientSecretBasic(id, secret);
        return new TokenRevocationRequest(URI.create(server.url("/revoke")), auth, new BearerAccessToken(token)).toHTTPRequest().send();
    }

    private static boolean active(String clientId, String token) {
        HttpResponse<String> r = server.postForm("/introspect", "token=" + form(token),
                "Authorization", basic(clientId, secrets.get(clientId)));
        return assertNoStoreJson(r, 200).get("active").asBoolean();
    }

    @Test
    void revokingOwnJwtPutsItsJtiOnTheDenyList() throws Exception {
        String token = tokenFor("owner");
        assertThat(active("owner", token)).isTrue();

        HTTPResponse http;
        try (LogCapture log = LogCapture.start()) {
            http = revokeWithNimbus("owner", token);
            server.postForm("/revoke", "token=" + form(token), "Authorization", basic("owner", "wrong-secret-0123456789"));
            List<JsonNode> events = log.audit("token.revoke");
            assertThat(events).hasSize(2);
            assertThat(events.get(0).path("outcome").asText()).isEqualTo("success");
            assertThat(events.get(0).path("client_id").asText()).isEqualTo("owner");
            assertThat(events.get(0).path("token_type").asText()).isEqualTo("access_token");
            assertThat(events.get(0).path("jti").asText()).isEqualTo(SignedJWT.parse(token).getJWTClaimsSet().getJWTID());
            assertThat(events.get(1).path("outcome").asText()).isEqualTo("failure");
            assertThat(events.get(1).path("client_id").asText()).isEqualTo("owner");
            assertThat(events.get(1).path("error").asText()).isEqualTo("invalid_client");
            assertThat(log.text()).doesNotContain(token);
        }

        assertThat(http.getStatusCode()).isEqualTo(200);
        assertThat(active("owner", token)).isFalse();
        String jti = SignedJWT.parse(token).getJWTClaimsSet().getJWTID();
        List<String> denied = server.sql().query("SELECT client_id FROM revoked_tokens WHERE jti = ?", rs -> rs.getString(1), jti);
        assertThat(denied).containsExactly("owner");
    }

    @Test
    void revokingWithClientSecretPostWorksToo() throws Exception {
        String token = tokenFor("post-owner");
        assertThat(revokeWithNimbus("post-owner", token).getStatusCode()).isEqualTo(200);
        HttpResponse<String> r = server.postForm("/introspect", "token=" + form(token) + "&client_id=post-owner&client_secret="
                + form(secrets.get("post-owner")));
        assertThat(r.body()).isEqualTo("{\"active\":false}");
    }

    @Test
    void revokingTwiceIsFine() throws Exception {
        String token = tokenFor("owner");
        assertThat(revokeWithNimbus("owner", token).getStatusCode()).isEqualTo(200);
        assertThat(revokeWithNimbus("owner", token).getStatusCode()).isEqualTo(200);
        assertThat(active("owner", token)).isFalse();
    }

    @Test
    void revokingAnotherClientsTokenAnswers200AndChangesNothing() throws Exception {
        String token = tokenFor("owner");

        HTTPResponse http = revokeWithNimbus("other", token);

        assertThat(http.getStatusCode()).isEqualTo(200);
        assertThat(active("owner", token)).isTrue();
        String jti = SignedJWT.parse(token).getJWTClaimsSet().getJWTID();
        assertThat(server.sql().query("SELECT jti FROM revoked_tokens WHERE jti = ?", rs -> rs.getString(1), jti)).isEmpty();
    }

    @Test
    void revokingAnUnknownTokenAnswers200() throws Exception {
        assertThat(revokeWithNimbus("owner", "no-such-token").getStatusCode()).isEqualTo(200);
        assertThat(revokeWithNimbus("owner", "a.b.c").getStatusCode()).isEqualTo(200);
    }

    @Test
    void revokingOwnOpaqueTokenMakesItInactive() throws Exception {
        String token = tokenFor("opaque");
        assertThat(active("opaque", token)).isTrue();
        assertThat(revokeWithNimbus("other", token).getStatusCode()).isEqualTo(200);
        assertThat(active("opaque", token)).as("another client cannot revoke it").isTrue();

        assertThat(revokeWithNimbus("opaque", token).getStatusCode()).isEqualTo(200);

        assertThat(active("opaque", token)).isFalse();
    }

    @Test
    void tokenTypeHintDoesNotStopRevocation() {
        String token = tokenFor("owner");
        HttpResponse<String> r = server.postForm("/revoke", "token=" + form(token) + "&token_type_hint=refresh_token",
                "Authorization", basic("owner", secrets.get("owner")));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(active("owner", token)).isFalse();
    }

    @Test
    void successfulRevocationIsNotCacheable() {
        HttpResponse<String> r = server.postForm("/revoke", "token=" + form(tokenFor("owner")),
                "Authorization", basic("owner", secrets.get("owner")));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    }

    @Test
    void missingTokenThenInvalidRequest() {
        assertError(server.postForm("/revoke", "token_type_hint=access_token", "Authorization", basic("owner", secrets.get("owner"))),
                400, "invalid_request");
    }

    @Test
    void unauthenticatedThenInvalidClientAndTokenStaysActive() {
        String token = tokenFor("owner");
        assertInvalidClientWithoutChallenge(server.postForm("/revoke", "token=" + form(token)));
        assertInvalidClientWithoutChallenge(server.postForm("/revoke", "token=" + form(token) + "&client_id=owner"));
        assertThat(active("owner", token)).isTrue();
    }

    @Test
    void wrongSecretThenInvalidClientWithBasicChallenge() {
        String token = tokenFor("owner");
        assertInvalidClientWithBasicChallenge(server.postForm("/revoke", "token=" + form(token), "Authorization", basic("owner", "wrong")));
        assertThat(active("owner", token)).isTrue();
    }
}
