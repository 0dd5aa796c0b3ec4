package dev.latch.server.http;

/**
 * The route table each feature adds its endpoints to; the {@link HttpAdapter} serves it. Holds no
 * framework types, so a feature (token, registration, SMART…) adds its routes in its own package
 * and never touches the HTTP framework or a central file.
 */
public interface Routes {

    /** An endpoint that answers with a protocol response. */
    @FunctionalInterface
    interface Handler {
        Response handle(Request request) throws Exception;
    }

    /** An endpoint that answers a browser, possibly setting cookies. */
    @FunctionalInterface
    interface PageHandler {
        BrowserResponse handle(Request request) throws Exception;
    }

    /** Something that serves HTTP routes: each feature's endpoint. */
    @FunctionalInterface
    interface Source {
        void addRoutes(Routes routes);
    }

    /** The issuer's path ("" for a bare host), under which the protocol endpoints are served. */
    String base();

    /**
     * Serves {@code handler} for {@code method} at {@code path}: a literal path, whose segments may be
     * {@code {name}} placeholders read with {@link Request#pathParam(String)}.
     */
    Routes add(String method, String path, Handler handler);

    /** As {@link #add}, for an endpoint that answers a browser. */
    Routes addPage(String method, String path, PageHandler handler);

    /**
     * Lets browser apps on the clients' registered origins call {@code path}: CORS headers on its
     * answers, and its preflight ({@code OPTIONS}) answered.
     */
    Routes crossOrigin(String path);

    /**
     * Lets a browser app on any origin read {@code path}, a public document without credentials (SMART's
     * {@code /.well-known/smart-configuration}, which apps read before they are registered anywhere):
     * {@code Access-Control-Allow-Origin: *} on its answers, and its preflight answered.
     */
    Routes anyOrigin(String path);

    default Routes get(String path, Handler handler) {
        return add("GET", path, handler);
    }

    default Routes post(String path, Handler handler) {
        return add("POST", path, handler);
    }
}
