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
 * tool for server-side request forgery: https only, no redirects, a size limit, one time limit for
 * the whole response (headers and body), and never a private, loopback or link-local address unless
 * the host is on the allow-list ({@code LATCH_OUTBOUND_ALLOW}: host names or CIDRs; listed hosts may
 * also use http).
 *
 * <p>The host name is resolved once, the addresses are checked, and the connection goes to exactly
 * those addresses (they travel as the request's tag to the client's resolver). Resolving again when
 * connecting would let a name answer a public address to the check and a private one to the
 * connection (DNS rebinding).
 */
public final class OutboundFetcher implements AutoCloseable {

    private static final Pattern MAX_AGE = Pattern.compile("max-age\\s*=\\s*(\\d+)");

    /** Resolves a host name to its addresses: the system's resolver, or a test's. */
    @FunctionalInterface
    public interface HostResolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final List<String> allow;
    private final Duration timeout;
    private final int maxBytes;
    private final HostResolver resolver;
    private HttpClient http;

    /** What was fetched, with how long it may be cached (from Cache-Control; null when not said). */
    public record Fetched(String body, Duration maxAge) {}

    /** The checked addresses of one fetch; as the request's tag it keys its own connection pool. */
    private record Pinned(List<InetAddress> addresses) {}

    public OutboundFetcher(List<String> allow, Duration timeout, int maxBytes) {
        this(allow, timeout, maxBytes, InetAddress::getAllByName);
    }

    OutboundFetcher(List<String> allow, Duration timeout, int maxBytes, HostResolver resolver) {
        this.allow = List.copyOf(allow);
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        this.resolver = resolver;
    }

    /** @throws FetchException with a reason fit for a log line */
    public Fetched fetch(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new FetchException("not a URL: " + url);
        }
        String host = uri.getHost();
        if (host == null) {
            throw new FetchException("no host in " + url);
        }
        if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
            throw new FetchException(url + ": only https may be fetched (or http from a host in LATCH_OUTBOUND_ALLOW)");
        }
        String bare = bareHost(host);
        List<InetAddress> addresses;
        try {
            addresses = List.of(resolver.resolve(bare));
        } catch (UnknownHostException e) {
            throw new FetchException(url + ": unknown host " + host);
        }
        boolean listedByName = allow.stream().map(e -> e.trim().toLowerCase(Locale.ROOT)).anyMatch(bare::equals);
        boolean allowed = listedByName || !addresses.isEmpty() && addresses.stream().allMatch(this::inAllowedCidr);
        if (!"https".equals(uri.getScheme()) && !allowed) {
            throw new FetchException(url + ": only https may be fetched (or http from a host in LATCH_OUTBOUND_ALLOW)");
        }
        if (!listedByName) {
            for (InetAddress address : addresses) {
                if (isInternal(address) && !inAllowedCidr(address)) {
                    throw new FetchException(url + ": " + host + " resolves to a private, loopback or link-local address ("
                            + address.getHostAddress() + "); add it to LATCH_OUTBOUND_ALLOW to permit it");
                }
            }
        }
        Request request = client().newRequest(uri).tag(new Pinned(addresses))
                .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .headers(h -> h.put(HttpHeader.ACCEPT, "application/json, application/jwk-set+json"));
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

    private static String bareHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    private boolean inAllowedCidr(InetAddress address) {
        for (String entry : allow) {
            String e = entry.trim().toLowerCase(Locale.ROOT);
            if (e.contains("/") && inCidr(address, e)) return true;
        }
        return false;
    }

    private static boolean inCidr(InetAddress address, String cidr) {
        try {
            String[] parts = cidr.split("/");
            byte[] net = InetAddress.getByName(parts[0]).getAddress();
            int bits = Integer.parseInt(parts[1]);
            byte[] addr = address.getAddress();
            if (addr.length != net.length || bits < 0 || bits > addr.length * 8) return false;
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >> (i % 8);
                if ((addr[i / 8] & mask) != (net[i / 8] & mask)) return false;
            }
            return true;
        } catch (UnknownHostException | RuntimeException e) {
            return false;
        }
    }

    static boolean isInternal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress() || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (b.length == 4) {
            int first = b[0] & 0xff, second = b[1] & 0xff;
            return first == 0 || (first == 100 && second >= 64 && second < 128) // carrier-grade NAT
                    || (first == 169 && second == 254) || first >= 240;
        }
        byte[] embedded = embeddedIpv4(b);
        if (embedded != null) {
            try {
                return isInternal(InetAddress.getByAddress(embedded));
            } catch (UnknownHostException e) {
                return true;
            }
        }
        return (b[0] & 0xfe) == 0xfc; // IPv6 unique local fc00::/7
    }

    /**
     * The IPv4 address an IPv6 address stands for, where a host or gateway may route it to that IPv4
     * address: IPv4-compatible {@code ::a.b.c.d} (RFC 4291 §2.5.5.1), NAT64 {@code 64:ff9b::/96}
     * (RFC 6052) and 6to4 {@code 2002::/16} (RFC 3056). IPv4-mapped addresses need no rule: Java
     * turns them into IPv4 addresses already.
     */
    private static byte[] embeddedIpv4(byte[] b) {
        boolean zeroPrefix = true;
        for (int i = 0; i < 12; i++) zeroPrefix &= b[i] == 0;
        boolean nat64 = (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
        for (int i = 4; i < 12 && nat64; i++) nat64 = b[i] == 0;
        if (zeroPrefix || nat64) {
            return java.util.Arrays.copyOfRange(b, 12, 16);
        }
        if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
            return java.util.Arrays.copyOfRange(b, 2, 6);
        }
        return null;
    }
}
