package dev.latch.server.http;

import java.util.Locale;

/** Reading and writing the server's cookies (RFC 6265): always HttpOnly and SameSite=Lax, Secure under https. */
public final class Cookies {

    private Cookies() {}

    /** The value of cookie {@code name} in the request, or null. */
    public static String read(Request request, String name) {
        for (String header : request.headerValues("cookie")) {
            for (String part : header.split(";")) {
                int eq = part.indexOf('=');
                if (eq > 0 && part.substring(0, eq).trim().equals(name)) {
                    String value = part.substring(eq + 1).trim();
                    return value.isEmpty() ? null : value;
                }
            }
        }
        return null;
    }

    /** A {@code Set-Cookie} value; {@code maxAgeSeconds} &lt; 0 makes a browser-session cookie, 0 deletes it. */
    public static String set(String name, String value, String path, long maxAgeSeconds, boolean secure) {
        StringBuilder b = new StringBuilder(name).append('=').append(value == null ? "" : value)
                .append("; Path=").append(path).append("; HttpOnly; SameSite=Lax");
        if (maxAgeSeconds >= 0) {
            b.append("; Max-Age=").append(maxAgeSeconds);
        }
        if (secure) {
            b.append("; Secure");
        }
        return b.toString();
    }

    public static boolean secure(String issuer) {
        return issuer.toLowerCase(Locale.ROOT).startsWith("https://");
    }
}
