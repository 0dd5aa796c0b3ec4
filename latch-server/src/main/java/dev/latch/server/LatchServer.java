package dev.latch.server;

import com.nimbusds.jose.JWSAlgorithm;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.server.authorize.AuthorizationEndpoint;
import dev.latch.server.authorize.AuthorizationRequestParser;
import dev.latch.server.authorize.LoginThrottle;
import dev.latch.server.client.Client;
import dev.latch.server.code.JdbcAuthorizationCodeStore;
import dev.latch.server.consent.ConsentStore;
import dev.latch.server.cpu.CpuPool;
import dev.latch.server.par.PushedAuthorizationEndpoint;
import dev.latch.server.par.PushedRequestStore;
import dev.latch.server.session.InteractionStore;
import dev.latch.server.session.SessionStore;
import dev.latch.server.smart.SmartConfigurationEndpoint;
import dev.latch.server.ui.Pages;
import dev.latch.server.user.PasswordHasher;
import dev.latch.server.user.PasswordVerifier;
import dev.latch.server.user.UserStore;
import dev.latch.server.client.ClientAuthentication;
import dev.latch.server.client.ClientKeys;
import dev.latch.server.config.ServerConfig;
import dev.latch.server.discovery.MetadataEndpoint;
import dev.latch.server.discovery.ServerEndpoints;
import dev.latch.server.health.HealthEndpoint;
import dev.latch.server.http.ClientAddress;
import dev.latch.server.http.HttpAdapter;
import dev.latch.server.http.Routes;
import dev.latch.server.introspect.IntrospectionEndpoint;
import dev.latch.server.jwks.JwksEndpoint;
import dev.latch.server.metrics.Metrics;
import dev.latch.server.outbound.OutboundFetcher;
import dev.latch.server.registration.RegistrationEndpoint;
import dev.latch.server.replay.JdbcReplayCache;
import dev.latch.server.revoke.RevocationEndpoint;
import dev.latch.server.token.RevokedTokens;
import dev.latch.server.storage.Sql;
import dev.latch.server.token.AccessTokenIssuer;
import dev.latch.server.token.AccessTokenReader;
import dev.latch.server.token.Audiences;
import dev.latch.server.token.ClientCredentialsGrant;
import dev.latch.server.token.OpaqueTokenStore;
import dev.latch.server.token.TokenEndpoint;
import dev.latch.server.claims.ClaimMappings;
import dev.latch.server.code.AuthorizationCodeStore;
import dev.latch.server.code.JdbcAuthorizationCodeStore;
import dev.latch.server.refresh.RefreshTokenStore;
import dev.latch.server.token.AuthorizationCodeGrant;
import dev.latch.server.token.IdTokenIssuer;
import dev.latch.server.token.RefreshTokenGrant;
import dev.latch.server.token.UserTokens;
import dev.latch.server.user.User;
import dev.latch.server.userinfo.UserinfoEndpoint;
import java.io.IOException;
import java.net.ServerSocket;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
    /** {@code Retry-After} of a request refused while the database cannot serve: an outage outlasts a busy moment. */
    static final int DATABASE_RETRY_AFTER_SECONDS = 5;

    private final LatchInstance instance;
    private final ServerConfig config;
    private final ServerEndpoints endpoints;
    private final Metrics metrics = new Metrics();
    /** Token signatures and access-token signature checks, off the request threads (see CpuPool); closed with the server. */
    private final CpuPool crypto;
    private final ClientAuthentication authentication;
    private final TokenEndpoint tokenEndpoint;
    private final MetadataEndpoint metadataEndpoint;
    private final JwksEndpoint jwksEndpoint;
    private final IntrospectionEndpoint introspectionEndpoint;
    private final RevocationEndpoint revocationEndpoint;
    private final RegistrationEndpoint registrationEndpoint;
    private final ScheduledExecutorService maintenance;
    private final dev.latch.server.purge.Janitor janitor;
    private final Sql sql;
    private final OpaqueTokenStore opaqueTokens;
    private final RevokedTokens revokedTokens;
    private final JdbcReplayCache replay;
    private final PushedRequestStore pushedRequests;
    private final AuthorizationRequestParser authorizationRequests;
    private final PushedAuthorizationEndpoint parEndpoint;
    private final SessionStore sessions;
    private final InteractionStore interactions;
    /** Failed sign-ins per account and address, shared by the nodes through the database. */
    private final LoginThrottle loginThrottle;
    /** The people who sign in; every component reads them through this one directory. */
    private final UserDirectory users = new UserDirectory();
    private PasswordHasher passwordHasher;
    /** Runs password checks off the request threads; made at start, closed at stop. */
    private PasswordVerifier passwordVerifier;
    private int passwordThreads = Runtime.getRuntime().availableProcessors();
    private int passwordQueue = passwordThreads * PasswordVerifier.QUEUE_PER_THREAD;
    private AuthorizationEndpoint authorizationEndpoint;
    private dev.latch.server.logout.LogoutEndpoint logoutEndpoint;
    private dev.latch.server.account.AppsPage appsPage;
    private final dev.latch.server.cors.CorsPolicy cors;
    private final OutboundFetcher fetcher;
    private final AuthorizationCodeStore codes;
    private final RefreshTokenStore refreshTokens;
    private final UserinfoEndpoint userinfoEndpoint;
    /** SMART EHR launches (smart.fhir-servers configured) and the reader of access tokens they are made with. */
    private final dev.latch.server.smart.LaunchStore launchStore;
    private final AccessTokenReader accessTokens;
    /** The launch simulator page: served when SMART is configured and people can sign in. */
    private dev.latch.server.smart.LaunchSimulator launchSimulator;
    private HttpAdapter app;
    private HttpAdapter management;

    private LatchServer(LatchInstance instance, CpuPool crypto) {
        this.crypto = crypto;
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
        AccessTokenIssuer issuer = new AccessTokenIssuer(instance.keyRing(), crypto, opaqueTokens, clock, config.issuer(),
                config.tokens().accessTokenLifetime(), defaultAlg, instance.resources()::profileFor);
        this.codes = new JdbcAuthorizationCodeStore(sql);
        this.refreshTokens = instance.refreshTokens();
        ClaimMappings mappings = new ClaimMappings(config.claims());
        Audiences audiences = new Audiences(config.tokens().defaultAudience(), config.smart());
        UserTokens userTokens = new UserTokens(issuer, new IdTokenIssuer(instance.keyRing(), crypto, clock, config.issuer(), config.tokens().idTokenLifetime()),
                refreshTokens, users, mappings, clock, config.tokens().refreshTokenIdleLifetime(), config.tokens().refreshTokenAbsoluteLifetime(),
                audiences::isFhirBase);
        this.sessions = new SessionStore(sql, config.sessions().idleLifetime(), config.sessions().absoluteLifetime());
        this.tokenEndpoint = new TokenEndpoint(authentication, List.of(
                new ClientCredentialsGrant(issuer, audiences),
                new AuthorizationCodeGrant(codes, userTokens, revokedTokens, clock, audiences, config.tokens().maxAccessTokenLifetime()),
                new RefreshTokenGrant(userTokens, clock, audiences, sessions::live)), metrics, refreshTokens::clientOf);
        AccessTokenReader reader = new AccessTokenReader(instance.keyRing(), crypto, opaqueTokens, revokedTokens, clock, config.issuer())
                .requiringActiveClient(authentication::isActive);
        this.accessTokens = reader;
        this.launchStore = new dev.latch.server.smart.LaunchStore(sql);
        this.introspectionEndpoint = new IntrospectionEndpoint(authentication, reader, metrics);
        this.userinfoEndpoint = new UserinfoEndpoint(reader, users, mappings, metrics, audiences::isFhirBase);
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
                (uri, clientId) -> pushedRequests.redeem(uri, clientId, clock.instant().getEpochSecond()), audiences);
        this.parEndpoint = new PushedAuthorizationEndpoint(authentication, authorizationRequests, pushedRequests, clock);
        this.interactions = new InteractionStore(sql);
        this.cors = new dev.latch.server.cors.CorsPolicy(() -> instance.clients().store().list(), clock);
        ConsentStore consentStore = new ConsentStore(sql);
        this.loginThrottle = new LoginThrottle(sql, clock);
        this.janitor = new dev.latch.server.purge.Janitor(
                new dev.latch.server.storage.Lease(sql, "purge", "node-" + dev.latch.server.secret.Secrets.generate(64)),
                config.database().purgeInterval(), clock, metrics, List.of(
                        (now, delete) -> replay.purgeExpired(now - 60, delete),
                        revokedTokens::purgeExpired,
                        opaqueTokens::purgeExpired,
                        sessions::purgeExpired,
                        (now, delete) -> consentStore.purgeEnded(delete),
                        interactions::purgeExpired,
                        pushedRequests::purgeExpired,
                        codes::purgeExpired,
                        refreshTokens::purgeExpired,
                        launchStore::purgeExpired,
                        loginThrottle::purgeExpired));
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
        return create(instance, CpuPool.perCore("latch-crypto", 512));
    }

    /** Builds a server whose token signatures and access-token checks run on {@code crypto}, which the server closes when it stops. */
    public static LatchServer create(LatchInstance instance, CpuPool crypto) {
        return new LatchServer(instance, crypto);
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
                    consents, codes, instance.scopes(), loginThrottle, pages, instance.clock(), endpoints);
            var signedInPages = new dev.latch.server.authorize.SignedInPages(sessions, users, interactions, authorizationEndpoint, pages);
            if (config.smart().enabled()) {
                var fhirPatients = new dev.latch.server.smart.FhirPatients(fetcher, config.smart());
                authorizationEndpoint.smart(launchStore, fhirPatients);
                launchSimulator = new dev.latch.server.smart.LaunchSimulator(launches(), fhirPatients, () -> instance.clients().store().list(),
                        users, signedInPages, pages, instance.clock(), endpoints);
            }
            appsPage = new dev.latch.server.account.AppsPage(consents, refreshTokens, codes, instance.clients()::find, instance.scopes(), signedInPages,
                    pages, instance.clock(), endpoints);
            logoutEndpoint = new dev.latch.server.logout.LogoutEndpoint(sessions, consents, users, instance.keyRing(),
                    instance.clients()::find, pages, instance.clock(), endpoints);
        }
        List<Routes.Source> features = new ArrayList<>(List.of(metadataEndpoint, jwksEndpoint, tokenEndpoint, introspectionEndpoint,
                revocationEndpoint, userinfoEndpoint, registrationEndpoint));
        if (config.smart().enabled()) {
            features.add(new SmartConfigurationEndpoint(endpoints, metadataEndpoint,
                    appsPage == null ? null : endpoints.accountApps()));
        }
        if (authorizationEndpoint != null) {
            features.addAll(List.of(parEndpoint, authorizationEndpoint, logoutEndpoint, appsPage));
        }
        if (config.smart().enabled()) {
            features.add(new dev.latch.server.smart.LaunchEndpoint(accessTokens, launches(), metrics));
            if (launchSimulator != null) features.add(launchSimulator);
        }
        instance.scopes().supported(); // read once now: the metadata goes on from it if the database is ever unreachable
        app = HttpAdapter.startPublic(config.port(), config.tls().enabled() ? tlsKeyStore(config.tls()) : null, base, cors, metrics,
                List.of(new HttpAdapter.Retryable(CpuPool.Busy.class, "the server is busy; try again in a moment", 1),
                        new HttpAdapter.Retryable(dev.latch.server.storage.Sql.Unavailable.class,
                                "the service cannot reach its database right now; try again in a moment", DATABASE_RETRY_AFTER_SECONDS)),
                new Pages(config.branding())::error, clientAddress(config.trustedProxies()), features);
        management = HttpAdapter.startManagement(config.management().host(), config.management().port(),
                List.of(new HealthEndpoint(instance.database()::reachable), metrics));
        long every = janitor.interval().toMillis();
        maintenance.scheduleWithFixedDelay(this::purgeInBackground, every, every, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Runs the expiry purge now, on this node, if it takes the lease (the maintenance thread does this every interval). */
    public dev.latch.server.purge.Janitor.Outcome purgeExpired() {
        return janitor.run();
    }

    /** The expiry purge (tests watch its batches through {@link dev.latch.server.purge.Janitor#observe}). */
    public dev.latch.server.purge.Janitor janitor() {
        return janitor;
    }

    private void purgeInBackground() {
        try {
            janitor.run();
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
    /** The browser sign-in sessions (tests make and end them). */
    public SessionStore sessions() {
        return sessions;
    }

    public AuthorizationCodeStore authorizationCodes() {
        return codes;
    }

    public RefreshTokenStore refreshTokens() {
        return refreshTokens;
    }

    /** Creates SMART EHR launches for this server's clients, users and FHIR servers. */
    public dev.latch.server.smart.Launches launches() {
        return new dev.latch.server.smart.Launches(launchStore, instance.clients()::find, users, config.smart(), instance.clock());
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
        if (app != null) app.close();
        if (management != null) management.close();
        fetcher.close();
        if (passwordVerifier != null) passwordVerifier.close();
        crypto.close();
        instance.close();
    }

    /** Whose {@code X-Forwarded-For} is believed; said at start, since it decides which address sign-in throttling counts. */
    private static ClientAddress clientAddress(List<String> trustedProxies) {
        if (!trustedProxies.isEmpty()) {
            LOG.info("client addresses from X-Forwarded-For when the connection comes from a trusted proxy: {}", String.join(", ", trustedProxies));
        }
        return ClientAddress.trusting(trustedProxies);
    }

    static KeyStore tlsKeyStore(ServerConfig.Tls tls) {
        try {
            return dev.latch.core.jose.TlsKeyStore.fromPem(tls.cert(), tls.key());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--tls-cert/--tls-key: " + e.getMessage(), e);
        }
    }
}
