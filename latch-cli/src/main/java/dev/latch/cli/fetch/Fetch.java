package dev.latch.cli.fetch;

import dev.latch.client.fetch.HttpFailure;
import dev.latch.core.fetch.FetchException;
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
 * The toolbox's own HTTP (doctor, jwt verify's JWK Sets): plain GET/POST with a time limit that never
 * follows redirects (the URL given is the URL used; a redirect is something to report), reads at most
 * {@link #MAX_BODY} bytes, and turns every network failure into one line as the client library
 * describes them ({@link HttpFailure}), thrown as a {@link FetchException}. It returns raw responses (status, headers, body) so that a
 * broken answer can be described rather than merely refused.
 */
public final class Fetch {

    public static final int MAX_BODY = 1 << 20;

    /** A response as received. */
    public record Response(URI uri, int status, HttpHeaders headers, String body, boolean truncated) {

        public String contentType() {
            return headers.firstValue("Content-Type").orElse("");
        }

        /** The server's {@code Date} header, when present and well-formed (RFC 9110 §6.6.1). */
        public Optional<Instant> date() {
            return headers.firstValue("Date").flatMap(d -> {
                try {
                    return Optional.of(ZonedDateTime.parse(d, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                } catch (DateTimeParseException e) {
                    return Optional.empty();
                }
            });
        }

        /** The first characters of the body, on one line, for messages. */
        public String excerpt() {
            String oneLine = body.strip().replaceAll("\\s+", " ");
            return oneLine.length() > 60 ? oneLine.substring(0, 60) + "…" : oneLine;
        }
    }

    private final HttpClient http;
    private final Duration timeout;

    public Fetch(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(timeout).build();
    }

    /** {@code text} as an absolute http(s) URL with a host; null when it is not one. */
    public static URI httpUri(String text) {
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
            return uri.isAbsolute() && uri.getHost() != null && (scheme.equals("https") || scheme.equals("http")) ? uri : null;
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    public Response get(URI uri) throws FetchException {
        return send(request(uri).header("Accept", "application/json").GET());
    }

    public Response postForm(URI uri, String form) throws FetchException {
        return send(request(uri).header("Accept", "application/json")
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    /** A request for an http(s) URL; any other URL (e.g. an ftp: jwks_uri in metadata) is a finding, not a crash. */
    private static HttpRequest.Builder request(URI uri) throws FetchException {
        if (httpUri(uri.toString()) == null) {
            throw new FetchException("cannot fetch " + uri + ": not an absolute http or https URL");
        }
        return HttpRequest.newBuilder(uri);
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
