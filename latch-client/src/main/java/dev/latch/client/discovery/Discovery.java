package dev.latch.client.discovery;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.latch.client.fetch.EndpointUrls;
import dev.latch.client.fetch.HttpFailure;
import dev.latch.client.fetch.ResponseBodies;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds an authorization server's metadata from its issuer: first OpenID Connect Discovery
 * ({@code ISSUER/.well-known/openid-configuration}, §4), then RFC 8414
 * ({@code /.well-known/oauth-authorization-server} inserted before the issuer's path, §3.1).
 *
 * <p>The document's {@code issuer} must equal the configured issuer exactly, character for
 * character (RFC 8414 §3.3, OIDC Discovery §4.3); otherwise a {@link DiscoveryException}, never a
 * silent fix-up. Results are cached per issuer for a TTL (one hour by default); failures are not.
 */
public final class Discovery {

    private final HttpClient http;
    private final Clock clock;
    private final Duration ttl;
    private final Duration timeout;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(ProviderMetadata metadata, Instant fetchedAt) {}

    /**
     * @param http    redirects should not be followed (the default client here follows none)
     * @param ttl     how long a document is served from the cache
     * @param timeout the time limit of one request
     */
    public Discovery(HttpClient http, Clock clock, Duration ttl, Duration timeout) {
        this.http = Objects.requireNonNull(http);
        this.clock = Objects.requireNonNull(clock);
        this.ttl = Objects.requireNonNull(ttl);
        this.timeout = Objects.requireNonNull(timeout);
    }

    /** 10 s to connect, 30 s per request, cached for an hour, redirects not followed. */
    public static Discovery create() {
        return new Discovery(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build(),
                Clock.systemUTC(), Duration.ofHours(1), Duration.ofSeconds(30));
    }

    public ProviderMetadata discover(String issuer) {
        return discover(parseIssuer(issuer));
    }

    /** The metadata of {@code issuer}, from the cache while it is fresh. */
    public ProviderMetadata discover(URI issuer) {
        String key = issuer.toString();
        Cached cached = cache.get(key);
        Instant now = clock.instant();
        if (cached != null && now.isBefore(cached.fetchedAt().plus(ttl))) {
            return cached.metadata();
        }
        ProviderMetadata metadata = fetch(issuer);
        cache.put(key, new Cached(metadata, now));
        return metadata;
    }

    /** Forgets the cached metadata of {@code issuer} (e.g. after a key or endpoint change). */
    public void invalidate(URI issuer) {
        cache.remove(issuer.toString());
    }

    /** Fetches the metadata now, bypassing the cache. */
    public ProviderMetadata fetch(URI issuer) {
        checkIssuer(issuer);
        List<String> misses = new ArrayList<>();
        for (URI url : metadataUrls(issuer)) {
            Fetched fetched = get(url);
            if (fetched.status() == 200 && fetched.json() != null) {
                ProviderMetadata metadata = ProviderMetadata.parse(fetched.json(), url);
                if (!metadata.issuer().equals(issuer.toString())) {
                    throw new DiscoveryException("the metadata at " + url + " names the issuer " + metadata.issuer()
                            + ", not " + issuer + " as configured (they must match exactly)");
                }
                return metadata;
            }
            misses.add(url + " answered " + fetched.describe());
        }
        throw new DiscoveryException("no metadata for " + issuer + ": " + String.join("; ", misses));
    }

    /**
     * The two places metadata may be: OIDC Discovery §4 appends to the issuer (less a trailing
     * {@code /}); RFC 8414 §3.1 inserts the well-known segment between host and path.
     */
    public static List<URI> metadataUrls(URI issuer) {
        String text = issuer.toString();
        String base = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        String path = issuer.getRawPath() == null ? "" : issuer.getRawPath();
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String origin = issuer.getScheme() + "://" + issuer.getRawAuthority();
        return List.of(URI.create(base + "/.well-known/openid-configuration"),
                URI.create(origin + "/.well-known/oauth-authorization-server" + path));
    }

    private static URI parseIssuer(String issuer) {
        try {
            return new URI(issuer);
        } catch (URISyntaxException e) {
            throw new DiscoveryException("issuer " + issuer + " is not a URL");
        }
    }

    /** RFC 8414 §2: an https URL (http on loopback for development) without query or fragment. */
    private static void checkIssuer(URI issuer) {
        if (!issuer.isAbsolute() || issuer.getHost() == null
                || !("https".equals(issuer.getScheme()) || "http".equals(issuer.getScheme()))) {
            throw new DiscoveryException("issuer " + issuer + " is not an absolute http(s) URL");
        }
        String problem = EndpointUrls.problem(issuer);
        if (problem != null) {
            throw new DiscoveryException("issuer " + issuer + " " + problem);
        }
        if (issuer.getRawQuery() != null || issuer.getRawFragment() != null) {
            throw new DiscoveryException("issuer " + issuer + " must not have a query or fragment (RFC 8414 §2)");
        }
    }

    private record Fetched(int status, String contentType, String body, Map<String, Object> json) {
        String describe() {
            if (status != 200) {
                return String.valueOf(status);
            }
            String type = contentType == null ? "no content type" : contentType.split(";")[0].strip();
            return "200 with " + (body.isBlank() ? "an empty body" : type.contains("html") || body.stripLeading().startsWith("<")
                    ? "an HTML page" : "content that is not a JSON object (" + type + ")");
        }
    }

    private Fetched get(URI url) {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).header("Accept", "application/json").GET().build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            String body = ResponseBodies.utf8(response.body(), ResponseBodies.MAX_BYTES)
                    .orElseThrow(() -> new DiscoveryException(url + " answered more than " + ResponseBodies.MAX_BYTES + " bytes"));
            Map<String, Object> json = null;
            if (response.statusCode() == 200) {
                try {
                    json = JSONObjectUtils.parse(body);
                } catch (java.text.ParseException e) {
                    // described by Fetched
                }
            }
            return new Fetched(response.statusCode(), response.headers().firstValue("Content-Type").orElse(null), body, json);
        } catch (IOException e) {
            throw new DiscoveryException("discovery: " + HttpFailure.describe(url, e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DiscoveryException("interrupted while fetching " + url, e);
        }
    }
}
