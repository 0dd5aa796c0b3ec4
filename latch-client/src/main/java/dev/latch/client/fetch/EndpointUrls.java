package dev.latch.client.fetch;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The rule for the URLs the library sends requests to (endpoints from metadata or configuration):
 * absolute {@code https}, or {@code http} only on a loopback host (127.0.0.0/8, ::1, localhost) for
 * development — RFC 6749 §3.2 (the token endpoint requires TLS) and RFC 8414 §2.
 */
public final class EndpointUrls {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private EndpointUrls() {}

    /**
     * Why {@code url} is not to be sent requests to (one phrase, e.g. "is not https (…)"), or null
     * when it is acceptable.
     */
    public static String problem(URI url) {
        if (url == null || !url.isAbsolute() || url.getHost() == null || url.getHost().isEmpty()) {
            return "is not an absolute URL";
        }
        String scheme = url.getScheme().toLowerCase(Locale.ROOT);
        if ("https".equals(scheme)) {
            return null;
        }
        if ("http".equals(scheme)) {
            return isLoopback(url) ? null : "is http on a host that is not loopback: https is required (http only on 127.0.0.1, ::1"
                    + " or localhost; RFC 6749 §3.2, RFC 8414 §2)";
        }
        return "has the scheme " + url.getScheme() + ": only https (or http on a loopback host) is supported";
    }

    /** True when the host is localhost or a loopback IP literal (no name is looked up). */
    public static boolean isLoopback(URI url) {
        return isLoopbackHost(url.getHost());
    }

    /**
     * The one rule for "this host is the local machine", where a request may go without TLS: {@code localhost}
     * (or a name under it), a {@code 127.0.0.0/8} literal or {@code ::1} (bracketed or not, as in a URL or
     * a bare host name); no name is looked up.
     */
    public static boolean isLoopbackHost(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return true;
        }
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        } else if (!IPV4.matcher(h).matches() && !h.contains(":")) {
            return false;
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress(); // a literal: parsed, not looked up
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
