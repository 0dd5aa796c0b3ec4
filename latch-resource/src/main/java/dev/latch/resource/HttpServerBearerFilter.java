package dev.latch.resource;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The JDK {@code com.sun.net.httpserver} counterpart of {@link BearerTokenFilter}: RFC 6750 §2.1 bearer tokens
 * only, validated and checked against an {@link AccessRule}; the {@link TokenPrincipal} is the exchange attribute
 * named {@code TokenPrincipal.class.getName()}; a refusal is answered with status, §3 {@code WWW-Authenticate},
 * {@code Cache-Control: no-store} and a JSON body, and the handler is not called.
 */
public final class HttpServerBearerFilter extends Filter {

    private final BearerCheck check;

    public HttpServerBearerFilter(AccessTokenValidator validator, AccessRule rule) {
        this(validator, rule, null);
    }

    /** @param resourceMetadata the RFC 9728 protected-resource metadata URL for challenges, or null */
    public HttpServerBearerFilter(AccessTokenValidator validator, AccessRule rule, String resourceMetadata) {
        this.check = new BearerCheck(validator, rule, resourceMetadata);
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        TokenPrincipal principal;
        try {
            principal = check.admit(exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestURI().getRawQuery());
        } catch (TokenRejectedException e) {
            refuse(exchange, e);
            return;
        }
        exchange.setAttribute(TokenPrincipal.class.getName(), principal);
        chain.doFilter(exchange);
    }

    private void refuse(HttpExchange exchange, TokenRejectedException e) throws IOException {
        byte[] body = e.json().getBytes(StandardCharsets.UTF_8);
        check.headers(e).forEach(exchange.getResponseHeaders()::set);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(e.status(), body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
        exchange.close();
    }

    @Override
    public String description() {
        return "RFC 6750 bearer token check (" + check.validator().settings().issuer() + ")";
    }
}
