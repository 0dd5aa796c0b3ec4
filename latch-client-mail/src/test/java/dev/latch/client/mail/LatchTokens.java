package dev.latch.client.mail;

import dev.latch.client.auth.ClientAuthentication;
import dev.latch.client.token.AccessToken;
import dev.latch.client.token.CachingTokenSource;
import dev.latch.client.token.TokenClient;
import dev.latch.client.token.TokenEndpoint;
import dev.latch.client.token.TokenRequest;
import dev.latch.client.token.TokenSource;
import dev.latch.server.TestServer;
import dev.latch.server.client.ClientRegistry;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Client-credentials tokens from a real Latch server for the tests: a client registered on the
 * server, a cached token, {@link #invalidate} forgetting it. Counts fetches and records invalidations
 * so tests can check the senders' retry rule.
 */
final class LatchTokens implements TokenSource {

    private static final TokenClient TOKEN_CLIENT = TokenClient.create();

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

    /** latch-client's own caching source for the same client (system clock, no background renewal). */
    CachingTokenSource caching() {
        return CachingTokenSource.builder().tokenEndpoint(URI.create(server.url("/token")))
                .authentication(ClientAuthentication.clientSecretBasic(clientId, secret)).scope(scope)
                .proactiveRefresh(false).build();
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

    /** A new token from the server, not cached, requested with latch-client's {@link TokenClient}. */
    AccessToken fetch() {
        fetches.incrementAndGet();
        return TOKEN_CLIENT.request(TokenEndpoint.of(URI.create(server.url("/token"))),
                ClientAuthentication.clientSecretBasic(clientId, secret), TokenRequest.clientCredentials(scope));
    }

}
