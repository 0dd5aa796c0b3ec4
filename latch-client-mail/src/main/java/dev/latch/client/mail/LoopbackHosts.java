package dev.latch.client.mail;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** The one rule for "this host is the local machine", where a token may travel without TLS (tests, a local relay). */
final class LoopbackHosts {

    private static final Pattern LOOPBACK_V4 = Pattern.compile("127(\\.\\d{1,3}){3}");

    private LoopbackHosts() {}

    /** {@code localhost}, {@code 127.0.0.0/8} or {@code ::1} written as such; no name is looked up. */
    static boolean isLoopback(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost") || LOOPBACK_V4.matcher(h).matches()) {
            return true;
        }
        if (h.contains(":")) { // an IPv6 literal: parsed without a name lookup
            try {
                return InetAddress.getByName(h).isLoopbackAddress();
            } catch (UnknownHostException e) {
                return false;
            }
        }
        return false;
    }
}
