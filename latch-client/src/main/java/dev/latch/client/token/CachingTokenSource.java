package dev.latch.client.token;

import dev.latch.client.auth.ClientAuthentication;
import dev.latch.client.discovery.Discovery;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * A {@link TokenSource} that keeps one token per (token endpoint, client, request) — the request
 * being the scope (as a set), {@code resource} and {@code audience} values — and gets a new one only
 * when needed.
 *
 * <h2>When a token is renewed</h2>
 * For a token of lifetime {@code L} expiring at {@code E} (from {@code expires_in}, counted from
 * before the request was sent; if absent, the {@code exp} of a JWT access token, else the default
 * lifetime of 5 minutes):
 * <ul>
 *   <li>{@code deadline = E − min(skew, L/2)}: after it the token is never returned ({@code skew}
 *       10 s by default, for resource servers whose clock runs ahead and for the time the request takes);</li>
 *   <li>{@code refreshAt = deadline − min(refreshMargin, L/10)} ({@code refreshMargin} 60 s by default):
 *       from then on callers still get the cached token while one background refresh runs; a refresh is
 *       also scheduled for that instant, so a busy caller never waits for one.</li>
 * </ul>
 * So a one-hour token is renewed 70 s before it expires, a five-minute token 40 s before.
 *
 * <h2>Concurrency</h2>
 * Lookups of a fresh token take no lock. However many threads ask at once, one request is made
 * (single flight); the others wait for it.
 *
 * <h2>Failures</h2>
 * 5xx, 429 and network failures ({@link TokenEndpointUnavailableException}) are retried with
 * exponential back-off (base 500 ms, doubled per attempt, capped at {@code maxBackoff} 30 s) with
 * "equal jitter" (half fixed, half random), never sooner than the server's {@code Retry-After};
 * a caller waits for at most {@code maxAttempts} (4) attempts, and a {@code Retry-After} longer than
 * {@code maxBackoff} is not slept through but thrown at once. Until then no request is made before
 * that time. RFC errors ({@link TokenErrorException}) are not retried. A failed background refresh
 * leaves the cached token in use until its deadline; past it, the caller gets the exception.
 *
 * <h2>Refresh tokens</h2>
 * When a refresh token is held (from a response or given to the builder) it is used first, and a
 * rotated one replaces it. If the server answers {@code invalid_grant}, the refresh token is dropped;
 * the source falls back to its own grant (client credentials, JWT bearer, …) when it has one, else
 * throws {@link ReauthenticationRequiredException} at once, never retried.
 */
public final class CachingTokenSource implements TokenSource, AutoCloseable {

    /** Waits between attempts; tests give one that moves their clock instead. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /** Runs a task after a delay (background refreshes); tests give one they run by hand. */
    @FunctionalInterface
    public interface Scheduler {
        Future<?> schedule(Runnable task, Duration delay);
    }

