package dev.latch.server.http;

import dev.latch.core.error.OAuthError;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parameters of an {@code application/x-www-form-urlencoded} body (RFC 6749 §3.2, Appendix B).
 * Parameters may not repeat (RFC 6749 §3.1), except those named as multi-valued ({@code resource},
 * {@code audience}: RFC 8707, RFC 8693). Empty values count as absent (RFC 6749 §3.1).
 */
public final class FormParameters {

    /** Largest body accepted (64 KiB). */
    public static final int MAX_BODY = 64 * 1024;
    private static final Set<String> MULTI_VALUED = Set.of("resource", "audience");

    private final Map<String, List<String>> values;

    private FormParameters(Map<String, List<String>> values) {
        this.values = values;
    }

    /** Parses a POST body, refusing a wrong content type, an oversized body and repeated parameters. */
    public static FormParameters parse(Request request) {
        if (!"POST".equals(request.method())) {
            throw OAuthError.invalidRequest("the request must be a POST").withDetail("method " + request.method());
        }
        String contentType = request.header("content-type");
        if (contentType == null || !mediaType(contentType).equals("application/x-www-form-urlencoded")) {
            throw OAuthError.invalidRequest("the body must be application/x-www-form-urlencoded")
                    .withDetail("content type " + contentType);
        }
        String charset = charset(contentType);
        if (charset != null && !charset.equalsIgnoreCase("utf-8")) {
            throw OAuthError.invalidRequest("the body must be UTF-8").withDetail("charset " + charset);
        }
        if (request.body().length > MAX_BODY) {
            throw OAuthError.invalidRequest("the body is larger than 64 KiB");
        }
        return parse(new String(request.body(), StandardCharsets.UTF_8));
    }

    static FormParameters parse(String body) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        if (!body.isEmpty()) {
            for (String pair : body.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name;
                String value;
                try {
                    name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                    value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw OAuthError.invalidRequest("the body is not valid form encoding");
                }
                if (value.isEmpty()) {
                    continue;
                }
                List<String> list = map.computeIfAbsent(name, k -> new ArrayList<>());
                list.add(value);
                if (list.size() > 1 && !MULTI_VALUED.contains(name)) {
                    throw OAuthError.invalidRequest("parameter " + name + " is repeated");
                }
            }
        }
        return new FormParameters(map);
    }

    public static FormParameters empty() {
        return new FormParameters(Map.of());
    }

    /** These parameters with {@code name} set to {@code value} (replacing any value it had). */
    public FormParameters with(String name, String value) {
        Map<String, List<String>> map = new java.util.LinkedHashMap<>(values);
        map.put(name, List.of(value));
        return new FormParameters(map);
    }

    public static String mediaType(String contentType) {
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    private static String charset(String contentType) {
        for (String part : contentType.split(";")) {
            String p = part.trim();
            if (p.toLowerCase(Locale.ROOT).startsWith("charset=")) {
                return p.substring(8).replace("\"", "").trim();
            }
        }
        return null;
    }

    /** The single value of {@code name}, or null when absent. */
    public String get(String name) {
        List<String> list = values.get(name);
        return list == null ? null : list.get(0);
    }

    public List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    public String require(String name) {
        String value = get(name);
        if (value == null) {
            throw OAuthError.invalidRequest("parameter " + name + " is missing");
        }
        return value;
    }

    /** Every parameter with its values, in the order sent. */
    public Map<String, List<String>> asMap() {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return copy;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }
}
