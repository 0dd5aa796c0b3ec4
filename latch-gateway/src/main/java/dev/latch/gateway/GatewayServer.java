package dev.latch.gateway;

import dev.latch.core.jose.TlsKeyStore;
import dev.latch.gateway.attach.TokenAttachment;
import dev.latch.gateway.config.GatewayConfig;
import dev.latch.gateway.forwardauth.ForwardAuthEndpoint;
import dev.latch.gateway.health.HealthChecks;
import dev.latch.gateway.metadata.ProtectedResourceMetadata;
import dev.latch.gateway.metrics.GatewayMetrics;
import dev.latch.gateway.protect.Protection;
import dev.latch.gateway.proxy.UpstreamProxy;
import dev.latch.gateway.smart.SmartConfiguration;
import dev.latch.gateway.smart.SmartRoute;
import dev.latch.gateway.sso.SsoRoute;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import dev.latch.resource.AccessTokenValidator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * {@code latch gateway}: a Jetty server with a public listener (the routes) and a loopback management
 * listener ({@code /healthz}, {@code /metrics}). Building it does no network I/O, so it starts while an
 * issuer or upstream is down (and says so in {@code /healthz}); stopping it lets requests in flight
 * finish within the configured grace.
 */
public final class GatewayServer implements AutoCloseable {

    private final GatewayConfig config;
    private final Server server;
    private final ServerConnector publicConnector;
    private final ServerConnector managementConnector;
    private final Map<String, AccessTokenValidator> validators;
    private final List<TokenAttachment> attachments;
    /** Fetches the issuers' SMART configurations (no redirects, 5 s to connect); made only when a smart route needs it. */
    private HttpClient smartHttp;
    /** Talks to the sso routes' providers (no redirects, 5 s to connect); made only when an sso route needs it. */
    private HttpClient ssoHttp;
    private final List<SsoRoute> ssoRoutes = new ArrayList<>();

