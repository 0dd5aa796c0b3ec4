package dev.latch.client.fetch;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import javax.net.ssl.SSLException;

/** One-line descriptions of HTTP transport failures, and {@code Retry-After} (RFC 9110 §10.2.3). */
public final class HttpFailure {

    private HttpFailure() {}

    /** True for a TLS failure: not transient, retrying will not help. */
    public static boolean isTls(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException) return true;
        }
        return false;
    }

    /** "cannot reach URL: why", in one line. */
    public static String describe(URI url, IOException e) {
        String where = url.getScheme() + "://" + url.getAuthority();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException ssl) {
                return "TLS failure talking to " + where + ": " + oneLine(ssl.getMessage());
            }
            if (t instanceof HttpConnectTimeoutException) {
                return "cannot reach " + where + ": connection timed out";
            }
            if (t instanceof HttpTimeoutException) {
                return "no answer from " + url + " in time (request timed out)";
            }
            if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
                return "cannot reach " + where + ": unknown host " + url.getHost();
            }
        }
        // after the loop above: the JDK reports an unknown host as a ConnectException caused by UnresolvedAddressException
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return "cannot reach " + where + ": connection refused";
            }
        }
        return "cannot reach " + url + ": " + oneLine(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }

    /** {@code Retry-After} as delay-seconds or an HTTP-date, as a duration from {@code clock}'s now; empty when absent or unreadable. */
    public static Optional<Duration> retryAfter(Optional<String> header, Clock clock) {
        if (header.isEmpty()) {
            return Optional.empty();
        }
        String value = header.get().strip();
        try {
            long seconds = Long.parseLong(value);
            return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(clock.instant(), at.toInstant());
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (java.time.format.DateTimeParseException e) {
                return Optional.empty();
            }
        }
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
