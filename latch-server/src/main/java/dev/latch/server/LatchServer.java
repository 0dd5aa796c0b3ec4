package dev.latch.server;

import com.nimbusds.jose.JWSAlgorithm;
import dev.latch.core.error.OAuthError;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.server.authorize.AuthorizationEndpoint;
import dev.latch.server.authorize.AuthorizationRequestParser;
import dev.latch.server.authorize.LoginThrottle;
import dev.latch.server.client.Client;
import dev.latch.server.code.JdbcAuthorizationCodeStore;
import dev.latch.server.consent.ConsentStore;
import dev.latch.server.cpu.CpuPool;
import dev.latch.server.http.BrowserResponse;
import dev.latch.server.par.PushedAuthorizationEndpoint;
import dev.latch.server.par.PushedRequestStore;
import dev.latch.server.session.InteractionStore;
import dev.latch.server.session.SessionStore;
import dev.latch.server.ui.Pages;
import dev.latch.server.user.PasswordHasher;
import dev.latch.server.user.PasswordVerifier;
import dev.latch.server.user.UserStore;
import dev.latch.server.client.ClientAuthentication;
import dev.latch.server.client.ClientKeys;
import dev.latch.server.config.ServerConfig;
import dev.latch.server.discovery.MetadataEndpoint;
import dev.latch.server.discovery.ServerEndpoints;
import dev.latch.server.http.ErrorRenderer;
import dev.latch.server.http.FormParameters;
import dev.latch.server.http.Json;
import dev.latch.server.http.Request;
import dev.latch.server.http.Response;
import dev.latch.server.introspect.IntrospectionEndpoint;
import dev.latch.server.jwks.JwksEndpoint;
import dev.latch.server.metrics.Metrics;
import dev.latch.server.outbound.OutboundFetcher;
import dev.latch.server.registration.RegistrationEndpoint;
import dev.latch.server.replay.JdbcReplayCache;
import dev.latch.server.revoke.RevocationEndpoint;
import dev.latch.server.revoke.RevokedTokens;
import dev.latch.server.storage.Sql;
import dev.latch.server.token.AccessTokenIssuer;
import dev.latch.server.token.AccessTokenReader;
import dev.latch.server.token.ClientCredentialsGrant;
import dev.latch.server.token.OpaqueTokenStore;
import dev.latch.server.token.TokenEndpoint;
import dev.latch.server.claims.ClaimMappings;
import dev.latch.server.code.AuthorizationCodeStore;
import dev.latch.server.code.JdbcAuthorizationCodeStore;
import dev.latch.server.refresh.JdbcRefreshTokenStore;
import dev.latch.server.refresh.RefreshTokenStore;
import dev.latch.server.token.AuthorizationCodeGrant;
import dev.latch.server.token.IdTokenIssuer;
import dev.latch.server.token.RefreshTokenGrant;
import dev.latch.server.token.UserTokens;
import dev.latch.server.user.User;
import dev.latch.server.user.UserStore;
import dev.latch.server.userinfo.UserinfoEndpoint;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authorization server: assembles the endpoints over a {@link LatchInstance} and serves them
 * with Javalin (public port) plus a management listener ({@code /healthz}, {@code /metrics}) bound to
 * loopback by default. Handlers only adapt HTTP to the endpoint classes.
 */
