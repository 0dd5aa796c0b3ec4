package dev.latch.server.jwks;

import dev.latch.server.http.Routes;
import dev.latch.server.http.Request;
import dev.latch.server.http.Response;
import dev.latch.server.keys.KeyRing;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;

/**
 * The JWK Set of published signing keys (RFC 7517 §5), with {@code Cache-Control: max-age} (the
 * same max-age a new key waits before signing) and an {@code ETag} for conditional requests.
 */
public final class JwksEndpoint implements Routes.Source {

    private final KeyRing keys;

    public JwksEndpoint(KeyRing keys) {
        this.keys = keys;
    }

    public Response handle(Request request) {
        KeyRing.Snapshot s = keys.snapshot();
        String cacheControl = "public, max-age=" + keys.jwksMaxAge().toSeconds();
        String ifNoneMatch = request.header("if-none-match");
        if (ifNoneMatch != null && matches(ifNoneMatch, s.etag())) {
            return new Response(304, new LinkedHashMap<>(), new byte[0]).withHeader("ETag", s.etag()).withHeader("Cache-Control", cacheControl);
        }
        return new Response(200, new LinkedHashMap<>(), s.jwksJson().getBytes(StandardCharsets.UTF_8))
                .withHeader("Content-Type", "application/jwk-set+json")
                .withHeader("Cache-Control", cacheControl)
                .withHeader("ETag", s.etag());
    }

    /**
     * RFC 9110 §13.1.2: If-None-Match is {@code *} or a list of entity tags, compared weakly (a
     * {@code W/} prefix is ignored). A cache holding several versions sends them all.
     */
    static boolean matches(String ifNoneMatch, String etag) {
        for (String candidate : ifNoneMatch.split(",")) {
            String t = candidate.trim();
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals("*") || t.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void addRoutes(Routes routes) {
        routes.get(routes.base() + "/jwks", this::handle).crossOrigin(routes.base() + "/jwks");
    }
}
