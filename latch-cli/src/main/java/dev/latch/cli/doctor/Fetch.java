package dev.latch.cli.doctor;

import dev.latch.client.http.HttpFailure;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The doctor's own HTTP: plain GET/POST that never follows redirects (a redirect is something to
 * report), reads at most {@link #MAX_BODY} bytes, and turns every network failure into one line.
 * It fetches raw bodies so that a broken answer can be described rather than merely refused; network
 * failures are described as the client library describes them ({@link HttpFailure}).
 */
final class Fetch {

    static final int MAX_BODY = 1 << 20;

    /** A response as received. */
    record Response(URI uri, int status, HttpHeaders headers, String body, boolean truncated) {

        String contentType() {
            return headers.firstValue("Content-Type").orElse("");
        }

        /** The server's {@code Date} header, when present and well-formed (RFC 9110 §6.6.1). */
        Optional<Instant> date() {
            return headers.firstValue("Date").flatMap(d -> {
                try {
                    return Optional.of(ZonedDateTime.parse(d, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                } catch (DateTimeParseException e) {
                    return Optional.empty();
                }
            });
        }

        /** The first characters of the body, on one line, for messages. */
        String excerpt() {
            String oneLine = body.strip().replaceAll("\\s+", " ");
            return oneLine.length() > 60 ? oneLine.substring(0, 60) + "…" : oneLine;
        }
    }

    /** A request that got no HTTP answer; the message is one line naming the host and the reason. */
    static final class FetchException extends Exception {
        FetchException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final HttpClient http;
    private final Duration timeout;

    Fetch(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(timeout).build();
    }

    Response get(URI uri) throws FetchException {
        return send(HttpRequest.newBuilder(uri).header("Accept", "application/json").GET());
    }

    Response postForm(URI uri, String form) throws FetchException {
        return send(HttpRequest.newBuilder(uri).header("Accept", "application/json")
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    private Response send(HttpRequest.Builder request) throws FetchException {
        HttpRequest r = request.timeout(timeout).build();
        try {
            HttpResponse<InputStream> response = http.send(r, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                byte[] bytes = in.readNBytes(MAX_BODY + 1);
                boolean truncated = bytes.length > MAX_BODY;
                String body = new String(bytes, 0, Math.min(bytes.length, MAX_BODY), StandardCharsets.UTF_8);
                return new Response(r.uri(), response.statusCode(), response.headers(), body, truncated);
            }
        } catch (IOException e) {
            throw new FetchException(HttpFailure.describe(r.uri(), e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException("interrupted while fetching " + r.uri(), e);
        } catch (IllegalArgumentException e) {
            throw new FetchException("cannot fetch " + r.uri() + ": " + e.getMessage(), e);
        }
    }
}
