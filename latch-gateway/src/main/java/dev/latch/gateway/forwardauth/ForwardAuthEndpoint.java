package dev.latch.gateway.forwardauth;

import dev.latch.gateway.http.GatewayResponses;
import dev.latch.gateway.protect.Protection;
import dev.latch.resource.TokenPrincipal;
import dev.latch.resource.TokenRejectedException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Forward-auth without proxying: answers only "allowed or not, and who" for a request another proxy is
 * about to forward — nginx {@code auth_request}, Traefik ForwardAuth, Envoy {@code ext_authz} (HTTP).
 * The original method and URI come from {@code X-Original-Method}/{@code X-Original-URI} (nginx) or
 * {@code X-Forwarded-Method}/{@code X-Forwarded-Uri} (Traefik); Envoy sends the original request's
 * method and path as its own. {@code 200} carries the identity headers; refusals are those of
 * {@code protect} ({@code 401}/{@code 403} with the RFC 6750 challenge, {@code 503} when the issuer
 * cannot be reached).
 */
public final class ForwardAuthEndpoint {

    private final Protection protection;

    public ForwardAuthEndpoint(Protection protection) {
        this.protection = protection;
    }

    public Protection protection() {
        return protection;
    }

    /** Decides; returns the principal when allowed (for the access log), else null. */
    public TokenPrincipal answer(Request request, Response response, Callback callback) {
        HttpFields h = request.getHeaders();
        String method = first(h.get("X-Original-Method"), h.get("X-Forwarded-Method"), request.getMethod());
        String uri = first(h.get("X-Original-URI"), h.get("X-Forwarded-Uri"), null);
        String query = uri == null ? request.getHttpURI().getQuery() : uri.indexOf('?') < 0 ? null : uri.substring(uri.indexOf('?') + 1);
        try {
            TokenPrincipal principal = protection.authorize(h.get(HttpHeader.AUTHORIZATION), query, method);
            for (HttpField field : protection.identity(principal)) {
                response.getHeaders().put(field);
            }
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.setStatus(200);
            response.write(true, null, callback);
            return principal;
        } catch (TokenRejectedException refusal) {
            GatewayResponses.refused(response, callback, refusal, null);
            return null;
        }
    }

    private static String first(String a, String b, String fallback) {
        if (a != null && !a.isBlank()) return a.strip();
        if (b != null && !b.isBlank()) return b.strip();
        return fallback;
    }
}
