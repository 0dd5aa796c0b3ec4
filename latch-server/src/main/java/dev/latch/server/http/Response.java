package dev.latch.server.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP response produced by a protocol endpoint; the HTTP layer copies it out unchanged. */
public record Response(int status, Map<String, String> headers, byte[] body) {

    public static Response json(int status, String json) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json;charset=UTF-8");
        return new Response(status, headers, json.getBytes(StandardCharsets.UTF_8));
    }

    /** A JSON response that must not be cached (RFC 6749 §5.1: token responses carry secrets). */
    public static Response noStoreJson(int status, String json) {
        return json(status, json).withHeader("Cache-Control", "no-store").withHeader("Pragma", "no-cache");
    }

    public static Response empty(int status) {
        return new Response(status, new LinkedHashMap<>(), new byte[0]);
    }

    public Response withHeader(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(name, value);
        return new Response(status, copy, body);
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
