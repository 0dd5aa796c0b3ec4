package dev.latch.client.auth;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A form POST to a token endpoint being assembled: the exact URL it goes to, its parameters (in
 * order, a name may repeat, e.g. {@code resource}) and its headers. Grant types and client
 * authentication methods each add their part.
 */
public final class FormPost {

    private final URI url;
    private final List<Map.Entry<String, String>> parameters = new ArrayList<>();
    private final Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    public FormPost(URI url) {
        this.url = url;
    }

    /** The exact URL the form is posted to. */
    public URI url() {
        return url;
    }

    /** Adds a parameter; a null value adds nothing. */
    public FormPost add(String name, String value) {
        if (value != null) {
            parameters.add(Map.entry(name, value));
        }
        return this;
    }

    /** The first value of {@code name}, or null. */
    public String first(String name) {
        for (Map.Entry<String, String> e : parameters) {
            if (e.getKey().equals(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    public List<String> all(String name) {
        return parameters.stream().filter(e -> e.getKey().equals(name)).map(Map.Entry::getValue).toList();
    }

    public List<Map.Entry<String, String>> parameters() {
        return Collections.unmodifiableList(parameters);
    }

    public FormPost header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public Map<String, String> headers() {
        return Collections.unmodifiableMap(headers);
    }

    /** The body as {@code application/x-www-form-urlencoded} UTF-8 (RFC 6749 Appendix B). */
    public String body() {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : parameters) {
            if (!b.isEmpty()) {
                b.append('&');
            }
            b.append(formEncode(e.getKey())).append('=').append(formEncode(e.getValue()));
        }
        return b.toString();
    }

    /**
     * The POST as a JDK request: the {@link #body() body} as {@code application/x-www-form-urlencoded}, {@code Accept:
     * application/json} and the headers added (e.g. {@code Authorization: Basic}), with {@code timeout} as its limit.
     * Every form the library sends (token, introspection) goes out this way.
     */
    public HttpRequest toHttpRequest(Duration timeout) {
        HttpRequest.Builder http = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(), StandardCharsets.UTF_8));
        headers.forEach(http::header);
        return http.build();
    }

    /** {@code application/x-www-form-urlencoded} encoding of one value (space as {@code +}). */
    public static String formEncode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
