package dev.latch.server.outbound;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fetches documents the server needs from elsewhere (client {@code jwks_uri}s) without becoming a
 * tool for server-side request forgery: https only, timeouts, a size limit, no redirects, and never
 * a private, loopback or link-local address unless the host is on the allow-list
 * ({@code LATCH_OUTBOUND_ALLOW}: host names or CIDRs; listed hosts may also use http).
 */
public final class OutboundFetcher {

    private static final Pattern MAX_AGE = Pattern.compile("max-age\\s*=\\s*(\\d+)");

    private final List<String> allow;
    private final Duration timeout;
    private final int maxBytes;
    private final HttpClient http;

    /** What was fetched, with how long it may be cached (from Cache-Control; null when not said). */
    public record Fetched(String body, Duration maxAge) {}

    public OutboundFetcher(List<String> allow, Duration timeout, int maxBytes) {
        this.allow = List.copyOf(allow);
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(timeout).build();
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
        boolean allowed = hostAllowed(host);
        if (!"https".equals(uri.getScheme()) && !(allowed && "http".equals(uri.getScheme()))) {
            throw new FetchException(url + ": only https may be fetched (or http from a host in LATCH_OUTBOUND_ALLOW)");
        }
        if (!allowed) {
            try {
                for (InetAddress address : InetAddress.getAllByName(host)) {
                    if (isInternal(address)) {
                        throw new FetchException(url + ": " + host + " resolves to a private, loopback or link-local address ("
                                + address.getHostAddress() + "); add it to LATCH_OUTBOUND_ALLOW to permit it");
                    }
                }
            } catch (UnknownHostException e) {
                throw new FetchException(url + ": unknown host " + host);
            }
        }
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json, application/jwk-set+json").GET().build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                if (response.statusCode() != 200) {
                    throw new FetchException(url + ": HTTP " + response.statusCode() + (response.statusCode() / 100 == 3 ? " (redirects are not followed)" : ""));
                }
                byte[] bytes = in.readNBytes(maxBytes + 1);
                if (bytes.length > maxBytes) {
                    throw new FetchException(url + ": larger than " + maxBytes + " bytes");
                }
                return new Fetched(new String(bytes, StandardCharsets.UTF_8), maxAge(response.headers().firstValue("Cache-Control").orElse(null)));
            }
        } catch (IOException e) {
            throw new FetchException(url + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException(url + ": interrupted");
        }
    }

    static Duration maxAge(String cacheControl) {
        if (cacheControl == null) return null;
        String cc = cacheControl.toLowerCase(Locale.ROOT);
        if (cc.contains("no-store") || cc.contains("no-cache")) return Duration.ZERO;
        Matcher m = MAX_AGE.matcher(cc);
        return m.find() ? Duration.ofSeconds(Long.parseLong(m.group(1))) : null;
    }

    boolean hostAllowed(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
        for (String entry : allow) {
            String e = entry.trim().toLowerCase(Locale.ROOT);
            if (e.contains("/")) {
                if (inCidr(h, e)) return true;
            } else if (e.equals(h)) {
                return true;
            }
        }
        return false;
    }

    private static boolean inCidr(String host, String cidr) {
        try {
            String[] parts = cidr.split("/");
            byte[] net = InetAddress.getByName(parts[0]).getAddress();
            int bits = Integer.parseInt(parts[1]);
            for (InetAddress a : InetAddress.getAllByName(host)) {
                byte[] addr = a.getAddress();
                if (addr.length != net.length) continue;
                boolean match = true;
                for (int i = 0; i < bits && match; i++) {
                    int mask = 0x80 >> (i % 8);
                    match = (addr[i / 8] & mask) == (net[i / 8] & mask);
                }
                if (match) return true;
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
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

    /** A fetch that failed or was refused. */
    public static final class FetchException extends RuntimeException {
        public FetchException(String message) {
            super(message);
        }
    }
}
