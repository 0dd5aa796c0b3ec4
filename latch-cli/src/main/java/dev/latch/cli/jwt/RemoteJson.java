package dev.latch.cli.jwt;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.latch.client.http.HttpFailure;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * GETs a JSON document (a JWK Set, discovery metadata) for the toolbox: time limits, a size limit, no
 * redirects (the URL given is the URL used), and every failure as one line naming the URL.
 */
final class RemoteJson {

    static final Duration TIMEOUT = Duration.ofSeconds(15);
    static final int MAX_BYTES = 1 << 20;

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    private RemoteJson() {}

    static boolean isUrl(String s) {
        return s.startsWith("https://") || s.startsWith("http://");
    }

    /** The JSON object at {@code url}; {@code what} names it in messages ("JWK Set", "discovery document"). */
    static Map<String, Object> get(String url, String what) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null || !isUrl(url)) {
            throw new IllegalArgumentException(url + ": not an http(s) URL");
        }
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json").GET().build();
        HttpResponse<InputStream> response;
        byte[] body;
        try {
            response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                body = in.readNBytes(MAX_BYTES + 1);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(HttpFailure.describe(uri, e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalArgumentException(url + ": interrupted");
        }
        int status = response.statusCode();
        if (status >= 300 && status < 400) {
            throw new IllegalArgumentException(url + ": HTTP " + status + " redirect to "
                    + response.headers().firstValue("Location").orElse("(no Location)") + "; give the final URL");
        }
        if (status != 200) {
            throw new IllegalArgumentException(url + ": HTTP " + status + " instead of the " + what);
        }
        if (body.length > MAX_BYTES) {
            throw new IllegalArgumentException(url + ": the " + what + " is larger than " + MAX_BYTES / 1024 + " KiB");
        }
        String text = new String(body, StandardCharsets.UTF_8);
        try {
            return JsonText.parseObject(text);
        } catch (JsonProcessingException e) {
            String type = response.headers().firstValue("Content-Type").orElse("no content type");
            throw new IllegalArgumentException(url + ": not a " + what + " (not a JSON object; " + type + ")");
        }
    }
}
