package dev.latch.gateway.sso;

import dev.latch.gateway.http.GatewayResponses;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The answers an sso route gives itself: a small HTML page for a person in a browser, JSON for a script
 * ({@link #wantsPage}). Every page names the cause in plain words, so a provider that is down or
 * misconfigured is diagnosed from the page rather than from a blank screen (no lock-out).
 */
final class SsoPages {

    private SsoPages() {}

    /**
     * True for a page navigation (the browser's own request for a document), which may be redirected to
     * sign-in; false for XHR/fetch and API calls, which get JSON.
     */
    static boolean wantsPage(Request request) {
        String method = request.getMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return false;
        }
        String mode = request.getHeaders().get("Sec-Fetch-Mode");
        if (mode != null) {
            return mode.equals("navigate");
        }
        if (request.getHeaders().get("X-Requested-With") != null) {
            return false;
        }
        String accept = request.getHeaders().get(HttpHeader.ACCEPT);
        return accept == null || accept.contains("text/html") || (accept.contains("*/*") && !accept.contains("json"));
    }

    /** An HTML page, or for a script the same as JSON ({@code error}, {@code error_description}). */
    static void answer(Request request, Response response, Callback callback, int status, String error, String title, String message,
                       String linkText, String link) {
        if (!wantsPage(request)) {
            GatewayResponses.error(response, callback, status, error, message);
            return;
        }
        StringBuilder html = new StringBuilder(1024);
        html.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">")
                .append("<title>").append(escape(title)).append("</title><style>body{font:16px system-ui,sans-serif;max-width:40em;")
                .append("margin:4em auto;padding:0 1em;color:#222}h1{font-size:1.4em}code{background:#f3f3f3;padding:0 .2em}</style></head><body>")
                .append("<h1>").append(escape(title)).append("</h1><p id=\"message\">").append(escape(message)).append("</p>");
        if (link != null) {
            html.append("<p><a id=\"action\" href=\"").append(escape(link)).append("\">").append(escape(linkText)).append("</a></p>");
        }
        html.append("<p><small>error: <code>").append(escape(error)).append("</code></small></p></body></html>");
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/html; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.write(true, ByteBuffer.wrap(html.toString().getBytes(StandardCharsets.UTF_8)), callback);
    }

    /** A {@code 302} to {@code location}, never cached. */
    static void redirect(Response response, Callback callback, String location) {
        response.setStatus(302);
        response.getHeaders().put(HttpHeader.LOCATION, location);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
        response.write(true, null, callback);
    }

    static String escape(String text) {
        StringBuilder b = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
