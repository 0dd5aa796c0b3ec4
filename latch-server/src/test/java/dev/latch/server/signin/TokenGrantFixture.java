package dev.latch.server.signin;

import static dev.latch.server.OAuthResponses.basic;
import static dev.latch.server.OAuthResponses.form;

import dev.latch.server.InMemoryUserStore;
import dev.latch.server.TestClock;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import dev.latch.server.code.ApprovedAuthorization;
import dev.latch.server.user.User;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A server with one user and code-flow clients, where tests stand in for the authorization endpoint
 * by issuing codes straight through the code store (as it will once the user has signed in).
 */
final class TokenGrantFixture implements AutoCloseable {

    static final String REDIRECT = "https://app.example/cb";
    static final String VERIFIER = "dBjftJeZ4CVP-mJ92K9ABC.defghijklmnopqrstuvwxyz~_0123";
    static final String SUBJECT = "u-7f3c0a9e";
    static final long AUTH_TIME = 1_700_000_000L;
    static final String WEB_SECRET = "web-secret-for-tests-0123456789-abcdefghij";

    final TestClock clock;
    final InMemoryUserStore users = new InMemoryUserStore();
    final TestServer server;
    /** The confidential client "web" (client_secret_basic) and its secret. */
    final String webSecret;

    TokenGrantFixture(Map<String, String> settings) {
        this(settings, TestClock.atNow(), null);
    }

    TokenGrantFixture(Map<String, String> settings, TestClock clock, String dataDir) {
        this.clock = clock;
        users.insert(new User(SUBJECT, "alice", Map.of("name", "Alice Example", "given_name", "Alice", "email", "alice@example.com",
                "email_verified", true, "phone_number", "+1 555 0100", "address", Map.of("country", "NZ"), "locale", "en"),
                List.of("admin", "nurse"), null, true, 1_600_000_000L, 1_650_000_000L));
        Map<String, String> all = new java.util.HashMap<>(settings);
        if (dataDir != null) all.put("data", dataDir);
        server = TestServer.start(all, clock, users);
        webSecret = WEB_SECRET;
        if (server.clients().store().find("web").isPresent()) {
            return; // a restart over the same data
        }
        server.clients().create(new Client.Builder().clientId("web").scope("openid profile email phone address offline_access read")
                .grantTypes(List.of("authorization_code", "refresh_token")).redirectUris(List.of(REDIRECT)).build(), WEB_SECRET, true, null);
        server.register(new Client.Builder().clientId("spa").tokenEndpointAuthMethod(Client.NONE).scope("openid profile offline_access")
                .grantTypes(List.of("authorization_code", "refresh_token")).redirectUris(List.of(REDIRECT)).build());
    }

    /** A server over the data directory {@code data}, kept when it closes (for restarts). */
    static TokenGrantFixture reopen(String data, TestClock clock) {
        return new TokenGrantFixture(Map.of(), clock, data);
    }

    static String challenge(String verifier) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static ApprovedAuthorization grant(String clientId, String scope, boolean offline) {
        return new ApprovedAuthorization(clientId, SUBJECT, REDIRECT, scope, "n-0S6_WzA2Mj", challenge(VERIFIER), AUTH_TIME, "sid-1",
                List.of("pwd"), List.of(), offline);
    }

    String code(ApprovedAuthorization grant) {
        return server.server().authorizationCodes().issue(grant, clock.instant().getEpochSecond() + 60);
    }

    HttpResponse<String> refreshAsWeb(String refreshToken) {
        return server.postForm("/token", "grant_type=refresh_token&refresh_token=" + form(refreshToken), "Authorization",
                basic("web", webSecret));
    }

    HttpResponse<String> exchangeAsWeb(String code, String extra) {
        return server.postForm("/token", "grant_type=authorization_code&code=" + form(code) + "&redirect_uri=" + form(REDIRECT)
                + "&code_verifier=" + VERIFIER + extra, "Authorization", basic("web", webSecret));
    }

    HttpResponse<String> tokenAsWeb(String body) {
        return server.postForm("/token", body, "Authorization", basic("web", webSecret));
    }

    HttpResponse<String> refreshAsWeb(String refreshToken, String extra) {
        return tokenAsWeb("grant_type=refresh_token&refresh_token=" + form(refreshToken) + extra);
    }

    HttpResponse<String> userinfo(String accessToken) {
        return server.get(server.url("/userinfo"), "Authorization", "Bearer " + accessToken);
    }

    @Override
    public void close() {
        server.close();
    }
}
