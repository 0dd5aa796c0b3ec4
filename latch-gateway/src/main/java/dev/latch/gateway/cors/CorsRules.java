package dev.latch.gateway.cors;

import dev.latch.gateway.config.GatewayConfig;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A route's CORS answers (Fetch standard §3.2): preflights are answered by the gateway without a token
 * (browsers never send one on a preflight), and responses to allowed origins — refusals included, so a
 * browser app can read a {@code 401} — carry {@code Access-Control-Allow-Origin} and {@code Vary: Origin}.
 * Origins match exactly; {@code *} only without credentials.
 */
public final class CorsRules {

    private final GatewayConfig.Cors cors;
    private final Set<String> origins;
    private final boolean anyOrigin;
    private final String methods;
    private final String headers;
    private final Set<String> allowedHeaders;
    private final String exposed;

    public CorsRules(GatewayConfig.Cors cors) {
        this.cors = cors;
        this.origins = cors.allowedOrigins().stream().map(o -> o.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        this.anyOrigin = origins.contains("*") && !cors.allowCredentials();
        this.methods = String.join(", ", cors.allowedMethods());
        this.headers = String.join(", ", cors.allowedHeaders());
        this.allowedHeaders = cors.allowedHeaders().stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        this.exposed = String.join(", ", cors.exposedHeaders());
    }

    /** A preflight: OPTIONS with {@code Origin} and {@code Access-Control-Request-Method}. */
    public static boolean isPreflight(Request request) {
        HttpFields h = request.getHeaders();
        return "OPTIONS".equals(request.getMethod()) && h.get(HttpHeader.ORIGIN) != null
                && h.get(HttpHeader.ACCESS_CONTROL_REQUEST_METHOD) != null;
    }

    private boolean allowed(String origin) {
        return origin != null && (anyOrigin || origins.contains(origin.toLowerCase(Locale.ROOT)));
    }

    /**
     * Answers a preflight: {@code 204} with the allowances when the origin, method and headers are allowed,
     * else {@code 403} without them (the browser then refuses the real request).
     */
    public void preflight(Request request, Response response, Callback callback) {
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        String method = request.getHeaders().get(HttpHeader.ACCESS_CONTROL_REQUEST_METHOD);
        String requested = request.getHeaders().get(HttpHeader.ACCESS_CONTROL_REQUEST_HEADERS);
        response.getHeaders().put(HttpHeader.VARY, "Origin");
        boolean ok = allowed(origin) && cors.allowedMethods().contains(method) && headersAllowed(requested);
        if (ok) {
            allowOrigin(response, origin);
            response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_METHODS, methods);
            if (!headers.isEmpty()) response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS, headers);
            response.getHeaders().put(HttpHeader.ACCESS_CONTROL_MAX_AGE, Long.toString(cors.maxAge().toSeconds()));
        }
        response.setStatus(ok ? 204 : 403);
        response.write(true, null, callback);
    }

    private boolean headersAllowed(String requested) {
        if (requested == null || requested.isBlank()) return true;
        for (String h : requested.split(",")) {
            String name = h.strip().toLowerCase(Locale.ROOT);
            if (!name.isEmpty() && !allowedHeaders.contains(name)) return false;
        }
        return true;
    }

    /** Adds the CORS headers of an actual (non-preflight) response when the origin is allowed. */
    public void decorate(Request request, Response response) {
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin == null) return;
        response.getHeaders().add(HttpHeader.VARY, "Origin");
        if (!allowed(origin)) return;
        allowOrigin(response, origin);
        if (!exposed.isEmpty()) response.getHeaders().put(HttpHeader.ACCESS_CONTROL_EXPOSE_HEADERS, exposed);
    }

    private void allowOrigin(Response response, String origin) {
        response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, anyOrigin ? "*" : origin);
        if (cors.allowCredentials()) {
            response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        }
    }
}
