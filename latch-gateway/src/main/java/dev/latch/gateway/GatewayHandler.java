package dev.latch.gateway;

import dev.latch.gateway.config.GatewayConfig;
import dev.latch.gateway.forwardauth.ForwardAuthEndpoint;
import dev.latch.gateway.health.HealthChecks;
import dev.latch.gateway.http.GatewayResponses;
import dev.latch.gateway.metadata.ProtectedResourceMetadata;
import dev.latch.gateway.metrics.GatewayMetrics;
import dev.latch.gateway.route.Routes;
import dev.latch.gateway.sso.SsoRoute;
import dev.latch.resource.TokenPrincipal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's entry: the management listener's {@code /healthz} and {@code /metrics}; on the public
 * listener the RFC 9728 metadata, the forward-auth endpoint, the sign-in paths of sso routes
 * ({@code /oauth2/…}), then the route of the request. Every
 * request ends in one access-log line (route, method, path without query, status, latency, subject)
 * and the per-route metrics; neither ever holds a token, cookie or query string.
 */
final class GatewayHandler extends Handler.AbstractContainer {

    private static final Logger ACCESS = LoggerFactory.getLogger("latch.gateway.access");

    /** Counts refusals by reason. */
    interface Refusals {
        void refused(GatewayConfig.Route route, String reason);
    }

    private final Routes<RouteHandler> routes;
    private final List<RouteHandler> all;
    private final ProtectedResourceMetadata metadata;
    private final ForwardAuthEndpoint forwardAuth;
    private final String forwardAuthPath;
    private final HealthChecks health;
    private final GatewayMetrics metrics;
    private final boolean accessLog;
    private volatile Connector management;

    GatewayHandler(List<RouteHandler> routeHandlers, ProtectedResourceMetadata metadata, ForwardAuthEndpoint forwardAuth,
                   String forwardAuthPath, HealthChecks health, GatewayMetrics metrics, boolean accessLog) {
        this.routes = new Routes<>();
        for (RouteHandler r : routeHandlers) {
            routes.add(r.route(), r);
            addBean(r.proxy(), true);
        }
        this.all = List.copyOf(routeHandlers);
        this.metadata = metadata;
        this.forwardAuth = forwardAuth;
        this.forwardAuthPath = forwardAuthPath;
        this.health = health;
        this.metrics = metrics;
        this.accessLog = accessLog;
    }

    void managementConnector(Connector connector) {
        this.management = connector;
    }

    @Override
    public List<Handler> getHandlers() {
        List<Handler> out = new ArrayList<>();
        for (RouteHandler r : all) out.add(r.proxy());
        return out;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (request.getConnectionMetaData().getConnector() == management) {
            return managementRequest(request, response, callback);
        }
        long start = System.nanoTime();
        String path = request.getHttpURI().getCanonicalPath();
        String host = Request.getServerName(request);
        RouteHandler route = path == null ? null : routes.match(host, path);
        String routeName = route == null ? "-" : route.route().path();
        TokenPrincipal[] who = new TokenPrincipal[1];
        SsoRoute sso;
        Callback logged = Callback.from(callback, () -> done(request, response, routeName, who[0], start));
        if (path == null) {
            GatewayResponses.error(response, logged, 400, "invalid_request", "the request path is not valid");
        } else if (ProtectedResourceMetadata.isMetadataPath(path)) {
            RouteHandler described = routeForMetadata(host, ProtectedResourceMetadata.routePath(path));
            if (described == null) {
                GatewayResponses.error(response, logged, 404, "not_found", "no protected resource is described here");
            } else {
                metadata.answer(request, response, logged, described.route());
            }
        } else if (forwardAuth != null && path.equals(forwardAuthPath)) {
            who[0] = forwardAuth.answer(request, response, logged);
        } else if ((sso = signInPaths(host, path)) != null) {
            sso.endpoint(request, response, logged);
        } else if (route == null) {
            GatewayResponses.error(response, logged, 404, "not_found", "no route for this path");
        } else {
            who[0] = route.handle(request, response, logged);
        }
        return true;
    }

    /** The sso route whose reserved paths ({@code /oauth2/…}) hold {@code path} on {@code host}, else null (one with the host first). */
    private SsoRoute signInPaths(String host, String path) {
        SsoRoute any = null;
        for (RouteHandler r : all) {
            SsoRoute sso = r.sso();
            if (sso == null || !path.startsWith(sso.prefix())) continue;
            String routeHost = r.route().host();
            if (routeHost != null && routeHost.equalsIgnoreCase(host)) return sso;
            if (routeHost == null && any == null) any = sso;
        }
        return any;
    }

    private RouteHandler routeForMetadata(String host, String routePath) {
        for (String candidate : new String[] {routePath, routePath.endsWith("/") ? routePath : routePath + "/"}) {
            RouteHandler r = routes.match(host, candidate);
            if (r != null && r.route().mode().protects() && r.route().path().equals(candidate)) {
                return r;
            }
        }
        return null;
    }

    private void done(Request request, Response response, String route, TokenPrincipal principal, long start) {
        long nanos = System.nanoTime() - start;
        int status = response.getStatus();
        metrics.request(route, status, nanos);
        if (accessLog && ACCESS.isInfoEnabled()) {
            long micros = nanos / 1000;
            ACCESS.info("{} {} {} {} {} {}.{}ms sub={} client={}", Request.getRemoteAddr(request), route, request.getMethod(),
                    request.getHttpURI().getPath(), status, micros / 1000, String.valueOf(1000 + micros % 1000).substring(1),
                    principal == null ? "-" : principal.subject(), principal == null || principal.clientId() == null ? "-" : principal.clientId());
        }
    }

    private boolean managementRequest(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        if ("/healthz".equals(path)) {
            HealthChecks.Report report = health.report();
            GatewayResponses.json(response, callback, report.healthy() ? 200 : 503, report.body());
        } else if ("/metrics".equals(path)) {
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            response.write(true, ByteBuffer.wrap(metrics.scrape().getBytes(StandardCharsets.UTF_8)), callback);
        } else {
            GatewayResponses.error(response, callback, 404, "not_found", "the management port serves /healthz and /metrics");
        }
        return true;
    }
}
