package dev.latch.server.client;

import com.nimbusds.jose.jwk.JWKSet;
import dev.latch.core.error.OAuthError;
import dev.latch.core.fetch.FetchException;
import dev.latch.server.outbound.OutboundFetcher;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's public keys: inline {@code jwks}, or its {@code jwks_uri} fetched through
 * {@link OutboundFetcher} and cached per {@code Cache-Control}, clamped to 5 minutes–24 hours. An
 * unknown {@code kid} triggers at most one refetch per minute per client.
 */
public final class ClientKeys {

    private static final Logger LOG = LoggerFactory.getLogger(ClientKeys.class);
    static final Duration MIN_CACHE = Duration.ofMinutes(5);
    static final Duration MAX_CACHE = Duration.ofHours(24);
    static final Duration REFETCH_INTERVAL = Duration.ofMinutes(1);

    private final OutboundFetcher fetcher;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    /** @param keys null when the last attempt failed and nothing was fetched before */
    private record Cached(String uri, JWKSet keys, long fetchedAt, long expiresAt) {}

    public ClientKeys(OutboundFetcher fetcher, Clock clock) {
        this.fetcher = fetcher;
        this.clock = clock;
    }

    /** The client's keys; {@code unknownKid} asks for a refetch of a remote set, rate-limited. */
    public JWKSet keys(Client client, boolean unknownKid) {
        if (client.jwks() != null) {
            try {
                return JWKSet.parse(client.jwks());
            } catch (ParseException e) {
                throw OAuthError.invalidClient("the client's registered keys are unusable").withDetail(e.getMessage());
            }
        }
        if (client.jwksUri() == null) {
            throw OAuthError.invalidClient("the client has no registered keys");
        }
        long now = clock.millis();
        Cached c = cache.get(client.clientId());
        boolean sameUri = c != null && c.uri().equals(client.jwksUri());
        boolean fresh = sameUri && c.keys() != null && now < c.expiresAt();
        // one fetch (or failed attempt) a minute: anyone can send assertions naming a client
        boolean mayFetch = !sameUri || now - c.fetchedAt() >= REFETCH_INTERVAL.toMillis();
        if (fresh && !(unknownKid && mayFetch)) {
            return c.keys();
        }
        if (!mayFetch) {
            if (c.keys() != null) {
                return c.keys();
            }
            throw OAuthError.invalidClient("the client's jwks_uri could not be fetched")
                    .withDetail("the last attempt failed less than " + REFETCH_INTERVAL.toSeconds() + " s ago");
        }
        try {
            OutboundFetcher.Fetched fetched = fetcher.fetch(client.jwksUri());
            JWKSet keys = JWKSet.parse(fetched.body());
            Duration ttl = fetched.maxAge() == null ? MIN_CACHE : fetched.maxAge();
            if (ttl.compareTo(MIN_CACHE) < 0) ttl = MIN_CACHE;
            if (ttl.compareTo(MAX_CACHE) > 0) ttl = MAX_CACHE;
            cache.put(client.clientId(), new Cached(client.jwksUri(), keys, now, now + ttl.toMillis()));
            return keys;
        } catch (FetchException | ParseException e) {
            LOG.warn("client {}: cannot fetch jwks_uri: {}", client.clientId(), e.getMessage());
            // keep serving the keys we had (if any) and remember the attempt, so the next one waits a minute
            JWKSet stale = sameUri ? c.keys() : null;
            cache.put(client.clientId(), new Cached(client.jwksUri(), stale, now, sameUri ? c.expiresAt() : now));
            if (stale != null) {
                return stale;
            }
            throw OAuthError.invalidClient("the client's jwks_uri could not be fetched").withDetail(e.getMessage());
        }
    }
}
