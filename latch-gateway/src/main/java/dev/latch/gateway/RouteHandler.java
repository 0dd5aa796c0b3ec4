package dev.latch.gateway;

import dev.latch.gateway.attach.TokenAttachment;
import dev.latch.gateway.config.GatewayConfig;
import dev.latch.gateway.cors.CorsRules;
import dev.latch.gateway.http.GatewayResponses;
import dev.latch.gateway.metadata.ProtectedResourceMetadata;
import dev.latch.gateway.protect.Protection;
import dev.latch.gateway.proxy.RequestSizeLimit;
import dev.latch.gateway.proxy.UpstreamProxy;
import dev.latch.gateway.ratelimit.TokenBuckets;
import dev.latch.gateway.route.Forward;
import dev.latch.gateway.smart.SmartRoute;
import dev.latch.gateway.sso.SsoRoute;
import dev.latch.resource.TokenPrincipal;
import dev.latch.resource.TokenRejectedException;
import dev.latch.gateway.websocket.WebSocketRelay;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One route's way through the gateway, in order: CORS preflight, body size, the mode's decision
 * (protect: token and rule; attach: a token of the gateway's own; passthrough: nothing), the rate
 * limit, then the upstream. An unauthenticated request on a protect route never reaches the upstream; a smart
 * route ({@link SmartRoute}) decides before it forwards, and may read the body first; an sso route
 * ({@link SsoRoute}) forwards only a signed-in browser's requests.
 */
final class RouteHandler {

    private final GatewayConfig.Route route;
    private final UpstreamProxy proxy;
    private final Protection protection;
    private final TokenAttachment attachment;
    private final CorsRules cors;
    private final TokenBuckets buckets;
    private final GatewayHandler.Refusals refusals;
    private final WebSocketRelay webSockets;
    private final SmartRoute smart;
    private final SsoRoute sso;

    RouteHandler(GatewayConfig.Route route, UpstreamProxy proxy, Protection protection, TokenAttachment attachment,
                 GatewayHandler.Refusals refusals, WebSocketRelay webSockets, SmartRoute smart, SsoRoute sso) {
        this.webSockets = webSockets;
        this.smart = smart;
        this.sso = sso;
        this.route = route;
        this.proxy = proxy;
        this.protection = protection;
        this.attachment = attachment;
        this.cors = route.cors() == null ? null : new CorsRules(route.cors());
        this.buckets = route.rateLimit() == null ? null : new TokenBuckets(route.rateLimit());
        this.refusals = refusals;
    }

    GatewayConfig.Route route() {
        return route;
    }

    UpstreamProxy proxy() {
        return proxy;
    }

    /** The sign-in of an sso route, else null. */
    SsoRoute sso() {
        return sso;
    }

    /** Handles the request; returns the principal of a protect route's caller (for the access log), else null. */
    TokenPrincipal handle(Request request, Response response, Callback callback) {
        if (cors != null) {
            if (CorsRules.isPreflight(request)) {
                cors.preflight(request, response, callback);
                return null;
            }
            cors.decorate(request, response);
        }
        long max = route.maxBodyBytes();
        if (max >= 0 && request.getLength() > max) {
            refusals.refused(route, "request_too_large");
            GatewayResponses.error(response, callback, 413, "request_too_large",
                    "the request body is larger than this route accepts (" + max + " bytes)");
            return null;
        }
        // a declared length was checked above; only a body of unknown length (chunked) is counted as it streams
        boolean chunked = request.getLength() < 0 && request.getHeaders().get(HttpHeader.TRANSFER_ENCODING) != null;
        Request forwarded = max >= 0 && chunked ? new RequestSizeLimit(request, max) : request;
        if (smart != null || sso != null) {
            Forward next = (out, who, res, cb) -> forward(out, who == null ? "addr:" + Request.getRemoteAddr(request) : Protection.caller(who), res, cb);
            return smart != null ? smart.handle(request, forwarded, response, callback, next)
                    : sso.handle(request, forwarded, response, callback, next);
        }
        TokenPrincipal principal = null;
        String caller;
        if (protection != null) {
            try {
                principal = protection.authorize(request);
            } catch (TokenRejectedException refusal) {
                refusals.refused(route, refusal.reason().name().toLowerCase(java.util.Locale.ROOT));
                GatewayResponses.refused(response, callback, refusal, ProtectedResourceMetadata.url(request, route));
                return null;
            }
            forwarded.setAttribute(UpstreamProxy.ADD_HEADERS, protection.identity(principal));
            if (route.forwardToken()) {
                forwarded.setAttribute(UpstreamProxy.KEEP_AUTHORIZATION, Boolean.TRUE);
            }
            caller = Protection.caller(principal);
        } else {
            caller = "addr:" + Request.getRemoteAddr(request);
            if (route.mode() == GatewayConfig.Mode.PASSTHROUGH) {
                // a plain proxy: a service that does its own authentication gets the caller's credentials
                forwarded.setAttribute(UpstreamProxy.KEEP_AUTHORIZATION, Boolean.TRUE);
            }
        }
        forward(forwarded, caller, response, callback);
        return principal;
    }

    /** The rate limit of {@code caller}, then the upstream (a WebSocket relay, the attach token, or the proxy). */
    private void forward(Request forwarded, String caller, Response response, Callback callback) {
        if (buckets != null) {
            long wait = buckets.take(caller);
            if (wait > 0) {
                refusals.refused(route, "rate_limited");
                response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(wait));
                GatewayResponses.error(response, callback, 429, "rate_limited", "too many requests; retry after " + wait + " s");
                return;
            }
        }
        Request request = forwarded;
        if (WebSocketRelay.isUpgrade(request)) {
            HttpFields add = (HttpFields) forwarded.getAttribute(UpstreamProxy.ADD_HEADERS);
            if (attachment != null && (add = attachment.headers(response, callback)) == null) {
                return;
            }
            webSockets.relay(request, response, callback, proxy.target(request), proxy.removed(forwarded), add,
                    route.timeouts().connect().toMillis());
        } else if (attachment != null) {
            attachment.forward(forwarded, response, callback);
        } else {
            proxy.handle(forwarded, response, callback);
        }
    }
}
