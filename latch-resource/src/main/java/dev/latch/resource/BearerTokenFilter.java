package dev.latch.resource;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A Servlet filter admitting only requests with a valid RFC 6750 §2.1 {@code Authorization: Bearer} token that
 * passes an {@link AccessRule}. On success the {@link TokenPrincipal} is the request attribute named
 * {@code TokenPrincipal.class.getName()}; on refusal the answer is the status, the §3 {@code WWW-Authenticate}
 * challenge (with the RFC 9728 §5.1 {@code resource_metadata} when configured), {@code Cache-Control: no-store}
 * and a JSON error body, and the chain is not called. Tokens in the query (§2.3) are refused; a form body
 * (§2.2) is never read, so the application still gets it untouched.
 */
public final class BearerTokenFilter implements Filter {

    private final BearerCheck check;

    public BearerTokenFilter(AccessTokenValidator validator, AccessRule rule) {
        this(validator, rule, null);
    }

    /** @param resourceMetadata the RFC 9728 protected-resource metadata URL for challenges, or null */
    public BearerTokenFilter(AccessTokenValidator validator, AccessRule rule, String resourceMetadata) {
        this.check = new BearerCheck(validator, rule, resourceMetadata);
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest http) || !(response instanceof HttpServletResponse out)) {
            throw new ServletException("BearerTokenFilter needs an HTTP request");
        }
        TokenPrincipal principal;
        try {
            principal = check.admit(http.getHeader("Authorization"), http.getQueryString());
        } catch (TokenRejectedException e) {
            refuse(out, e);
            return;
        }
        http.setAttribute(TokenPrincipal.class.getName(), principal);
        chain.doFilter(request, response);
    }

    private void refuse(HttpServletResponse out, TokenRejectedException e) throws IOException {
        byte[] body = e.json().getBytes(StandardCharsets.UTF_8);
        out.setStatus(e.status());
        check.headers(e).forEach(out::setHeader);
        out.setHeader("Cache-Control", "no-store");
        out.setContentType("application/json");
        out.setContentLength(body.length);
        out.getOutputStream().write(body);
    }
}
