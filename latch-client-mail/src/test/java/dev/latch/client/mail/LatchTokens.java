package dev.latch.client.mail;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.latch.client.token.AccessToken;
import dev.latch.client.token.TokenSource;
import dev.latch.server.TestServer;
import dev.latch.server.client.ClientRegistry;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Client-credentials tokens from a real Latch server for the tests: a client registered on the
 * server, a cached token, {@link #invalidate} forgetting it. Counts fetches and records invalidations
 * so tests can check the senders' retry rule.
 */
final class LatchTokens implements TokenSource {

    private final TestServer server;
    private final String clientId;
    private final String secret;
    private final String scope;
    private final AtomicInteger fetches = new AtomicInteger();
    final List<AccessToken> invalidated = Collections.synchronizedList(new ArrayList<>());
    private AccessToken cached;

    private LatchTokens(TestServer server, String clientId, String secret, String scope) {
        this.server = server;
        this.clientId = clientId;
        this.secret = secret;
        this.scope = scope;
    }

    /** Registers {@code clientId} (client_secret_basic, allowed {@code scope}) on {@code server}. */
    static LatchTokens register(TestServer server, String clientId, String scope) {
        ClientRegistry.Registered c = server.basicClient(clientId, scope);
        return new LatchTokens(server, clientId, c.clientSecret(), scope);
    }

    String clientId() {
        return clientId;
    }

    int fetches() {
        return fetches.get();
    }

    @Override
    public synchronized AccessToken token() {
        if (cached == null) {
            cached = fetch();
        }
        return cached;
    }

    @Override
    public synchronized void invalidate(AccessToken token) {
        invalidated.add(token);
        if (token.equals(cached)) {
            cached = null;
        }
    }

    /** A new token from the server, not cached. */
    AccessToken fetch() {
        fetches.incrementAndGet();
        String basic = Base64.getEncoder().encodeToString((enc(clientId) + ":" + enc(secret)).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = server.postForm("/token", "grant_type=client_credentials&scope=" + enc(scope),
                "Authorization", "Basic " + basic);
        if (r.statusCode() != 200) {
            throw new IllegalStateException("token request failed: " + r.statusCode() + " " + r.body());
        }
        try {
            Map<String, Object> json = JSONObjectUtils.parse(r.body());
            return new AccessToken(JSONObjectUtils.getString(json, "access_token"), JSONObjectUtils.getString(json, "token_type"),
                    null, JSONObjectUtils.getString(json, "scope"), null, null, json);
        } catch (java.text.ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
