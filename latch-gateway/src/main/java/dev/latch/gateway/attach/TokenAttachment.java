package dev.latch.gateway.attach;

import dev.latch.client.OAuthClientException;
import dev.latch.client.token.AccessToken;
import dev.latch.client.token.CachingTokenSource;
import dev.latch.gateway.config.GatewayConfig;
import dev.latch.gateway.http.GatewayResponses;
import dev.latch.gateway.proxy.UpstreamProxy;
import java.util.concurrent.Executor;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code attach}: the route's token from latch-client's {@link CachingTokenSource} (one token, renewed
 * before expiry, single flight, back-off) on every upstream request. An upstream {@code 401} to a
 * request without a body makes it renew the token once and send the request once more; an
 * authorization server that cannot give a token is answered {@code 502} with a JSON body, and the next
 * request tries again.
 */
public final class TokenAttachment implements UpstreamProxy.UpstreamResponseHook, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TokenAttachment.class);
    private static final String TOKEN = TokenAttachment.class.getName() + ".token";
    private static final String RETRIED = TokenAttachment.class.getName() + ".retried";

    private final GatewayConfig.Route route;
    private final CachingTokenSource tokens;
    private final UpstreamProxy proxy;
    private final Executor executor;

    public TokenAttachment(GatewayConfig.Route route, CachingTokenSource tokens, UpstreamProxy proxy, Executor executor) {
        this.route = route;
        this.tokens = tokens;
        this.proxy = proxy;
        this.executor = executor;
        proxy.responseHook(this);
    }

    /** Builds the token source of an attach route's {@code token} settings. */
    public static CachingTokenSource tokenSource(GatewayConfig.Token token) {
        CachingTokenSource.Builder b = CachingTokenSource.builder().authentication(token.authentication());
        if (token.issuer() != null) b.issuer(token.issuer());
        if (token.tokenEndpoint() != null) b.tokenEndpoint(token.tokenEndpoint());
        if (!token.scopes().isEmpty()) b.scope(token.scopes().toArray(String[]::new));
        if (token.resource() != null) b.resource(token.resource());
        if (token.audience() != null) b.audience(token.audience());
        // one attempt per caller: a gateway answers 502 at once rather than hold the request through back-off
        return b.maxAttempts(1).backoff(java.time.Duration.ofMillis(250), java.time.Duration.ofSeconds(5)).build();
    }

    /**
     * Adds the token to {@code request} and sends it upstream, or answers {@code 502} when no token can be had.
     */
    public void forward(Request request, Response response, Callback callback) {
        AccessToken token = tokenOrRefuse(response, callback, "the gateway could not get an access token for this service: ");
        if (token != null) {
            attach(request, token);
            proxy.handle(request, response, callback);
        }
    }

    /**
     * The headers that carry the route's token (for a WebSocket upgrade, which does not go through the
     * proxy), or null after answering {@code 502} when no token can be had.
     */
    public HttpFields headers(Response response, Callback callback) {
        AccessToken token = tokenOrRefuse(response, callback, "the gateway could not get an access token for this service: ");
        return token == null ? null : bearer(token);
    }

    /** The route's token, or null after answering {@code 502} (the next request tries again). */
    private AccessToken tokenOrRefuse(Response response, Callback callback, String why) {
        try {
            return tokens.token();
        } catch (OAuthClientException e) {
            LOG.warn("route {}: no token from the authorization server: {}", route.path(), e.getMessage());
            GatewayResponses.error(response, callback, 502, "token_unavailable", why + e.getMessage());
            return null;
        }
    }

    private static HttpFields bearer(AccessToken token) {
        HttpFields.Mutable headers = HttpFields.build(1);
        headers.put(HttpHeader.AUTHORIZATION, "Bearer " + token.value());
        return headers;
    }

    private static void attach(Request request, AccessToken token) {
        request.setAttribute(UpstreamProxy.ADD_HEADERS, bearer(token));
        request.setAttribute(TOKEN, token);
    }

    @Override
    public boolean intercept(Request request, org.eclipse.jetty.client.Response upstreamResponse) {
        return upstreamResponse.getStatus() == 401 && request.getAttribute(RETRIED) == null && replayable(request);
    }

    @Override
    public void intercepted(Request request, Response response, Callback callback) {
        // off the client's I/O thread: renewing the token may wait for the authorization server
        executor.execute(() -> {
            request.setAttribute(RETRIED, Boolean.TRUE);
            if (request.getAttribute(TOKEN) instanceof AccessToken used) {
                tokens.invalidate(used);
            }
            AccessToken fresh = tokenOrRefuse(response, callback, "the upstream refused the gateway's token and no new one could be had: ");
            if (fresh != null) {
                attach(request, fresh);
                proxy.resend(request, response, callback);
            }
        });
    }

    /** A request can be sent twice only when it has no body: the first copy of a streamed body is gone. */
    private static boolean replayable(Request request) {
        return request.getLength() <= 0 && request.getHeaders().get(HttpHeader.TRANSFER_ENCODING) == null;
    }

    @Override
    public void close() {
        tokens.close();
    }
}