public final class LatchServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LatchServer.class);

    private final LatchInstance instance;
    private final ServerConfig config;
    private final ServerEndpoints endpoints;
    private final Metrics metrics = new Metrics();
    /** Token signatures, off the request threads (see CpuPool); closed with the server. */
    private final CpuPool signing;
    private final ClientAuthentication authentication;
    private final TokenEndpoint tokenEndpoint;
    private final MetadataEndpoint metadataEndpoint;
    private final JwksEndpoint jwksEndpoint;
    private final IntrospectionEndpoint introspectionEndpoint;
    private final RevocationEndpoint revocationEndpoint;
    private final RegistrationEndpoint registrationEndpoint;
    private final ScheduledExecutorService maintenance;
    private final Sql sql;
    private final OpaqueTokenStore opaqueTokens;
    private final RevokedTokens revokedTokens;
    private final JdbcReplayCache replay;
    private final PushedRequestStore pushedRequests;
    private final AuthorizationRequestParser authorizationRequests;
    private final PushedAuthorizationEndpoint parEndpoint;
    private final SessionStore sessions;
    private final InteractionStore interactions;
    /** The people who sign in; every component reads them through this one directory. */
    private final UserDirectory users = new UserDirectory();
    private PasswordHasher passwordHasher;
    /** Runs password checks off the request threads; made at start, closed at stop. */
    private PasswordVerifier passwordVerifier;
    private int passwordThreads = Runtime.getRuntime().availableProcessors();
    private int passwordQueue = passwordThreads * PasswordVerifier.QUEUE_PER_THREAD;
    private AuthorizationEndpoint authorizationEndpoint;
    private dev.latch.server.logout.LogoutEndpoint logoutEndpoint;
    private final dev.latch.server.cors.CorsPolicy cors;
    private final OutboundFetcher fetcher;
    private final AuthorizationCodeStore codes;
    private final RefreshTokenStore refreshTokens;
    private final UserinfoEndpoint userinfoEndpoint;
    private Javalin app;
    private Javalin management;

    private LatchServer(LatchInstance instance, CpuPool signing) {
        this.signing = signing;
        // people sign in against the instance's users unless a test gives others (see users(...))
        this.users.current = instance.users().store();
        this.passwordHasher = instance.users().hasher();
        this.instance = instance;
        this.config = instance.config();
        this.endpoints = new ServerEndpoints(config.issuer());
        this.sql = instance.database().sql();
        var clock = instance.clock();
        JWSAlgorithm defaultAlg = JwsAlgorithms.asymmetric(config.tokens().signingAlg());
        instance.keyRing().ensureAlgorithm(JWSAlgorithm.RS256);
        instance.keyRing().ensureAlgorithm(defaultAlg);
        ConfiguredState.apply(instance);

        this.fetcher = new OutboundFetcher(config.outbound().allow(), config.outbound().timeout(), config.outbound().maxBytes());
        this.replay = new JdbcReplayCache(sql);
        this.authentication = new ClientAuthentication(instance.clients(), new ClientKeys(fetcher, clock), replay, clock,
                config.issuer(), Set.of(endpoints.token(), endpoints.par()), Duration.ofSeconds(2));
        this.opaqueTokens = new OpaqueTokenStore(sql);
        this.revokedTokens = new RevokedTokens(sql);
        AccessTokenIssuer issuer = new AccessTokenIssuer(instance.keyRing(), signing, opaqueTokens, clock, config.issuer(),
                config.tokens().accessTokenLifetime(), defaultAlg);
        this.codes = new JdbcAuthorizationCodeStore(sql);
        this.refreshTokens = new JdbcRefreshTokenStore(sql);
        ClaimMappings mappings = new ClaimMappings(config.claims());
        UserTokens userTokens = new UserTokens(issuer, new IdTokenIssuer(instance.keyRing(), signing, clock, config.issuer(), config.tokens().idTokenLifetime()),
                refreshTokens, users, mappings, clock, config.tokens().refreshTokenIdleLifetime(), config.tokens().refreshTokenAbsoluteLifetime());
        String defaultAudience = config.tokens().defaultAudience();
        this.tokenEndpoint = new TokenEndpoint(authentication, List.of(
                new ClientCredentialsGrant(issuer, defaultAudience),
                new AuthorizationCodeGrant(codes, userTokens, revokedTokens, clock, defaultAudience, config.tokens().maxAccessTokenLifetime()),
                new RefreshTokenGrant(userTokens, clock, defaultAudience)), metrics);
        AccessTokenReader reader = new AccessTokenReader(instance.keyRing(), opaqueTokens, revokedTokens, clock, config.issuer())
                .requiringActiveClient(authentication::isActive);
        this.introspectionEndpoint = new IntrospectionEndpoint(authentication, reader, metrics);
        this.userinfoEndpoint = new UserinfoEndpoint(reader, users, mappings, metrics);
        this.revocationEndpoint = new RevocationEndpoint(authentication, reader, metrics, refreshTokens, clock);
        this.registrationEndpoint = new RegistrationEndpoint(instance.clients(), instance.scopes(), config.registration(),
                endpoints, metrics, authentication::forget);
        // RFC 8414 lists only grants that work end to end: the code grants only while people can sign in
        List<String> allGrants = tokenEndpoint.grantTypes();
        List<String> machineGrants = allGrants.stream().filter(g -> !g.equals("authorization_code") && !g.equals("refresh_token")).toList();
        this.metadataEndpoint = new MetadataEndpoint(endpoints, () -> authorizationEndpoint != null ? allGrants : machineGrants,
                instance.scopes(), registrationEndpoint::open, () -> authorizationEndpoint != null);
        this.jwksEndpoint = new JwksEndpoint(instance.keyRing());
        this.pushedRequests = new PushedRequestStore(sql);
        this.authorizationRequests = new AuthorizationRequestParser(instance.clients()::find,
                (uri, clientId) -> pushedRequests.redeem(uri, clientId, clock.instant().getEpochSecond()));
        this.parEndpoint = new PushedAuthorizationEndpoint(authentication, authorizationRequests, pushedRequests, clock);
        this.sessions = new SessionStore(sql, config.sessions().idleLifetime(), config.sessions().absoluteLifetime());
        this.interactions = new InteractionStore(sql);
        this.cors = new dev.latch.server.cors.CorsPolicy(() -> instance.clients().store().list(), clock);
        this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "latch-maintenance");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Builds a server over an opened instance (not yet listening). Tokens are signed on a pool of one
     * thread per core with 512 waiting per thread (≈ 0.1 s of RS256 on ACCP).
     */
    public static LatchServer create(LatchInstance instance) {
        return create(instance, CpuPool.perCore("latch-sign", 512));
    }

    /** Builds a server whose tokens are signed on {@code signing}, which the server closes when it stops. */
    public static LatchServer create(LatchInstance instance, CpuPool signing) {
        return new LatchServer(instance, signing);
    }

    /**
     * Where people who sign in are found and how their passwords are checked; call before {@link #start()}.
     * Without a hasher the authorization endpoint is not served (nobody could sign in).
     */
    public LatchServer users(UserStore users, PasswordHasher hasher) {
        this.users.current = users;
        this.passwordHasher = hasher;
        return this;
    }

    /**
     * Sizes the pool that checks passwords (default: one thread per core, {@value PasswordVerifier#QUEUE_PER_THREAD}
     * waiting per thread); call before {@link #start()}.
     */
    public LatchServer passwordVerification(int threads, int queue) {
        this.passwordThreads = threads;
        this.passwordQueue = queue;
        return this;
    }

    /** Builds a server whose people are those of {@code users} (tokens and userinfo; no sign-in without a hasher). */
    public static LatchServer create(LatchInstance instance, UserStore users) {
        LatchServer server = create(instance);
        server.users.current = users;
        return server;
    }

    /** The user store in force; a server given none knows nobody. */
    private static final class UserDirectory implements UserStore {
        private volatile UserStore current;

        @Override public java.util.Optional<User> findByUsername(String username) {
            return current == null ? java.util.Optional.empty() : current.findByUsername(username);
        }
        @Override public java.util.Optional<User> findBySubject(String subject) {
            return current == null ? java.util.Optional.empty() : current.findBySubject(subject);
        }
        @Override public List<User> list() { return current == null ? List.of() : current.list(); }
        @Override public boolean insert(User user) {
            if (current == null) throw new UnsupportedOperationException("no user store");
            return current.insert(user);
        }
        @Override public boolean update(User user) { return current != null && current.update(user); }
        @Override public boolean delete(String subject) { return current != null && current.delete(subject); }
    }

    /** A free TCP port on loopback, for {@code --port 0}. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }

    public LatchServer start() {
        String base = endpoints.basePath();
        if (users.current != null && passwordHasher != null) {
            ConsentStore consents = new ConsentStore(sql);
            Pages pages = new Pages(config.branding());
            passwordVerifier = new PasswordVerifier(passwordHasher, passwordThreads, passwordQueue);
            authorizationEndpoint = new AuthorizationEndpoint(authorizationRequests, users, passwordVerifier, sessions, interactions,
                    consents, codes, instance.scopes(), new LoginThrottle(instance.clock()), pages, instance.clock(), endpoints);
            logoutEndpoint = new dev.latch.server.logout.LogoutEndpoint(sessions, consents, users, instance.keyRing(),
                    instance.clients()::find, pages, instance.clock(), endpoints);
        }
        app = Javalin.create(c -> {
            c.concurrency.useVirtualThreads = true;
            c.startup.showJavalinBanner = false;
            c.http.maxRequestSize = FormParameters.MAX_BODY + 1;
            // Token, registration and introspection responses hold secrets next to values the client
            // chose: compressing them over TLS invites BREACH-style guessing. The bodies are small anyway.
            c.http.compressionStrategy = CompressionStrategy.NONE;
            c.jetty.port = config.port();
            if (config.tls().enabled()) {
                TlsConnector.configure(c, config.tls(), config.port());
            }
            c.routes.before(ctx -> ctx.attribute("latch.t0", System.nanoTime()));
            // CORS for the endpoints a single-page app calls (issue 3); preflights are answered below
            Set<String> corsPaths = Set.of(endpoints.metadataPath(), endpoints.openidConfigurationPath(), base + "/jwks", base + "/token",
                    base + "/userinfo", base + "/revoke");
            c.routes.before(ctx -> {
                if (ctx.method() != HandlerType.OPTIONS && corsPaths.contains(ctx.path())) {
                    cors.headers(ctx.header("Origin")).forEach(ctx::header);
                }
            });
            for (String path : corsPaths) {
                c.routes.addEndpoint(new io.javalin.router.Endpoint(HandlerType.OPTIONS, path,
                        ctx -> write(ctx, cors.preflight(ctx.header("Origin"), ctx.header("Access-Control-Request-Method")))));
            }
            c.routes.after(ctx -> {
                Long t0 = ctx.attribute("latch.t0");
                if (t0 != null) {
                    // ctx.endpoint() here is this after-handler ("*"); the route is the HTTP endpoint that ran
                    io.javalin.router.Endpoint matched = ctx.endpoints().lastHttpEndpoint();
                    String route = matched == null ? "unmatched" : matched.path;
                    metrics.request(route, ctx.method().name(), ctx.statusCode(), System.nanoTime() - t0);
                }
            });
            c.routes.exception(io.javalin.http.HttpResponseException.class, (e, ctx) -> write(ctx, e.getStatus() >= 500
                    ? ErrorRenderer.unexpected(e)
                    : ErrorRenderer.json(OAuthError.of("invalid_request", e.getStatus(), "the request cannot be served"))));
            c.routes.exception(CpuPool.Busy.class, (e, ctx) -> write(ctx, ErrorRenderer.json(OAuthError.of("temporarily_unavailable", 503,
                    "the server is busy; try again in a moment")).withHeader("Retry-After", "1")));
            c.routes.exception(Exception.class, (e, ctx) -> write(ctx, ErrorRenderer.unexpected(e)));
            c.routes.get(endpoints.metadataPath(), ctx -> write(ctx, metadataEndpoint.handle()));
            c.routes.get(base + "/jwks", ctx -> write(ctx, jwksEndpoint.handle(request(ctx))));
            for (HandlerType method : List.of(HandlerType.POST, HandlerType.GET, HandlerType.PUT, HandlerType.DELETE)) {
                c.routes.addEndpoint(new io.javalin.router.Endpoint(method, base + "/token", ctx -> write(ctx, tokenEndpoint.handle(request(ctx)))));
                c.routes.addEndpoint(new io.javalin.router.Endpoint(method, base + "/introspect", ctx -> write(ctx, introspectionEndpoint.handle(request(ctx)))));
                c.routes.addEndpoint(new io.javalin.router.Endpoint(method, base + "/revoke", ctx -> write(ctx, revocationEndpoint.handle(request(ctx)))));
            }
            if (authorizationEndpoint != null) {
                c.routes.get(endpoints.openidConfigurationPath(), ctx -> write(ctx, metadataEndpoint.handleOpenidConfiguration()));
                c.routes.post(base + "/par", ctx -> write(ctx, parEndpoint.handle(request(ctx))));
                c.routes.get(base + "/authorize", ctx -> write(ctx, authorizationEndpoint.authorize(request(ctx))));
                c.routes.post(base + "/authorize", ctx -> write(ctx, authorizationEndpoint.authorize(request(ctx))));
                c.routes.post(base + "/authorize/login", ctx -> write(ctx, authorizationEndpoint.login(request(ctx))));
                c.routes.post(base + "/authorize/consent", ctx -> write(ctx, authorizationEndpoint.consent(request(ctx))));
                c.routes.get(base + "/logout", ctx -> write(ctx, logoutEndpoint.handle(request(ctx))));
                c.routes.post(base + "/logout", ctx -> write(ctx, logoutEndpoint.handle(request(ctx))));
            }
            c.routes.get(base + "/userinfo", ctx -> write(ctx, userinfoEndpoint.handle(request(ctx))));
            c.routes.post(base + "/userinfo", ctx -> write(ctx, userinfoEndpoint.handle(request(ctx))));
            if (registrationEndpoint.open()) {
                c.routes.post(base + "/register", ctx -> write(ctx, registrationEndpoint.register(request(ctx))));
                for (HandlerType method : List.of(HandlerType.GET, HandlerType.PUT, HandlerType.DELETE)) {
                    c.routes.addEndpoint(new io.javalin.router.Endpoint(method, base + "/register/{client_id}",
                            ctx -> write(ctx, registrationEndpoint.configure(request(ctx), ctx.pathParam("client_id")))));
                }
            }
        });
        app.start(config.port());
        management = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.routes.get("/healthz", ctx -> {
                boolean db = instance.database().reachable();
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("status", db ? "ok" : "unavailable");
                body.put("database", db ? "reachable" : "unreachable");
                ctx.status(db ? 200 : 503).contentType("application/json").result(Json.write(body));
            });
            c.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
        }).start(config.management().host(), config.management().port());
        maintenance.scheduleWithFixedDelay(this::purgeExpired, 1, 60, TimeUnit.SECONDS);
        return this;
    }

    private void purgeExpired() {
        try {
            long now = instance.clock().instant().getEpochSecond();
            replay.purgeExpired(now - 60);
            revokedTokens.purgeExpired(now);
            opaqueTokens.purgeExpired(now);
            sessions.purgeExpired(now);
            new ConsentStore(sql).purgeEnded();
            interactions.purgeExpired(now);
            pushedRequests.purgeExpired(now);
            codes.purgeExpired(now);
            refreshTokens.purgeExpired(now);
        } catch (RuntimeException e) {
            LOG.warn("purging expired rows failed: {}", e.getMessage());
        }
    }

    public String issuer() {
        return config.issuer();
    }

    public int port() {
        return app.port();
    }

    public int managementPort() {
        return management.port();
    }

    /** The authorization codes, which the authorization endpoint issues and the token endpoint redeems. */
    public AuthorizationCodeStore authorizationCodes() {
        return codes;
    }

    public RefreshTokenStore refreshTokens() {
        return refreshTokens;
    }

    public Metrics metrics() {
        return metrics;
    }

    public LatchInstance instance() {
        return instance;
    }

    @Override
    public void close() {
        maintenance.shutdownNow();
        if (app != null) app.stop();
        if (management != null) management.stop();
        fetcher.close();
        if (passwordVerifier != null) passwordVerifier.close();
        signing.close();
        instance.close();
    }

    /** How much of an oversized body is read and dropped so that the error answer reaches the client. */
    private static final long DRAIN_LIMIT = 4L * 1024 * 1024;

    static Request request(Context ctx) throws IOException {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : Collections.list(ctx.req().getHeaderNames())) {
            headers.put(name.toLowerCase(Locale.ROOT), Collections.list(ctx.req().getHeaders(name)));
        }
        Map<String, List<String>> query = new LinkedHashMap<>(ctx.queryParamMap());
        byte[] body;
        int declared = ctx.req().getContentLength();
        try (InputStream in = ctx.req().getInputStream()) {
            // Sized by Content-Length when it is given: readNBytes(64 KiB) would allocate a 16 KiB buffer per request.
            body = declared >= 0 && declared <= FormParameters.MAX_BODY ? in.readNBytes(declared) : in.readNBytes(FormParameters.MAX_BODY + 1);
            if (body.length > FormParameters.MAX_BODY) {
                // Read (and drop) a moderately oversized rest before answering: closing a socket with unread
                // data makes TCP reset it, and the client would lose the 400 it is owed. Past the bound, close.
                long dropped = 0;
                byte[] sink = new byte[8192];
                int n;
                while (dropped < DRAIN_LIMIT && (n = in.read(sink, 0, (int) Math.min(sink.length, DRAIN_LIMIT - dropped))) > 0) {
                    dropped += n;
                }
            }
        } catch (IOException | RuntimeException e) {
            body = new byte[FormParameters.MAX_BODY + 1];
        }
        if (body.length > FormParameters.MAX_BODY) {
            // The rest of the body stays unread, so the connection cannot carry another request: say so,
            // or a client reusing it sends its next request into a closing socket.
            ctx.header("Connection", "close");
        }
        return new Request(ctx.method().name(), ctx.path(), headers, query, body, ctx.ip());
    }

    /** Copies a browser response out: its cookies, one {@code Set-Cookie} header each, then the response. */
    static void write(Context ctx, BrowserResponse response) {
        for (String cookie : response.cookies()) {
            ctx.res().addHeader("Set-Cookie", cookie);
        }
        write(ctx, response.response());
    }

    /**
     * Copies an endpoint's response out. The body goes straight to the servlet stream with its length:
     * Javalin's {@code ctx.result(byte[])} would copy it through a new 32 KiB buffer per response, a
     * third of the token endpoint's garbage. Compression is off on this listener (see {@link #start()}),
     * so bypassing Javalin's compressing stream changes nothing else.
     */
    static void write(Context ctx, Response response) {
        ctx.status(response.status());
        response.headers().forEach(ctx::header);
        byte[] body = response.body();
        if (body.length == 0) {
            return;
        }
        if (!response.headers().containsKey("Content-Type")) {
            ctx.contentType("application/json");
        }
        ctx.res().setContentLength(body.length);
        try {
            ctx.res().getOutputStream().write(body);
        } catch (IOException e) {
            throw new UncheckedIOException("writing the response failed", e);
        }
    }
}
