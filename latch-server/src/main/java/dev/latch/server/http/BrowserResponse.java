package dev.latch.server.http;

import java.util.ArrayList;
import java.util.List;

/** A response to a browser: a {@link Response} plus the {@code Set-Cookie} values it carries (one header each). */
public record BrowserResponse(Response response, List<String> cookies) {

    /**
     * The longest query a POSTed browser request is repeated with as a top-level GET: the browser sends
     * the link back here, where the request line and headers must fit in Jetty's 8 KiB (and the
     * {@code Location} header in its 8 KiB of response headers; past that Jetty could only fail the answer).
     */
    public static final int MAX_REPEATED_QUERY = 6 * 1024;

    public static BrowserResponse of(Response response) {
        return new BrowserResponse(response, List.of());
    }

    /**
     * A cross-site POST carries no {@code SameSite=Lax} session cookie, so it is sent back to the
     * browser as a {@code 303} to a GET of {@code url} with the same parameters ({@code query}, encoded);
     * empty when the query is longer than {@link #MAX_REPEATED_QUERY}, for the caller to refuse.
     */
    public static java.util.Optional<BrowserResponse> repeatAsGet(String url, String query) {
        if (query.length() > MAX_REPEATED_QUERY) return java.util.Optional.empty();
        return java.util.Optional.of(of(Response.empty(303).withHeader("Location", query.isEmpty() ? url : url + "?" + query)
                .withHeader("Cache-Control", "no-store")));
    }

    public BrowserResponse withCookie(String setCookie) {
        List<String> all = new ArrayList<>(cookies);
        all.add(setCookie);
        return new BrowserResponse(response, List.copyOf(all));
    }
}
