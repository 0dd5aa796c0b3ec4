package dev.latch.resource;

import com.nimbusds.jose.Header;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.Base64URL;
import dev.latch.client.OAuthClientException;
import dev.latch.client.discovery.Discovery;
import dev.latch.client.discovery.ProviderMetadata;
import dev.latch.client.jwks.JwksUnavailableException;
import dev.latch.client.jwks.RemoteJwks;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.resource.TokenRejectedException.Reason;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates bearer access tokens from one issuer: JWTs locally against the issuer's JWKS (RFC 9068 §4,
 * RFC 8725), opaque tokens by RFC 7662 introspection. Thread-safe; meant to be shared.
 *
 * <p>A JWT is checked in a fixed order, so that nothing about an unsigned or forged token is reported in
 * detail: structure; {@code alg} on the issuer's allow-list and asymmetric (never {@code none} or HMAC: RFC
 * 8725 §3.1–3.2); {@code typ} (RFC 9068 §4 step 2, RFC 8725 §3.11); a key of the issuer's JWKS chosen by
 * {@code kid}, type, curve and {@code alg} (header {@code jwk}, {@code jku}, {@code x5u}, {@code x5c} are never
 * used); the signature; then {@code iss} exactly, {@code aud}, {@code exp}/{@code nbf}/{@code iat} with the clock
 * skew. Accepted tokens are remembered by their SHA-256 until {@code exp}, so a repeated token costs a digest
 * and a map lookup.
 *
 * <p>{@link Builder#build()} does no network I/O: metadata (RFC 8414 / OIDC discovery) and keys are fetched
 * when first needed, so a gateway starts while its issuer is down and answers 503
 * ({@link Reason#ISSUER_UNAVAILABLE}) until it is back, without being rebuilt.
 */
public final class AccessTokenValidator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AccessTokenValidator.class);

    /** After a failed discovery or JWKS fetch, requests fail at once for this long instead of each waiting on the issuer. */
    static final Duration FAILURE_BACKOFF = Duration.ofSeconds(5);

    /** Reachability of the issuer as last seen. {@code problem} is null when reachable; {@code checkedAt} null before any look. */
    public record Health(boolean reachable, Instant checkedAt, String problem) {}

    /** Counters since the validator was built. */
    public record Stats(long cacheHits, long cacheMisses, long signatureVerifications, long jwksFetches, long introspections) {}

    private final IssuerSettings settings;
    private final URI issuerUri;
    private final Clock clock;
    private final HttpClient http;
    private final boolean ownHttp;
    private final Discovery discovery;
    private final Duration outboundTimeout;
    private final Set<JWSAlgorithm> algorithms;
    private final AccessTokenClaims claims;
    private final ValidatedTokens validated;
    private final TokenIntrospection introspection;
    private final boolean fixedMetadata;
    private final boolean fixedJwks;

    private final Object discoveryLock = new Object();
    private volatile ProviderMetadata metadata;
    private volatile RemoteJwks jwks;
    // guarded by discoveryLock
    private Instant discoveryFailedAt = Instant.MIN;
    private String discoveryProblem;

    private volatile Health health;
    private final LongAdder cacheHits = new LongAdder();
    private final LongAdder cacheMisses = new LongAdder();
    private final LongAdder signatureVerifications = new LongAdder();
    private final AtomicLong introspections = new AtomicLong();
    private final AtomicLong retiredJwksFetches = new AtomicLong(); // of key sets replaced after a jwks_uri moved

    private AccessTokenValidator(Builder b, Set<JWSAlgorithm> algorithms, URI issuerUri) {
        this.settings = b.settings;
        this.issuerUri = issuerUri;
        this.clock = b.clock;
        this.ownHttp = b.http == null;
        this.outboundTimeout = b.outboundTimeout;
        this.http = b.http != null ? b.http
                : HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
        this.discovery = b.discovery != null ? b.discovery : new Discovery(http, clock, Duration.ofHours(1), outboundTimeout);
        this.algorithms = algorithms;
        this.claims = new AccessTokenClaims(settings, clock);
        this.validated = new ValidatedTokens(b.cacheSize, clock);
        this.introspection = settings.introspection() == null ? null
                : new TokenIntrospection(http, settings.introspection(), issuerUri, outboundTimeout);
        this.metadata = b.metadata;
        this.fixedMetadata = b.metadata != null;
        this.jwks = b.jwks == null ? null : RemoteJwks.fixed(b.jwks);
        this.fixedJwks = b.jwks != null;
        // with everything given there is nothing to reach; otherwise nothing is known until the first look
        this.health = fixedMetadata && fixedJwks && introspection == null ? new Health(true, clock.instant(), null)
                : new Health(false, null, "not checked yet");
    }

    /** A builder for tokens from {@code settings.issuer()}. */
    public static Builder builder(IssuerSettings settings) {
        return new Builder(settings);
    }

    public IssuerSettings settings() {
        return settings;
    }

    /**
     * Parses an {@code Authorization} header value (RFC 6750 §2.1) and validates its token.
     *
     * @param authorizationHeader the header value; null or blank when there was none
     * @throws TokenRejectedException {@link Reason#MISSING} for no header; {@link Reason#MALFORMED} when the scheme
     *                                is not Bearer (case-insensitive) or the value is not a b64token; else as {@link #validate}
     */
    public TokenPrincipal authenticate(String authorizationHeader) {
        if (authorizationHeader == null || authorizationHeader.isBlank()) {
            throw new TokenRejectedException(Reason.MISSING, "a bearer token is required");
        }
        String token = bearerToken(authorizationHeader);
        if (token == null) {
            throw new TokenRejectedException(Reason.MALFORMED, "the Authorization header is not Bearer followed by a token",
                    "scheme or token syntax not RFC 6750 §2.1", null);
        }
        return validateWellFormed(token);
    }

    /**
     * A request as RFC 6750 lets a resource server take it: the token from the {@code Authorization} header only
     * (§2.1; a token in the URI query, §2.3, is refused, and the form-body method of §2.2 is never read), validated,
     * then {@code rule} checked.
     *
     * @param rawQuery the raw query of the request being decided, or null
     * @throws TokenRejectedException why the request may not pass
     */
    public TokenPrincipal admit(String authorizationHeader, String rawQuery, AccessRule rule) {
        if (hasQueryToken(rawQuery)) {
            throw new TokenRejectedException(Reason.MALFORMED,
                    "access tokens in the query string are not accepted; send them in the Authorization header",
                    "access_token query parameter (RFC 6750 §2.3 not supported)", null);
        }
        TokenPrincipal principal = authenticate(authorizationHeader);
        rule.check(principal);
        return principal;
    }

    /** True when the query has an {@code access_token} parameter (its name percent-encoded or not). */
    static boolean hasQueryToken(String rawQuery) {
        if (rawQuery == null || (rawQuery.indexOf("access") < 0 && rawQuery.indexOf('%') < 0)) {
            return false; // the common case, decided without splitting the query
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            try {
                name = java.net.URLDecoder.decode(name, java.nio.charset.StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                // a broken escape: compare the name as it is
            }
            if ("access_token".equals(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The token of an RFC 6750 §2.1 {@code Authorization: Bearer} header value, or null when the value is absent,
     * of another scheme, or not {@code Bearer} + spaces + one b64token.
     */
    public static String bearerToken(String authorizationHeader) {
        if (authorizationHeader == null || authorizationHeader.length() < 8
                || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        int start = 7;
        int end = authorizationHeader.length();
        while (start < end && authorizationHeader.charAt(start) == ' ') start++;
        while (end > start && authorizationHeader.charAt(end - 1) == ' ') end--;
        if (start == end || !isB64Token(authorizationHeader, start, end)) {
            return null;
        }
        return authorizationHeader.substring(start, end);
    }

    /** RFC 6750 §2.1: {@code b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="}. */
    private static boolean isB64Token(String s, int start, int end) {
        int i = start;
        while (i < end) {
            char c = s.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/') {
                i++;
            } else {
                break;
            }
        }
        if (i == start) {
            return false;
        }
        while (i < end && s.charAt(i) == '=') i++;
        return i == end;
    }

    /**
     * Validates {@code token}: from the cache when it was accepted before and has not expired; otherwise as a
     * JWT (three dot-separated parts) or, when introspection is configured, as an opaque token.
     *
     * @return who the token speaks for
     * @throws TokenRejectedException with the precise {@link Reason}; {@link Reason#ISSUER_UNAVAILABLE} when the
     *                                issuer's metadata, keys or introspection endpoint are needed and cannot be had
     */
    public TokenPrincipal validate(String token) {
        if (token == null || token.isEmpty()) {
            throw new TokenRejectedException(Reason.MISSING, "a bearer token is required");
        }
        if (!isB64Token(token, 0, token.length())) {
            throw new TokenRejectedException(Reason.MALFORMED, "the token is not an RFC 6750 bearer token",
                    "characters outside b64token", null);
        }
        return validateWellFormed(token);
    }

    /** {@link #validate} for a token already known to be a b64token (so, ASCII: its digest is of its exact bytes). */
    private TokenPrincipal validateWellFormed(String token) {
        ValidatedTokens.Key key = ValidatedTokens.key(token);
        TokenPrincipal known = validated.get(key);
        if (known != null) {
            cacheHits.increment();
            return known;
        }
        cacheMisses.increment();
        int dots = 0;
        for (int i = 0; i < token.length(); i++) {
            if (token.charAt(i) == '.') dots++;
        }
        if (dots == 4) {
            throw new TokenRejectedException(Reason.MALFORMED, "encrypted tokens are not accepted", "five-part JWE", null);
        }
        return dots == 2 ? jwt(token, key) : opaque(token, key);
    }

    private TokenPrincipal jwt(String token, ValidatedTokens.Key key) {
        JWSObject jws;
        try {
            jws = dev.latch.core.jose.JwtParsing.jws(token);
        } catch (java.text.ParseException e) {
            // not a JWS: find out why, for a precise refusal (alg none, a JWE header, garbage)
            refuseUnparsable(token);
            throw malformedJwt("not a JWS compact serialization");
        }
        JWSHeader jwsHeader = jws.getHeader();
        JWSAlgorithm alg = jwsHeader.getAlgorithm();
        if (!algorithms.contains(alg)) {
            throw new TokenRejectedException(Reason.DISALLOWED_ALGORITHM, "the token's signing algorithm is not accepted",
                    "alg " + alg + (JwsAlgorithms.isHmac(alg) ? " (HMAC)" : "") + " not in " + names(algorithms), null);
        }
        checkType(jwsHeader.getType());
        List<JWK> keys;
        try {
            keys = remoteJwks().keysFor(jwsHeader.getKeyID(), alg);
        } catch (JwksUnavailableException e) {
            throw unavailable(e.getMessage(), e);
        }
        if (keys.isEmpty()) {
            throw new TokenRejectedException(Reason.UNKNOWN_KEY, "the token is signed with a key the issuer does not publish",
                    "no key fits kid " + jwsHeader.getKeyID() + " and alg " + alg, null);
        }
        if (!verified(jws, keys, alg)) {
            throw new TokenRejectedException(Reason.BAD_SIGNATURE, "the token's signature is invalid", null, null);
        }
        Map<String, Object> payload = jws.getPayload().toJSONObject();
        if (payload == null) {
            throw malformedJwt("the claims are not a JSON object");
        }
        claims.check(payload, true);
        TokenPrincipal principal = claims.principal(payload, false);
        validated.put(key, principal, AccessTokenClaims.expiresAtMillis(payload));
        return principal;
    }

    /** Throws the precise refusal for a three-part token that is not a JWS. */
    private void refuseUnparsable(String token) {
        Header header;
        try {
            header = Header.parse(new Base64URL(token.substring(0, token.indexOf('.'))));
        } catch (java.text.ParseException | RuntimeException e) {
            // Nimbus throws NullPointerException for a header that is JSON null (see JwtParsing)
            throw malformedJwt("header is not a JOSE header");
        }
        if (header instanceof PlainHeader) {
            throw new TokenRejectedException(Reason.DISALLOWED_ALGORITHM, "the token's signing algorithm is not accepted",
                    "alg none (unsigned)", null);
        }
        if (!(header instanceof JWSHeader) || header instanceof JWEHeader) {
            throw malformedJwt("a JWE header in a three-part token");
        }
    }

    /**
     * A verifier per published key and algorithm, made once: building the public key object costs more
     * than a cached lookup. Keyed by the key object itself (weakly), so a refetched JWKS starts afresh.
     */
    private final com.github.benmanes.caffeine.cache.Cache<JWK, Map<JWSAlgorithm, JWSVerifier>> verifiers =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder().weakKeys().maximumSize(256).build();

    private JWSVerifier verifier(JWK key, JWSAlgorithm alg) throws JOSEException {
        Map<JWSAlgorithm, JWSVerifier> byAlg = verifiers.get(key, k -> new java.util.concurrent.ConcurrentHashMap<>());
        JWSVerifier verifier = byAlg.get(alg);
        if (verifier == null) {
            verifier = JwsAlgorithms.verifier(key, alg);
            byAlg.put(alg, verifier);
        }
        return verifier;
    }

    private boolean verified(JWSObject jws, List<JWK> keys, JWSAlgorithm alg) {
        for (JWK candidate : keys) {
            try {
                signatureVerifications.increment();
                if (jws.verify(verifier(candidate, alg))) {
                    return true;
                }
            } catch (JOSEException | IllegalStateException e) {
                // a key that cannot verify (e.g. not usable as a public key): try the next one
            }
        }
        return false;
    }

    /** RFC 9068 §4 step 2 and RFC 8725 §3.11: the {@code typ} tells an access token from an ID token or other JWT. */
    private void checkType(JOSEObjectType type) {
        String typ = type == null ? null : type.getType().toLowerCase(Locale.ROOT);
        boolean fits = switch (settings.type()) {
            case AT_JWT -> "at+jwt".equals(typ) || "application/at+jwt".equals(typ);
            case JWT -> typ == null || "jwt".equals(typ) || "application/jwt".equals(typ);
            case ANY -> true;
        };
        if (!fits) {
            throw new TokenRejectedException(Reason.WRONG_TYPE, "the token is not an access token of the accepted type",
                    "typ " + (type == null ? "absent" : type.getType()) + ", required " + settings.type(), null);
        }
    }

    private TokenPrincipal opaque(String token, ValidatedTokens.Key key) {
        if (introspection == null) {
            throw new TokenRejectedException(Reason.MALFORMED, "opaque tokens are not accepted for this issuer",
                    "not a JWT and no introspection configured", null);
        }
        Map<String, Object> answer = activeAnswer(token);
        if (answer.get("token_type") instanceof String type && !type.equalsIgnoreCase("bearer")) {
            // RFC 7662 §2.2 token_type: a DPoP-bound or refresh token is not a bearer access token
            throw new TokenRejectedException(Reason.WRONG_TYPE, "the token is not a bearer access token",
                    "introspection token_type " + type, null);
        }
        claims.check(answer, false);
        TokenPrincipal principal = claims.principal(answer, true);
        Duration ttl = settings.introspectionCacheTtl();
        if (ttl != null && ttl.isPositive()) {
            long until = Math.min(clock.millis() + ttl.toMillis(), AccessTokenClaims.expiresAtMillis(answer));
            validated.put(key, principal, until);
        }
        return principal;
    }

    /**
     * Asks the issuer (RFC 7662 §2) whether {@code token} is still active, whatever it is: a JWT that passed
     * {@link #validate} locally may have been revoked at the issuer since (RFC 7009), and only the issuer knows.
     * Nothing is cached here; a caller that may accept a short delay in seeing a revocation caches the answer.
     *
     * @throws TokenRejectedException {@link Reason#INACTIVE} when the issuer says it is not active;
     *                                {@link Reason#ISSUER_UNAVAILABLE} when no introspection client is configured,
     *                                the issuer publishes no introspection endpoint, or it cannot be reached
     */
    public void requireActive(String token) {
        if (introspection == null) {
            throw unavailable("no introspection client is configured for " + settings.issuer(), null);
        }
        activeAnswer(token);
    }

    /** The introspection answer for {@code token}, which must say {@code active: true}. */
    private Map<String, Object> activeAnswer(String token) {
        URI endpoint = metadata().introspectionEndpoint();
        if (endpoint == null) {
            throw unavailable("the metadata of " + settings.issuer() + " has no introspection_endpoint", null);
        }
        Map<String, Object> answer;
        try {
            introspections.incrementAndGet();
            answer = introspection.introspect(endpoint, token);
            outcome(null);
        } catch (TokenIntrospection.Unavailable e) {
            outcome(e.getMessage());
            throw unavailable(e.getMessage(), e);
        }
        if (!Boolean.TRUE.equals(answer.get("active"))) {
            throw new TokenRejectedException(Reason.INACTIVE, "the token is not active", "introspection: active false", null);
        }
        return answer;
    }

    /** The issuer's metadata: given, or discovered once and kept (refreshed by {@link #check()}). */
    private ProviderMetadata metadata() {
        ProviderMetadata m = metadata;
        if (m != null) {
            return m;
        }
        synchronized (discoveryLock) {
            if (metadata != null) {
                return metadata;
            }
            Instant now = clock.instant();
            if (discoveryProblem != null && now.isBefore(discoveryFailedAt.plus(FAILURE_BACKOFF))) {
                throw unavailable(discoveryProblem, null);
            }
            try {
                m = discovery.discover(issuerUri);
            } catch (RuntimeException e) {
                discoveryFailedAt = now;
                discoveryProblem = e.getMessage();
                outcome(e.getMessage());
                throw unavailable(e.getMessage(), e);
            }
            discoveryProblem = null;
            metadata = m;
            outcome(null);
            return m;
        }
    }

    /** The issuer's keys: given, or fetched from the discovered {@code jwks_uri}. */
    private RemoteJwks remoteJwks() {
        RemoteJwks r = jwks;
        if (r != null) {
            return r;
        }
        ProviderMetadata m = metadata();
        synchronized (discoveryLock) {
            if (jwks == null) {
                jwks = newRemoteJwks(m);
            }
            return jwks;
        }
    }

    private RemoteJwks newRemoteJwks(ProviderMetadata m) {
        if (m.jwksUri() == null) {
            throw unavailable("the metadata of " + settings.issuer() + " has no jwks_uri", null);
        }
        try {
            return RemoteJwks.builder(m.jwksUri()).httpClient(http).clock(clock).timeout(outboundTimeout)
                    .ttl(settings.jwksTtl()).refetchInterval(settings.jwksRefetchInterval())
                    .failureBackoff(FAILURE_BACKOFF).outcomes(this::outcome).build();
        } catch (OAuthClientException e) {
            throw unavailable(e.getMessage(), e);
        }
    }

    /**
     * Fetches the issuer's metadata and JWKS now, whatever the caches say, and reports; never throws. Newly
     * discovered metadata replaces what was kept (a moved {@code jwks_uri} is followed).
     */
    public Health check() {
        try {
            ProviderMetadata m = fixedMetadata ? metadata : discovery.fetch(issuerUri);
            RemoteJwks keys;
            synchronized (discoveryLock) {
                metadata = m;
                discoveryProblem = null;
                keys = jwks;
                if (!fixedJwks && m.jwksUri() != null && (keys == null || !m.jwksUri().equals(keys.uri()))) {
                    if (keys != null) {
                        retiredJwksFetches.addAndGet(keys.fetches());
                    }
                    keys = newRemoteJwks(m);
                    jwks = keys;
                }
            }
            if (keys != null) {
                keys.fetchNow();
            } else if (!fixedJwks && introspection == null) {
                throw unavailable("the metadata of " + settings.issuer() + " has no jwks_uri", null);
            }
            outcome(null);
        } catch (TokenRejectedException e) {
            outcome(e.getMessage());
        } catch (RuntimeException e) {
            outcome(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
        return health;
    }

    /** The issuer's reachability as last seen by a fetch, an introspection or {@link #check()}; no I/O. */
    public Health health() {
        return health;
    }

    public Stats stats() {
        // no lock: a metrics scrape must not wait behind a discovery in flight
        RemoteJwks r = jwks;
        long jwksFetches = retiredJwksFetches.get() + (r == null ? 0 : r.fetches());
        return new Stats(cacheHits.sum(), cacheMisses.sum(), signatureVerifications.sum(), jwksFetches, introspections.get());
    }

    /** Forgets every validated token and, when the validator made its own HttpClient, shuts it down. */
    @Override
    public void close() {
        validated.clear();
        if (ownHttp) {
            http.shutdownNow();
        }
    }

    /** Records what the last look at the issuer found; a change is logged once, not per request. */
    private void outcome(String problem) {
        Health previous = health;
        health = new Health(problem == null, clock.instant(), problem);
        if (problem != null && (previous.reachable() || !problem.equals(previous.problem()))) {
            LOG.warn("issuer {} is unavailable: {}", settings.issuer(), problem);
        } else if (problem == null && !previous.reachable() && previous.checkedAt() != null) {
            LOG.info("issuer {} is reachable again", settings.issuer());
        }
    }

    private TokenRejectedException unavailable(String detail, Throwable cause) {
        TokenRejectedException e = new TokenRejectedException(Reason.ISSUER_UNAVAILABLE,
                "the token issuer " + settings.issuer() + " cannot be reached; try again later", detail, null);
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    private static TokenRejectedException malformedJwt(String detail) {
        return new TokenRejectedException(Reason.MALFORMED, "the token is not a well-formed JWT", detail, null);
    }

    private static String names(Set<JWSAlgorithm> algs) {
        return algs.stream().map(JWSAlgorithm::getName).sorted().toList().toString();
    }

    public static final class Builder {
        private final IssuerSettings settings;
        private Clock clock = Clock.systemUTC();
        private HttpClient http;
        private Discovery discovery;
        private ProviderMetadata metadata;
        private JWKSet jwks;
        private long cacheSize = 100_000;
        private Duration outboundTimeout = Duration.ofSeconds(5);

        private Builder(IssuerSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
        }

        /** The clock for token times and cache lifetimes (system UTC). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** The client for discovery, JWKS and introspection; it should follow no redirects (the default: none, 5 s to connect). */
        public Builder httpClient(HttpClient http) {
            this.http = Objects.requireNonNull(http);
            return this;
        }

        /** How the issuer's metadata is found; by default a {@link Discovery} over the HTTP client. */
        public Builder discovery(Discovery discovery) {
            this.discovery = Objects.requireNonNull(discovery);
            return this;
        }

        /** The issuer's metadata as given: no discovery (tests, fixed set-ups). Its issuer must be the settings' issuer. */
        public Builder metadata(ProviderMetadata metadata) {
            if (!settings.issuer().equals(metadata.issuer())) {
                throw new IllegalArgumentException("the metadata is for issuer " + metadata.issuer() + ", not " + settings.issuer());
            }
            this.metadata = metadata;
            return this;
        }

        /** A fixed key set, never fetched. */
        public Builder jwks(JWKSet jwks) {
            this.jwks = Objects.requireNonNull(jwks);
            return this;
        }

        /** How many validated tokens are remembered (100,000); 0 remembers none. */
        public Builder cacheSize(long entries) {
            if (entries < 0) {
                throw new IllegalArgumentException("cache size must not be negative: " + entries);
            }
            this.cacheSize = entries;
            return this;
        }

        /** The time limit of each discovery, JWKS and introspection request (5 s). */
        public Builder outboundTimeout(Duration timeout) {
            if (!timeout.isPositive()) {
                throw new IllegalArgumentException("the outbound timeout must be positive: " + timeout);
            }
            this.outboundTimeout = timeout;
            return this;
        }

        /**
         * The validator; no network I/O happens here.
         *
         * @throws IllegalArgumentException when the settings allow an algorithm that is not asymmetric (HMAC and
         *                                  {@code none} cannot be allowed), or the issuer is not a URL
         */
        public AccessTokenValidator build() {
            Set<JWSAlgorithm> allowed = new LinkedHashSet<>();
            for (String name : settings.algorithms()) {
                JWSAlgorithm alg = JWSAlgorithm.parse(name);
                if (!JwsAlgorithms.ASYMMETRIC.contains(alg)) {
                    throw new IllegalArgumentException("issuer " + settings.issuer() + ": access tokens are accepted only with"
                            + " public-key algorithms (" + String.join(", ", JwsAlgorithms.asymmetricNames()) + "), not " + name);
                }
                allowed.add(alg);
            }
            requireDuration(settings.clockSkew(), "clockSkew");
            requireDuration(settings.jwksTtl(), "jwksTtl");
            requireDuration(settings.jwksRefetchInterval(), "jwksRefetchInterval");
            if (settings.introspection() != null) {
                requireDuration(settings.introspectionCacheTtl(), "introspectionCacheTtl");
            }
            URI issuerUri;
            try {
                issuerUri = new URI(settings.issuer());
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("issuer " + settings.issuer() + " is not a URL", e);
            }
            return new AccessTokenValidator(this, Set.copyOf(allowed), issuerUri);
        }

        private void requireDuration(Duration value, String name) {
            if (value == null || value.isNegative()) {
                throw new IllegalArgumentException("issuer " + settings.issuer() + ": " + name + " must be set and not negative: " + value);
            }
        }
    }
}
