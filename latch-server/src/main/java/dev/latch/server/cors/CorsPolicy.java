package dev.latch.server.cors;

import dev.latch.server.client.StoredClient;
import dev.latch.server.http.HttpAdapter;
import dev.latch.server.http.Response;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Cross-origin access (Fetch Standard §3.2, "CORS protocol") to the endpoints a single-page app calls
 * from the browser: discovery, JWKS, token, userinfo, revocation. An origin is allowed when it is the
 * {@code scheme://host[:port]} of some registered client's {@code redirect_uris}; any other origin gets
 * no CORS headers at all, so the browser withholds the response. Credentials (cookies) are never
 * allowed: these endpoints authenticate by bearer token or client credentials in the request.
 *
 * <p>A public document that apps read before they are registered anywhere (SMART's
 * {@code /.well-known/smart-configuration}) is open to every origin instead: {@code *}, which browsers
 * never combine with credentials.
 *
 * <p>The origin set is rebuilt from the client store at most every {@link #REFRESH}, so a client added
 * or changed (also by another node or the CLI) is honoured within that time.
 */
public final class CorsPolicy implements HttpAdapter.CrossOrigin {

    public static final Duration REFRESH = Duration.ofSeconds(5);
    static final String ALLOWED_METHODS = "GET, POST";
    static final String ALLOWED_HEADERS = "Authorization, Content-Type";
    /** How long a browser may cache a preflight answer; well under the refresh so a removal is felt soon. */
    static final String MAX_AGE = "5";

    private record Snapshot(Set<String> origins, long loadedAtMillis) {}

    private final Supplier<List<StoredClient>> clients;
    private final Clock clock;
    private volatile Snapshot snapshot;

    public CorsPolicy(Supplier<List<StoredClient>> clients, Clock clock) {
        this.clients = clients;
        this.clock = clock;
    }

    /** Headers for an actual (non-preflight) response to a request with this {@code Origin} (may be null). */
    @Override
    public Map<String, String> headers(String origin) {
        return allowed(origin)
                // WWW-Authenticate carries the RFC 6750 error of a refused bearer token: the app must be able to read it
                ? Map.of("Access-Control-Allow-Origin", origin, "Access-Control-Expose-Headers", "WWW-Authenticate", "Vary", "Origin")
                : Map.of("Vary", "Origin");
    }

    /** The answer to a preflight {@code OPTIONS} request: the grant for an allowed origin, otherwise no CORS headers. */
    @Override
    public Response preflight(String origin, String requestMethod) {
        Response r = Response.empty(204).withHeader("Vary", "Origin");
        if (!allowed(origin) || requestMethod == null) {
            return r;
        }
        return r.withHeader("Access-Control-Allow-Origin", origin)
                .withHeader("Access-Control-Allow-Methods", ALLOWED_METHODS)
                .withHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS)
                .withHeader("Access-Control-Max-Age", MAX_AGE);
    }

    @Override
    public Map<String, String> anyOriginHeaders() {
        return Map.of("Access-Control-Allow-Origin", "*");
    }

    @Override
    public Response anyOriginPreflight(String requestMethod) {
        Response r = Response.empty(204);
        if (requestMethod == null) {
            return r;
        }
        return r.withHeader("Access-Control-Allow-Origin", "*")
                .withHeader("Access-Control-Allow-Methods", "GET")
                .withHeader("Access-Control-Allow-Headers", "Content-Type")
                .withHeader("Access-Control-Max-Age", "300");
    }

    public boolean allowed(String origin) {
        return origin != null && origin.length() <= 2048 && origins().contains(origin);
    }

    private Set<String> origins() {
        long now = clock.millis();
        Snapshot s = snapshot;
        if (s == null || now - s.loadedAtMillis() >= REFRESH.toMillis() || now < s.loadedAtMillis()) {
            synchronized (this) {
                s = snapshot;
                if (s == null || now - s.loadedAtMillis() >= REFRESH.toMillis() || now < s.loadedAtMillis()) {
                    s = new Snapshot(load(), now);
                    snapshot = s;
                }
            }
        }
        return s.origins();
    }

    private Set<String> load() {
        Set<String> out = new HashSet<>();
        for (StoredClient stored : clients.get()) {
            List<String> uris = stored.client().redirectUris();
            if (uris == null) continue;
            for (String uri : uris) {
                origin(uri).ifPresent(out::add);
            }
        }
        return Set.copyOf(out);
    }

    /**
     * The ASCII serialization of a URL's origin (RFC 6454 §6.2) as browsers send it in {@code Origin}:
     * lower-case scheme and host, the port only when not the scheme's default. Only http(s) URLs have one.
     */
    static Optional<String> origin(String uri) {
        try {
            URI u = URI.create(uri);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("https") && !scheme.equals("http") || u.getHost() == null) {
                return Optional.empty();
            }
            int port = u.getPort();
            boolean defaultPort = port == -1 || (scheme.equals("https") && port == 443) || (scheme.equals("http") && port == 80);
            return Optional.of(scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
