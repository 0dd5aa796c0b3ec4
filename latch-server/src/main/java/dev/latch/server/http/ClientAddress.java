package dev.latch.server.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The address a request came from, for login throttling and the audit log. It is the TCP peer, unless the
 * peer is one of the {@code trusted-proxies} (a load balancer in front of the nodes): then it is the
 * nearest address in {@code X-Forwarded-For} that is not a trusted proxy, read from the right, as nginx's
 * {@code real_ip_recursive} does. Entries left of it were written by the caller and are never believed.
 * Without trusted proxies every node behind a balancer would see one address for everybody, and twenty
 * failed sign-ins by anyone would make everyone wait.
 */
public final class ClientAddress {

    /** No proxy is trusted: the TCP peer, always. */
    public static final ClientAddress PEER = new ClientAddress(List.of());

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[\\w.]+)?");

    private record Network(byte[] address, int bits) {
        boolean contains(byte[] other) {
            if (other.length != address.length) return false;
            int whole = bits / 8;
            for (int i = 0; i < whole; i++) {
                if (other[i] != address[i]) return false;
            }
            int rest = bits % 8;
            return rest == 0 || ((other[whole] ^ address[whole]) & (0xff << (8 - rest))) == 0;
        }
    }

    private final List<Network> trusted;

    private ClientAddress(List<Network> trusted) {
        this.trusted = trusted;
    }

    /**
     * Addresses ({@code 10.0.0.7}, {@code ::1}) and networks ({@code 10.0.0.0/8}, {@code fd00::/8}) of the proxies
     * whose {@code X-Forwarded-For} is believed.
     *
     * @throws IllegalArgumentException naming the entry that is neither
     */
    public static ClientAddress trusting(List<String> proxies) {
        List<Network> networks = new ArrayList<>();
        for (String entry : proxies) {
            String text = entry.strip();
            int slash = text.indexOf('/');
            byte[] address = literal(slash < 0 ? text : text.substring(0, slash));
            if (address == null) {
                throw new IllegalArgumentException("not an IP address or network: " + entry);
            }
            int bits = address.length * 8;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(text.substring(slash + 1));
                } catch (NumberFormatException e) {
                    bits = -1;
                }
                if (bits < 0 || bits > address.length * 8) {
                    throw new IllegalArgumentException("not a prefix length for " + text.substring(0, slash) + ": " + entry);
                }
            }
            networks.add(new Network(address, bits));
        }
        return new ClientAddress(List.copyOf(networks));
    }

    public boolean trustsAny() {
        return !trusted.isEmpty();
    }

    /** The client's address, from the TCP peer and the {@code X-Forwarded-For} values (null or empty when none came). */
    public String of(String peer, List<String> forwardedFor) {
        byte[] hop = literal(peer);
        if (!trusted(hop) || forwardedFor == null || forwardedFor.isEmpty()) {
            return peer;
        }
        List<String> entries = new ArrayList<>();
        for (String value : forwardedFor) {
            for (String part : value.split(",")) entries.add(part.strip());
        }
        String client = peer;
        for (int i = entries.size() - 1; i >= 0; i--) {
            String entry = withoutPort(entries.get(i));
            byte[] address = literal(entry);
            if (address == null) {
                return client; // a trusted proxy wrote no address here: the nearest one known stands
            }
            client = entry;
            if (!trusted(address)) {
                return client;
            }
        }
        return client;
    }

    private boolean trusted(byte[] address) {
        if (address == null) return false;
        for (Network n : trusted) {
            if (n.contains(address)) return true;
        }
        return false;
    }

    /** {@code 203.0.113.7:51234} and {@code [2001:db8::1]:443} as proxies sometimes write them, without the port. */
    private static String withoutPort(String entry) {
        if (entry.startsWith("[")) {
            int end = entry.indexOf(']');
            return end > 0 ? entry.substring(1, end) : entry;
        }
        int colon = entry.indexOf(':');
        return colon > 0 && colon == entry.lastIndexOf(':') ? entry.substring(0, colon) : entry;
    }

    /** The bytes of an IPv4 or IPv6 literal; null for anything else (never a name lookup). */
    static byte[] literal(String text) {
        if (text == null || text.isEmpty() || text.length() > 64) return null;
        String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        if (IPV4.matcher(t).matches()) {
            byte[] out = new byte[4];
            String[] parts = t.split("\\.");
            for (int i = 0; i < 4; i++) {
                int v = Integer.parseInt(parts[i]);
                if (v > 255) return null;
                out[i] = (byte) v;
            }
            return out;
        }
        if (t.indexOf(':') < 0 || !IPV6.matcher(t).matches()) return null;
        try {
            // a text with a colon is parsed as an IPv6 literal, never looked up
            byte[] out = InetAddress.getByName(t).getAddress();
            return out;
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