    static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);

    private final Renewal renewal;
    private final ScheduledExecutorService ownExecutor;
    private final URI issuer;
    private final URI tokenEndpointUrl;
    private final String clientId;
    private final TokenSlot defaultSlot;
    private final Map<Object, TokenSlot> slots = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private CachingTokenSource(Builder b) {
        this.clientId = b.clientId != null ? b.clientId : b.authentication == null ? null : b.authentication.clientId();
        TokenClient client = b.client != null ? b.client : TokenClient.builder().clock(b.clock).scopeSeparator(b.scopeSeparator).build();
        this.issuer = b.issuer;
        this.tokenEndpointUrl = b.tokenEndpoint;
        Scheduler scheduler;
        if (b.scheduler != null) {
            scheduler = b.scheduler;
            this.ownExecutor = null;
        } else {
            ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "latch-token-refresh");
                t.setDaemon(true);
                return t;
            });
            this.ownExecutor = executor;
            scheduler = (task, delay) -> executor.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
        }
        RenewalPolicy policy = new RenewalPolicy(b.skew, b.refreshMargin, b.defaultLifetime, b.baseBackoff, b.maxBackoff,
                b.maxAttempts, b.random);
        TokenFetcher fetcher = new TokenFetcher(client, b.authentication, b.issuer, b.tokenEndpoint, b.discovery);
        this.renewal = new Renewal(b.clock, b.sleeper, scheduler, policy, fetcher, b.proactive, () -> closed);
        this.defaultSlot = new TokenSlot(renewal, b.request, b.refreshToken);
        if (b.initialToken != null) {
            defaultSlot.store(b.initialToken, b.clock.instant());
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A current token for the request the source was built with. */
    @Override
    public AccessToken token() {
        return defaultSlot.get();
    }

    /**
     * A current token for another request by the same client (another scope, resource or audience),
     * cached separately under its own key.
     */
    public AccessToken token(TokenRequest request) {
        return slots.computeIfAbsent(keyOf(request), k -> new TokenSlot(renewal, request, null)).get();
    }

    /** Forgets {@code token} if it is a cached one (a resource server said {@code invalid_token}); the refresh token is kept. */
    @Override
    public void invalidate(AccessToken token) {
        if (token == null) {
            return;
        }
        defaultSlot.invalidate(token);
        slots.values().forEach(s -> s.invalidate(token));
    }

    /** The refresh token currently held for the default request, or null. */
    public String refreshToken() {
        return defaultSlot.refreshToken();
    }

    /** Stops background refreshes. */
    @Override
    public void close() {
        closed = true;
        defaultSlot.cancelScheduled();
        slots.values().forEach(TokenSlot::cancelScheduled);
        if (ownExecutor != null) {
            ownExecutor.shutdownNow();
        }
    }

    private static Object keyOf(TokenRequest request) {
        if (request instanceof TokenRequest.ClientCredentials cc) {
            return List.of("client_credentials", new TreeSet<>(cc.effectiveScopes()), new TreeSet<>(cc.resources()), new TreeSet<>(cc.audiences()));
        }
        return request;
    }

    /** The back-off before attempt {@code failures + 1} (see {@link RenewalPolicy#backoff}). */
    Duration backoff(int failures, Duration retryAfter) {
        return renewal.policy().backoff(failures, retryAfter);
    }

    @Override
    public String toString() {
        return "CachingTokenSource[client=" + clientId + ", endpoint=" + (tokenEndpointUrl != null ? tokenEndpointUrl : issuer) + "]";
    }

    public static final class Builder {
        private URI issuer;
        private URI tokenEndpoint;
        private String clientId;
        private ClientAuthentication authentication;
        private final List<String> scopes = new ArrayList<>();
        private final List<String> resources = new ArrayList<>();
        private final List<String> audiences = new ArrayList<>();
        private boolean openid;
        private TokenRequest request;
        private String refreshToken;
        private AccessToken initialToken;
        private TokenClient client;
        private Discovery discovery;
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = Thread::sleep;
        private Scheduler scheduler;
        private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
        private Duration refreshMargin = Duration.ofSeconds(60);
        private Duration skew = Duration.ofSeconds(10);
        private Duration defaultLifetime = DEFAULT_LIFETIME;
        private Duration baseBackoff = Duration.ofMillis(500);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private int maxAttempts = 4;
        private boolean proactive = true;
        private String scopeSeparator = " ";

        /** The issuer: the token endpoint is discovered (on first use) unless given, and assertions may name it as audience. */
        public Builder issuer(URI issuer) {
            this.issuer = issuer;
            return this;
        }

        /** The token endpoint, when it is known without discovery. */
        public Builder tokenEndpoint(URI tokenEndpoint) {
            this.tokenEndpoint = tokenEndpoint;
            return this;
        }

        /** The client id; must match the authentication's when both are given. */
        public Builder clientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        public Builder authentication(ClientAuthentication authentication) {
            this.authentication = authentication;
            return this;
        }

        public Builder scope(String... values) {
            scopes.addAll(List.of(values));
            return this;
        }

        /** An RFC 8707 {@code resource} parameter. */
        public Builder resource(String resource) {
            resources.add(resource);
            return this;
        }

        /** An {@code audience} parameter (providers that take it instead of {@code resource}). */
        public Builder audience(String audience) {
            audiences.add(audience);
            return this;
        }

        /** Sends {@code openid} among the client-credentials scopes (a provider quirk). */
        public Builder openidScope(boolean on) {
            this.openid = on;
            return this;
        }

        /** A grant other than client credentials (JWT bearer, token exchange); replaces scope/resource/audience. */
        public Builder request(TokenRequest request) {
            this.request = request;
            return this;
        }

        /** A refresh token to start from (e.g. from an authorization code exchange). */
        public Builder refreshToken(String refreshToken) {
            this.refreshToken = refreshToken;
            return this;
        }

        /** A token already obtained (e.g. by the authorization code exchange), served until it is due for renewal. */
        public Builder initialToken(AccessToken token) {
            this.initialToken = token;
            return this;
        }

        /** Only grant with a refresh token (no client-credentials fallback): for tokens a user authorized. */
        public Builder refreshOnly() {
            this.request = null;
            this.scopes.clear();
            this.resources.clear();
            this.audiences.clear();
            this.refreshOnly = true;
            return this;
        }

        private boolean refreshOnly;

        public Builder tokenClient(TokenClient client) {
            this.client = client;
            return this;
        }

        public Builder discovery(Discovery discovery) {
            this.discovery = discovery;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper);
            return this;
        }

        /** Where background refreshes run; by default one daemon thread of the source's own. */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        /** Uniform in [0, 1) for the back-off jitter. */
        public Builder random(DoubleSupplier random) {
            this.random = Objects.requireNonNull(random);
            return this;
        }

        /** The most a token is renewed before its deadline (60 s); at most 10 % of its lifetime. */
        public Builder refreshMargin(Duration margin) {
            this.refreshMargin = requirePositive(margin, "refresh margin");
            return this;
        }

        /** How long before its expiry a token is no longer handed out (10 s), at most half its lifetime. */
        public Builder clockSkew(Duration skew) {
            this.skew = requirePositive(skew, "clock skew");
            return this;
        }

        /** The lifetime assumed when the server gives no {@code expires_in} and the token is no JWT (5 min). */
        public Builder defaultLifetime(Duration lifetime) {
            this.defaultLifetime = requirePositive(lifetime, "default lifetime");
            return this;
        }

        public Builder backoff(Duration base, Duration max) {
            this.baseBackoff = requirePositive(base, "back-off base");
            this.maxBackoff = requirePositive(max, "back-off maximum");
            return this;
        }

        /** Attempts a waiting caller makes on 5xx/429/network failures (4). */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1) {
                throw new IllegalArgumentException("at least one attempt");
            }
            this.maxAttempts = attempts;
            return this;
        }

        /** Refresh in the background at {@code refreshAt} (on by default). */
        public Builder proactiveRefresh(boolean on) {
            this.proactive = on;
            return this;
        }

        /** Scope separator of the default token client (space; a comma for providers that need one). */
        public Builder scopeSeparator(String separator) {
            this.scopeSeparator = separator;
            return this;
        }

        public CachingTokenSource build() {
            if (tokenEndpoint == null && issuer == null) {
                throw new IllegalArgumentException("an issuer or a token endpoint is required");
            }
            if (tokenEndpoint == null && discovery == null) {
                discovery = Discovery.create();
            }
            if (authentication != null && clientId != null && !clientId.equals(authentication.clientId())) {
                throw new IllegalArgumentException("client id " + clientId + " differs from the authentication's " + authentication.clientId());
            }
            if (request == null && !refreshOnly) {
                if (authentication == null) {
                    throw new IllegalArgumentException("client credentials need the client's authentication");
                }
                TokenRequest.ClientCredentials cc = TokenRequest.clientCredentials(scopes.toArray(String[]::new));
                for (String r : resources) cc = cc.withResource(r);
                for (String a : audiences) cc = cc.withAudience(a);
                if (openid) cc = cc.withOpenid();
                request = cc;
            }
            if (refreshOnly && refreshToken == null && (initialToken == null || initialToken.refreshToken() == null)) {
                throw new IllegalArgumentException("a refresh-only source needs a refresh token");
            }
            return new CachingTokenSource(this);
        }

        private static Duration requirePositive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive");
            }
            return d;
        }
    }
}
