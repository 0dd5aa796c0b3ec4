package dev.latch.server.http;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP request as the protocol endpoints see it: no framework types, so each endpoint can be
 * tested without a server. Header names are lower-case.
 */
public record Request(String method, String path, Map<String, List<String>> headers, Map<String, List<String>> query,
                      byte[] body, String remoteAddress, Map<String, String> pathParams) {

    public Request(String method, String path, Map<String, List<String>> headers, Map<String, List<String>> query,
                   byte[] body, String remoteAddress) {
        this(method, path, headers, query, body, remoteAddress, Map.of());
    }

    /** A {@code {name}} segment of the route's path (see {@link Routes#add}), decoded; null when the route has none. */
    public String pathParam(String name) {
        return pathParams.get(name);
    }

    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public List<String> headerValues(String name) {
        return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    public static Request of(String method, String path, Map<String, List<String>> headers, byte[] body) {
        Map<String, List<String>> lower = new java.util.LinkedHashMap<>();
        headers.forEach((k, v) -> lower.computeIfAbsent(k.toLowerCase(Locale.ROOT), x -> new java.util.ArrayList<>()).addAll(v));
        return new Request(method, path, lower, Map.of(), body, "127.0.0.1");
    }
}
