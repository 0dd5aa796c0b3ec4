package dev.latch.server.outbound;

import dev.latch.core.fetch.FetchException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * Where the server may fetch from: https only, and never a private, loopback or link-local address,
 * unless the host is on the allow-list ({@code outbound.allow} / {@code LATCH_OUTBOUND_ALLOW}: host
 * names or CIDRs; listed hosts may also use http). {@link OutboundFetcher} applies it before every
 * fetch; client registration applies it to a {@code jwks_uri} ({@link #check}), so a URL that every
 * fetch would refuse is refused when it is registered, with the same reason.
 */
public final class OutboundPolicy {

    /** Resolves a host name to its addresses: the system's resolver, or a test's. */
    @FunctionalInterface
    public interface HostResolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** A URL the policy permits, with the checked addresses a connection may go to. */
    record Target(URI uri, List<InetAddress> addresses) {}

    private final List<String> allow;
    private final HostResolver resolver;

    public OutboundPolicy(List<String> allow) {
        this(allow, InetAddress::getAllByName);
    }

    OutboundPolicy(List<String> allow, HostResolver resolver) {
        this.allow = List.copyOf(allow);
        this.resolver = resolver;
    }

    /**
     * Refuses a URL the fetcher would refuse, with the reason. A host name that does not resolve now
     * is let through (its DNS may not be set up yet): every fetch resolves and checks it again.
     *
     * @throws FetchException with a reason fit for the caller
     */
    public void check(String url) {
        permitted(url, false);
    }

    /**
     * @param mustResolve false at registration: an unknown host is checked without addresses
     * @throws FetchException with a reason fit for a log line
     */
    Target permitted(String url, boolean mustResolve) {
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
            if (mustResolve) {
                throw new FetchException(url + ": unknown host " + host);
            }
            addresses = List.of();
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
        return new Target(uri, addresses);
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
