package dev.latch.client.jwks;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import dev.latch.client.OAuthClientException;
import dev.latch.client.fetch.EndpointUrls;
import dev.latch.client.fetch.HttpFailure;
import dev.latch.client.fetch.ResponseBodies;
import dev.latch.core.jose.JwsAlgorithms;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * An issuer's signing keys as published at its {@code jwks_uri} (RFC 7517 §5, RFC 8414 §2): the one
 * place the library fetches and keeps a remote JWK Set, for the ID token validator and the resource
 * server's access-token validator alike.
 *
 * <ul>
 *   <li>Fetched only from a URL {@link EndpointUrls} accepts, with a time limit and at most
 *       {@link ResponseBodies#MAX_BYTES} read (the default HttpClient follows no redirects).</li>
 *   <li>Used for {@code ttl}; after the first successful fetch a stale set keeps being served while one
 *       refresh runs in the background (and while refreshes fail: the issuer's keys of a moment ago beat
 *       refusing every request while its JWKS endpoint is down), so requests wait on the issuer only the
 *       first time.</li>
 *   <li>A token naming a key the set lacks (a new {@code kid} after a rotation) makes it fetch again at once,
 *       but at most once per {@code refetchInterval}: tokens with made-up {@code kid}s cannot make it hammer
 *       the issuer (RFC 8725 §3.10 spirit).</li>
 *   <li>At most one fetch is in flight; whoever needs its result waits for that one.</li>
 *   <li>After a failed fetch the next attempt waits {@code failureBackoff}; meanwhile callers without keys
 *       fail at once with the same problem instead of each waiting for a time-out.</li>
 * </ul>
 *
 * <p>Keys are chosen by {@link #candidates}: the token's {@code kid}, {@code use} sig, the key's own
 * {@code alg} and {@link JwsAlgorithms#fits} (type, curve, RSA size), so a public key is never used
 * with an algorithm it was not made for. Symmetric keys in a published set are dropped.
 */
public final class RemoteJwks {

    /** Fetches run on a virtual thread of their own: rare, blocking, and nobody has to shut an executor down. */
    private static final Executor FETCHER = task -> Thread.ofVirtual().name("latch-jwks-fetch").start(task);

    private record Snapshot(JWKSet set, Instant fetchedAt) {}

    private enum Start { NOW, FIRST, BACKGROUND, UNKNOWN_KEY }

    private final URI uri;
    private final HttpClient http;
    private final Clock clock;
    private final Duration ttl;
    private final Duration refetchInterval;
    private final Duration timeout;
    private final Duration failureBackoff;
    private final Consumer<String> outcomes;
    private final AtomicLong fetches = new AtomicLong();
    private final Object lock = new Object();
    private volatile Snapshot current;
    private volatile String problem;
    // guarded by lock
    private CompletableFuture<Snapshot> inFlight;
    private Instant lastStarted = Instant.MIN;
    private Instant failedAt = Instant.MIN;

    private RemoteJwks(Builder b, JWKSet fixed) {
        this.uri = b == null ? null : b.uri;
        this.http = b == null ? null : b.http != null ? b.http
                : HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
        this.clock = b == null ? Clock.systemUTC() : b.clock;
        this.ttl = b == null ? null : b.ttl;
        this.refetchInterval = b == null ? null : b.refetchInterval;
        this.timeout = b == null ? null : b.timeout;
        this.failureBackoff = b == null ? null : b.failureBackoff;
        this.outcomes = b == null ? p -> {} : b.outcomes;
        this.current = fixed == null ? null : new Snapshot(fixed, Instant.MAX);
    }

    /**
     * A key set fetched from {@code jwksUri}.
     *
     * @throws OAuthClientException when {@code jwksUri} is not an absolute https URL (http only on a loopback host)
     */
    public static Builder builder(URI jwksUri) {
        return new Builder(jwksUri);
    }

    /** A fixed key set that is never fetched (tests, keys configured by hand). */
    public static RemoteJwks fixed(JWKSet keys) {
        return new RemoteJwks(null, keys.toPublicJWKSet());
    }

    /**
     * The rule for a URL keys are fetched from ({@link EndpointUrls}).
     *
     * @throws OAuthClientException naming the URL and what is wrong with it
     */
    public static void checkUri(URI jwksUri) {
        String problem = EndpointUrls.problem(jwksUri);
        if (problem != null) {
            throw new OAuthClientException("the JWKS URI " + jwksUri + " " + problem);
        }
    }

    /** Where the keys come from; null for a fixed set. */
    public URI uri() {
        return uri;
    }

    /**
     * The keys that may verify a signature by {@code alg} with header {@code kid} (null: every fitting key);
     * when none fits, the set is fetched again once if the refetch interval allows. Empty when no key fits.
     *
     * @throws JwksUnavailableException when the set is needed and cannot be fetched
     */
    public List<JWK> keysFor(String kid, JWSAlgorithm alg) {
        List<JWK> found = candidates(keys(), kid, alg);
        if (!found.isEmpty() || uri == null) {
            return found;
        }
        CompletableFuture<Snapshot> refetch = start(Start.UNKNOWN_KEY);
        return refetch == null ? found : candidates(await(refetch).set(), kid, alg);
    }

    /**
     * The current set: fetched (and waited for) the first time; later served at once, with a background
     * refresh started once it is older than the TTL.
     *
     * @throws JwksUnavailableException when there is no set yet and it cannot be fetched
     */
    public JWKSet keys() {
        Snapshot s = current;
        if (s == null) {
            return await(start(Start.FIRST)).set();
        }
        if (uri != null && !clock.instant().isBefore(s.fetchedAt().plus(ttl))) {
            start(Start.BACKGROUND);
        }
        return s.set();
    }

    /**
     * Fetches the set now whatever the TTL, interval and back-off say (joining a fetch already in flight),
     * for health checks. A fixed set is returned as it is.
     *
     * @throws JwksUnavailableException when it cannot be fetched
     */
    public JWKSet fetchNow() {
        return uri == null ? current.set() : await(start(Start.NOW)).set();
    }

    /** How many fetches were started. */
    public long fetches() {
        return fetches.get();
    }

    /** What went wrong with the last fetch, or null when it succeeded (or none was made). */
    public String problem() {
        return problem;
    }

    /**
     * The keys of {@code set} that may verify {@code alg} for header {@code kid}: the same {@code kid} when one
     * is given, {@code use} absent or sig, the key's {@code alg} absent or equal, and a type, curve and size that
     * fit the algorithm.
     */
    public static List<JWK> candidates(JWKSet set, String kid, JWSAlgorithm alg) {
        List<JWK> out = new ArrayList<>(1);
        for (JWK key : set.getKeys()) {
            if (kid != null && !kid.equals(key.getKeyID())) continue;
            if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) continue;
            if (key.getAlgorithm() != null && !alg.getName().equals(key.getAlgorithm().getName())) continue;
            if (!JwsAlgorithms.fits(key, alg)) continue;
            out.add(key);
        }
        return out;
    }

    /**
     * Starts a fetch as {@code why} allows, or joins the one in flight; null when none is allowed now.
     *
     * @throws JwksUnavailableException for a first fetch within the back-off after a failure
     */
    private CompletableFuture<Snapshot> start(Start why) {
        synchronized (lock) {
            if (inFlight != null) {
                return inFlight;
            }
            if (why == Start.FIRST && current != null) {
                // another caller's first fetch finished between our look at `current` and this lock
                return CompletableFuture.completedFuture(current);
            }
            Instant now = clock.instant();
            switch (why) {
                case FIRST -> {
                    if (now.isBefore(failedAt.plus(failureBackoff))) {
                        throw new JwksUnavailableException(problem);
                    }
                }
                case BACKGROUND -> {
                    if (now.isBefore(failedAt.plus(failureBackoff))) return null;
                }
                case UNKNOWN_KEY -> {
                    if (now.isBefore(lastStarted.plus(refetchInterval))) return null;
                }
                case NOW -> { }
            }
            lastStarted = now;
            fetches.incrementAndGet();
            CompletableFuture<Snapshot> fetch = CompletableFuture.supplyAsync(this::fetch, FETCHER);
            inFlight = fetch;
            // registered under the lock: if the fetch is already done this runs here (the lock is reentrant)
            fetch.whenComplete((s, e) -> {
                synchronized (lock) {
                    if (inFlight == fetch) inFlight = null;
                    if (e != null) failedAt = clock.instant();
                }
            });
            return fetch;
        }
    }

    private Snapshot fetch() {
        try {
            Snapshot s = new Snapshot(get(), clock.instant());
            current = s;
            problem = null;
            outcomes.accept(null);
            return s;
        } catch (RuntimeException e) {
            JwksUnavailableException failure = e instanceof JwksUnavailableException j ? j
                    : new JwksUnavailableException("the JWKS at " + uri + " could not be read: " + e, e);
            problem = failure.getMessage();
            outcomes.accept(failure.getMessage());
            throw failure;
        }
    }

    private JWKSet get() {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET().build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            Optional<String> body = ResponseBodies.utf8(response.body(), ResponseBodies.MAX_BYTES);
            if (response.statusCode() != 200) {
                throw new JwksUnavailableException("the JWKS at " + uri + " answered " + response.statusCode());
            }
            String json = body.orElseThrow(() -> new JwksUnavailableException("the JWKS at " + uri + " is larger than 1 MiB"));
            return JWKSet.parse(json).toPublicJWKSet();
        } catch (java.text.ParseException e) {
            throw new JwksUnavailableException("the JWKS at " + uri + " is not a JWK Set: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new JwksUnavailableException("JWKS: " + HttpFailure.describe(uri, e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JwksUnavailableException("interrupted while fetching " + uri, e);
        }
    }

    private Snapshot await(CompletableFuture<Snapshot> fetch) {
        try {
            // the request has its own time limit; this only bounds a body that trickles in after the headers
            return fetch.get(timeout.toMillis() * 2 + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new JwksUnavailableException(cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new JwksUnavailableException("no complete JWKS from " + uri + " in time", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JwksUnavailableException("interrupted while waiting for the JWKS from " + uri, e);
        }
    }

    public static final class Builder {
        private final URI uri;
        private HttpClient http;
        private Clock clock = Clock.systemUTC();
        private Duration ttl = Duration.ofMinutes(5);
        private Duration refetchInterval = Duration.ofSeconds(30);
        private Duration timeout = Duration.ofSeconds(30);
        private Duration failureBackoff = Duration.ofSeconds(5);
        private Consumer<String> outcomes = p -> {};

        private Builder(URI uri) {
            checkUri(Objects.requireNonNull(uri, "jwks uri"));
            this.uri = uri;
        }

        /** The client to fetch with (it should follow no redirects); by default one with a 10 s connect timeout. */
        public Builder httpClient(HttpClient http) {
            this.http = http;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** How long a fetched set is used before it is refreshed (5 min). */
        public Builder ttl(Duration ttl) {
            this.ttl = Objects.requireNonNull(ttl);
            return this;
        }

        /** An unknown {@code kid} makes the set be fetched again at most this often (30 s). */
        public Builder refetchInterval(Duration interval) {
            this.refetchInterval = Objects.requireNonNull(interval);
            return this;
        }

        /** The time limit of one request (30 s). */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** How long after a failed fetch the next one waits (5 s). */
        public Builder failureBackoff(Duration backoff) {
            this.failureBackoff = Objects.requireNonNull(backoff);
            return this;
        }

        /** Told after every fetch: null when it succeeded, else the problem (one line, no secrets). */
        public Builder outcomes(Consumer<String> outcomes) {
            this.outcomes = Objects.requireNonNull(outcomes);
            return this;
        }

        public RemoteJwks build() {
            return new RemoteJwks(this, null);
        }
    }
}
