package dev.latch.server.http;

import dev.latch.core.error.OAuthError;

/** Where a protected resource finds the bearer token of a request (RFC 6750 §2). */
public final class BearerToken {

    private BearerToken() {}

    /**
     * RFC 6750 §2: the Authorization header or (POST) form body, never both; a query parameter is not
     * accepted (§2.3 is discouraged).
     *
     * @param formBody true where the form-encoded body parameter (§2.2) is accepted
     * @return the token, or null when the request carries none
     */
    public static String read(Request request, boolean formBody) {
        var headers = request.headerValues("authorization");
        if (headers.size() > 1) {
            throw OAuthError.invalidRequest("more than one Authorization header");
        }
        String header = headers.isEmpty() ? null : headers.get(0);
        String fromHeader = null;
        if (header != null) {
            if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
                throw OAuthError.invalidRequest("the Authorization header must be: Bearer <access token>");
            }
            fromHeader = header.substring(7).trim();
        }
        String fromBody = null;
        if (formBody && "POST".equals(request.method())) {
            String type = request.header("content-type");
            if (type != null && FormParameters.mediaType(type).equals("application/x-www-form-urlencoded")) {
                fromBody = FormParameters.parse(request).get("access_token");
            }
        }
        if (fromHeader != null && fromBody != null) {
            throw OAuthError.invalidRequest("the access token was sent in more than one way (RFC 6750 §2)");
        }
        return fromHeader != null ? fromHeader : fromBody;
    }
}