    private GatewayServer(GatewayConfig config) {
        this.config = config;
        QueuedThreadPool threads = new QueuedThreadPool(256, 8);
        threads.setName("gateway");
        this.server = new Server(threads);
        GatewayMetrics metrics = new GatewayMetrics();

        this.validators = new LinkedHashMap<>();
        for (GatewayConfig.Issuer issuer : config.issuers().values()) {
            AccessTokenValidator validator = AccessTokenValidator.builder(issuer.settings()).build();
            validators.put(issuer.id(), validator);
            metrics.cumulative("latch_gateway_token_cache_hits", "Tokens served from the validated-token cache", validator,
                    v -> v.stats().cacheHits(), "issuer", issuer.id());
            metrics.cumulative("latch_gateway_token_cache_misses", "Tokens validated in full", validator,
                    v -> v.stats().cacheMisses(), "issuer", issuer.id());
        }

        Set<String> asserted = new LinkedHashSet<>(GatewayConfig.IdentityHeaders.DEFAULT.all());
        for (GatewayConfig.Route route : config.routes()) {
            if (route.headers() != null) asserted.addAll(route.headers().all());
        }
        if (config.forwardAuth() != null && config.forwardAuth().headers() != null) {
            asserted.addAll(config.forwardAuth().headers().all());
        }
        if (config.routes().stream().anyMatch(r -> r.sso() != null)) {
            asserted.addAll(SsoRoute.TOKEN_HEADERS);
        }
        asserted.removeIf(h -> h == null || h.isEmpty());

        GatewayHandler.Refusals refusals = (route, reason) -> metrics.refusal(route.path(), reason);
        UpstreamProxy.UpstreamFailureListener failures = (route, status, cause) -> metrics.upstreamError(route.path(), status);
        List<RouteHandler> routeHandlers = new ArrayList<>();
        dev.latch.gateway.websocket.WebSocketRelay webSockets = new dev.latch.gateway.websocket.WebSocketRelay(server);
        this.attachments = new ArrayList<>();
        Map<String, SmartConfiguration> smartConfigurations = new LinkedHashMap<>();
        for (GatewayConfig.Route route : config.routes()) {
            UpstreamProxy proxy = new UpstreamProxy(route, List.copyOf(asserted), failures);
            Protection protection = null;
            TokenAttachment attachment = null;
            SmartRoute smart = null;
            SsoRoute sso = null;
            if (route.mode() == GatewayConfig.Mode.SSO) {
                if (ssoHttp == null) {
                    ssoHttp = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
                }
                sso = new SsoRoute(route, ssoHttp, Clock.systemUTC(), config.tls() != null, reason -> refusals.refused(route, reason));
                ssoRoutes.add(sso);
            }
            if (route.mode().protects()) {
                protection = new Protection(validators.get(route.issuer()), route::rule,
                        route.headers() == null ? GatewayConfig.IdentityHeaders.DEFAULT : route.headers());
                if (route.mode() == GatewayConfig.Mode.SMART) {
                    String issuer = validators.get(route.issuer()).settings().issuer();
                    if (smartHttp == null) {
                        smartHttp = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
                    }
                    HttpClient http = smartHttp;
                    SmartConfiguration discovery = smartConfigurations.computeIfAbsent(route.issuer(), id -> new SmartConfiguration(issuer,
                            http, route.smart().discoveryCache(), Duration.ofSeconds(5), Clock.systemUTC()));
                    smart = new SmartRoute(route, proxy, protection, discovery, reason -> refusals.refused(route, reason));
                }
            } else if (route.mode() == GatewayConfig.Mode.ATTACH) {
                attachment = new TokenAttachment(route, TokenAttachment.tokenSource(route.token()), proxy, threads);
                attachments.add(attachment);
            }
            routeHandlers.add(new RouteHandler(route, proxy, protection, attachment, refusals, webSockets, smart, sso));
        }
        ForwardAuthEndpoint forwardAuth = null;
        String forwardAuthPath = null;
        if (config.forwardAuth() != null) {
            GatewayConfig.ForwardAuth fa = config.forwardAuth();
            forwardAuth = new ForwardAuthEndpoint(new Protection(validators.get(fa.issuer()), fa::rule,
                    fa.headers() == null ? GatewayConfig.IdentityHeaders.DEFAULT : fa.headers()));
            forwardAuthPath = fa.path();
        }

        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        if (!ssoRoutes.isEmpty()) {
            // an sso session may take up to 8 cookies of 3800 characters (SessionCookies): with Jetty's default 8 KiB a request
            // carrying it would be refused with 431, and a response setting it would fail with 500
            http.setRequestHeaderSize(64 * 1024);
            http.setResponseHeaderSize(64 * 1024);
        }
        if (config.tls() != null) {
            http.addCustomizer(new SecureRequestCustomizer(false));
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(TlsKeyStore.fromPem(config.tls().cert(), config.tls().key()));
            ssl.setKeyStorePassword(new String(TlsKeyStore.PASSWORD));
            publicConnector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(http));
        } else {
            publicConnector = new ServerConnector(server, new HttpConnectionFactory(http));
        }
        publicConnector.setHost(config.host());
        publicConnector.setPort(config.port());
        publicConnector.setAcceptQueueSize(1024);
        managementConnector = new ServerConnector(server, new HttpConnectionFactory(new HttpConfiguration()));
        managementConnector.setHost("127.0.0.1");
        managementConnector.setPort(config.managementPort());
        server.addConnector(publicConnector);
        server.addConnector(managementConnector);

        GatewayHandler handler = new GatewayHandler(routeHandlers, new ProtectedResourceMetadata(config.issuers()), forwardAuth,
                forwardAuthPath, new HealthChecks(config.routes(), validators, ssoRoutes), metrics, config.accessLog());
        handler.managementConnector(managementConnector);
        server.setHandler(new GracefulHandler(handler));
        server.setErrorHandler(dev.latch.gateway.http.GatewayResponses.jettyErrors());
        server.setStopTimeout(config.shutdownGrace().toMillis());
        server.setStopAtShutdown(false);
    }

    /** Assembles the gateway for {@code config}; nothing listens until {@link #start()}. */
    public static GatewayServer create(GatewayConfig config) {
        return new GatewayServer(config);
    }

    public void start() throws Exception {
        server.start();
    }

    /** The public port (the real one when 0 was configured). */
    public int port() {
        return publicConnector.getLocalPort();
    }

    public int managementPort() {
        return managementConnector.getLocalPort();
    }

    /** The public base URL on this machine, e.g. {@code http://localhost:8000}. */
    public String url() {
        return (config.tls() != null ? "https" : "http") + "://localhost:" + port();
    }

    /** The sso routes, in file order (for {@code latch gateway --check}). */
    public List<SsoRoute> ssoRoutes() {
        return List.copyOf(ssoRoutes);
    }

    public Map<String, AccessTokenValidator> validators() {
        return validators;
    }

    /** Stops accepting, lets requests in flight finish (up to the shutdown grace), then releases everything. */
    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            // stopping is best effort; what could not stop is released with the process
        }
        for (TokenAttachment a : attachments) a.close();
        if (smartHttp != null) smartHttp.shutdownNow();
        if (ssoHttp != null) ssoHttp.shutdownNow();
        for (AccessTokenValidator v : validators.values()) v.close();
    }
}
