package dev.latch.server.outbound;

import dev.latch.core.fetch.FetchException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.Destination;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.SocketAddressResolver;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * Fetches documents the server needs from elsewhere (client {@code jwks_uri}s) without becoming a
 * tool for server-side request forgery: only where {@link OutboundPolicy} permits (https, no private,
 * loopback or link-local address unless allow-listed), no redirects, a size limit, one time limit for
 * the whole response (headers and body).
 *
 * <p>The host name is resolved once, the addresses are checked, and the connection goes to exactly
 * those addresses (they travel as the request's tag to the client's resolver). Resolving again when
 * connecting would let a name answer a public address to the check and a private one to the
 * connection (DNS rebinding).
 */
public final class OutboundFetcher implements AutoCloseable {

    private static final Pattern MAX_AGE = Pattern.compile("max-age\\s*=\\s*(\\d+)");

    private final OutboundPolicy policy;
    private final Duration timeout;
    private final int maxBytes;
    private HttpClient http;

    /** What was fetched, with how long it may be cached (from Cache-Control; null when not said). */
    public record Fetched(String body, Duration maxAge) {}

    /** The checked addresses of one fetch; as the request's tag it keys its own connection pool. */
    private record Pinned(List<InetAddress> addresses) {}

    public OutboundFetcher(List<String> allow, Duration timeout, int maxBytes) {
        this(allow, timeout, maxBytes, InetAddress::getAllByName);
    }

    OutboundFetcher(List<String> allow, Duration timeout, int maxBytes, OutboundPolicy.HostResolver resolver) {
        this.policy = new OutboundPolicy(allow, resolver);
        this.timeout = timeout;
        this.maxBytes = maxBytes;
    }

    /** @throws FetchException with a reason fit for a log line */
    public Fetched fetch(String url) {
        OutboundPolicy.Target target = policy.permitted(url, true);
        return fetch(url, target.uri(), target.addresses(), "application/json, application/jwk-set+json");
    }

    /**
     * Fetches a URL the operator configured (a FHIR server's {@code upstream}), which may be on a
     * private or loopback address: the address policy is for URLs that clients bring. The other limits
     * hold: http(s) only, no redirects, the size limit and the time limit.
     *
     * @param accept the {@code Accept} header, e.g. {@code application/fhir+json}
     * @throws FetchException with a reason fit for a log line
     */
    public Fetched fetchConfigured(String url, String accept) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new FetchException("not a URL: " + url);
        }
        if (uri.getHost() == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
            throw new FetchException(url + ": only http(s) URLs with a host may be fetched");
        }
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        List<InetAddress> addresses;
        try {
            addresses = List.of(InetAddress.getAllByName(host));
        } catch (UnknownHostException e) {
            throw new FetchException(url + ": unknown host " + uri.getHost());
        }
        return fetch(url, uri, addresses, accept);
    }

    private Fetched fetch(String url, URI uri, List<InetAddress> addresses, String accept) {
        Request request = client().newRequest(uri).tag(new Pinned(addresses))
                .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .headers(h -> h.put(HttpHeader.ACCEPT, accept));
        ContentResponse response;
        try {
            response = new CompletableResponseListener(request, maxBytes).send().get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof TimeoutException) {
                throw new FetchException(url + ": no complete answer within " + timeout.toMillis() + " ms");
            }
            if (cause instanceof IllegalArgumentException && String.valueOf(cause.getMessage()).contains("capacity")) {
                throw new FetchException(url + ": larger than " + maxBytes + " bytes");
            }
            throw new FetchException(url + ": " + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " " + cause.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException(url + ": interrupted");
        }
        if (response.getStatus() != 200) {
            throw new FetchException(url + ": HTTP " + response.getStatus() + (response.getStatus() / 100 == 3 ? " (redirects are not followed)" : ""));
        }
        return new Fetched(new String(response.getContent(), StandardCharsets.UTF_8), maxAge(response.getHeaders().get(HttpHeader.CACHE_CONTROL)));
    }

    /** The HTTP client, started on first use (most servers never fetch anything). */
    private synchronized HttpClient client() {
        if (http == null) {
            HttpClient c = new HttpClient();
            QueuedThreadPool threads = new QueuedThreadPool(16, 1);
            threads.setName("latch-outbound");
            threads.setDaemon(true);
            c.setExecutor(threads);
            c.setScheduler(new ScheduledExecutorScheduler("latch-outbound-scheduler", true));
            c.setFollowRedirects(false);
            c.setConnectTimeout(timeout.toMillis());
            c.setIdleTimeout(timeout.toMillis());
            c.setSocketAddressResolver(OutboundFetcher::pinnedAddresses);
            // each checked address list is a destination of its own: drop them once idle, or they pile up
            c.setDestinationIdleTimeout(Duration.ofMinutes(1).toMillis());
            try {
                c.start();
            } catch (Exception e) {
                throw new FetchException("cannot start the outbound HTTP client: " + e.getMessage());
            }
            http = c;
        }
        return http;
    }

    /** The client's only resolver: the addresses checked for this request, never a new lookup. */
    private static void pinnedAddresses(String host, int port, java.util.Map<String, Object> context,
                                        org.eclipse.jetty.util.Promise<List<InetSocketAddress>> promise) {
        if (context.get(Destination.CONTEXT_KEY) instanceof Destination d && d.getOrigin().getTag() instanceof Pinned p) {
            promise.succeeded(p.addresses().stream().map(a -> new InetSocketAddress(a, port)).toList());
        } else {
            promise.failed(new UnknownHostException(host + " was not checked before connecting"));
        }
    }

    @Override
    public synchronized void close() {
        if (http != null) {
            try {
                http.stop();
            } catch (Exception ignored) {
                // stopping at shutdown; nothing is waiting for it
            }
            http = null;
        }
    }

    static Duration maxAge(String cacheControl) {
        if (cacheControl == null) return null;
        String cc = cacheControl.toLowerCase(Locale.ROOT);
        if (cc.contains("no-store") || cc.contains("no-cache")) return Duration.ZERO;
        Matcher m = MAX_AGE.matcher(cc);
        return m.find() ? Duration.ofSeconds(Long.parseLong(m.group(1))) : null;
    }

}
