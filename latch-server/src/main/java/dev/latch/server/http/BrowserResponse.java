package dev.latch.server.http;

import java.util.ArrayList;
import java.util.List;

/** A response to a browser: a {@link Response} plus the {@code Set-Cookie} values it carries (one header each). */
public record BrowserResponse(Response response, List<String> cookies) {

    public static BrowserResponse of(Response response) {
        return new BrowserResponse(response, List.of());
    }

    public BrowserResponse withCookie(String setCookie) {
        List<String> all = new ArrayList<>(cookies);
        all.add(setCookie);
        return new BrowserResponse(response, List.copyOf(all));
    }
}
