package dev.latch.server.http;

import dev.latch.core.error.OAuthError;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The one place that knows the HTTP framework (Javalin on Jetty): serves the {@link Routes} the
 * features added, turning each exchange into a {@link Request} and copying each {@link Response}
 * out. Two kinds of listener: the public one (virtual threads, CORS, request metrics, JSON errors)
 * and the loopback management one ({@code /healthz}, {@code /metrics}).
 */
public final class HttpAdapter implements AutoCloseable {

    /** The browser origins allowed to call cross-origin paths. */
    public interface CrossOrigin {
        Map<String, String> headers(String origin);

        Response preflight(String origin, String requestMethod);

        /** Headers for an answer any origin may read (a public document, no credentials). */
        Map<String, String> anyOriginHeaders();

        /** The preflight answer for a path any origin may read. */
        Response anyOriginPreflight(String requestMethod);
    }

    /** Told of every answered request on the public listener: its route pattern, method, status and duration. */
    @FunctionalInterface
    public interface Observer {
        void request(String route, String method, int status, long nanos);
    }

    /** How much of an oversized body is read and dropped so that the error answer reaches the client. */
    private static final long DRAIN_LIMIT = 4L * 1024 * 1024;

    private final Javalin app;

    private HttpAdapter(Javalin app) {
        this.app = app;
    }

    /**
     * A failure the client may retry (a saturated work queue, a database that cannot serve now): answered
     * {@code 503 temporarily_unavailable} with {@code Retry-After}, as RFC 6749 §5.2 JSON or, on a browser
     * route, as the error page. Never a 500.
     *
     * @param description the public {@code error_description} (the exception's message goes to the log only)
     */
    public record Retryable(Class<? extends RuntimeException> type, String description, int retryAfterSeconds) {}

    /** The HTML error page browser routes answer with. */
    @FunctionalInterface
    public interface ErrorPage {
        Response render(int status, String title, String message, String code);
    }

    /**
     * Starts the public listener on {@code port} (every interface), over TLS when {@code tls} is a key
     * store (null: plain HTTP). An exception of a {@code retryable} type is answered {@code 503
     * temporarily_unavailable} with {@code Retry-After}: JSON, or {@code page} on browser routes. Each request's
     * {@link Request#remoteAddress()} is what {@code clients} makes of the peer and {@code X-Forwarded-For}.
     */
    public static HttpAdapter startPublic(int port, KeyStore tls, String base, CrossOrigin cors, Observer observer,
                                          List<Retryable> retryable, ErrorPage page, ClientAddress clients,
                                          List<? extends Routes.Source> features) {
        Table table = new Table(base, clients);
        features.forEach(feature -> feature.addRoutes(table));
        Javalin app = Javalin.create(c -> {
            c.concurrency.useVirtualThreads = true;
            c.startup.showJavalinBanner = false;
            c.http.maxRequestSize = FormParameters.MAX_BODY + 1;
            // Token, registration and introspection responses hold secrets next to values the client
            // chose: compressing them over TLS invites BREACH-style guessing. The bodies are small anyway.
            c.http.compressionStrategy = CompressionStrategy.NONE;
            c.jetty.port = port;
            // answers say Connection: close whenever the connection cannot carry another request
            KeepAlive.install(c.jetty);
            if (tls != null) {
                TlsConnector.configure(c, tls, port);
            }
            c.routes.before(ctx -> ctx.attribute("latch.t0", System.nanoTime()));
            c.routes.before(ctx -> {
                if (ctx.method() != HandlerType.OPTIONS && table.crossOrigin.contains(ctx.path())) {
                    cors.headers(ctx.header("Origin")).forEach(ctx::header);
                }
                if (ctx.method() != HandlerType.OPTIONS && table.anyOrigin.contains(ctx.path())) {
                    cors.anyOriginHeaders().forEach(ctx::header);
                }
            });
            for (String path : table.crossOrigin) {
                c.routes.addEndpoint(new Endpoint(HandlerType.OPTIONS, path,
                        ctx -> write(ctx, cors.preflight(ctx.header("Origin"), ctx.header("Access-Control-Request-Method")))));
            }
            for (String path : table.anyOrigin) {
                c.routes.addEndpoint(new Endpoint(HandlerType.OPTIONS, path,
                        ctx -> write(ctx, cors.anyOriginPreflight(ctx.header("Access-Control-Request-Method")))));
            }
            c.routes.after(ctx -> {
                Long t0 = ctx.attribute("latch.t0");
                if (t0 != null) {
                    // ctx.endpoint() here is this after-handler ("*"); the route is the HTTP endpoint that ran
                    Endpoint matched = ctx.endpoints().lastHttpEndpoint();
                    String route = matched == null ? "unmatched" : matched.path;
                    observer.request(route, ctx.method().name(), ctx.statusCode(), System.nanoTime() - t0);
                }
            });
            c.routes.exception(io.javalin.http.HttpResponseException.class, (e, ctx) -> write(ctx, e.getStatus() >= 500
                    ? ErrorRenderer.unexpected(e)
                    : ErrorRenderer.json(OAuthError.of("invalid_request", e.getStatus(), "the request cannot be served"))));
            for (Retryable r : retryable) {
                c.routes.exception(r.type(), (e, ctx) -> {
                    OAuthError error = OAuthError.of("temporarily_unavailable", 503, r.description()).withDetail(e.getMessage());
                    Endpoint matched = ctx.endpoints().lastHttpEndpoint();
                    Response answer = matched != null && table.pages.contains(matched)
                            ? ErrorRenderer.page(error, page)
                            : ErrorRenderer.json(error);
                    write(ctx, answer.withHeader("Retry-After", String.valueOf(r.retryAfterSeconds())));
                });
            }
            c.routes.exception(Exception.class, (e, ctx) -> write(ctx, ErrorRenderer.unexpected(e)));
            table.register(c);
        });
        app.start(port);
        return new HttpAdapter(app);
    }

    /** Starts the management listener on {@code host} (loopback by default) and {@code port}. */
    public static HttpAdapter startManagement(String host, int port, List<? extends Routes.Source> features) {
        Table table = new Table("", ClientAddress.PEER);
        features.forEach(feature -> feature.addRoutes(table));
        Javalin app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            KeepAlive.install(c.jetty);
            table.register(c);
        }).start(host, port);
        return new HttpAdapter(app);
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }

    /** The routes the features added, registered with Javalin once all are known. */
    private static final class Table implements Routes {
        private final String base;
        private final ClientAddress clients;
        private final List<Endpoint> endpoints = new ArrayList<>();
        private final Set<String> crossOrigin = new LinkedHashSet<>();
        private final Set<String> anyOrigin = new LinkedHashSet<>();
        /** The endpoints that answer a browser: their failures are pages, not JSON. */
        private final Set<Endpoint> pages = Collections.newSetFromMap(new java.util.IdentityHashMap<>());

        Table(String base, ClientAddress clients) {
            this.base = base;
            this.clients = clients;
        }

        @Override public String base() {
            return base;
        }

        @Override public Routes add(String method, String path, Handler handler) {
            endpoints.add(new Endpoint(HandlerType.findOrCreate(method), path, ctx -> write(ctx, handler.handle(request(ctx, clients)))));
            return this;
        }

        @Override public Routes addPage(String method, String path, PageHandler handler) {
            Endpoint endpoint = new Endpoint(HandlerType.findOrCreate(method), path, ctx -> write(ctx, handler.handle(request(ctx, clients))));
            endpoints.add(endpoint);
            pages.add(endpoint);
            return this;
        }

        @Override public Routes crossOrigin(String path) {
            crossOrigin.add(path);
            return this;
        }

        @Override public Routes anyOrigin(String path) {
            if (crossOrigin.contains(path)) {
                throw new IllegalStateException(path + " is already open to the clients' origins only");
            }
            anyOrigin.add(path);
            return this;
        }

        void register(JavalinConfig c) {
            endpoints.forEach(c.routes::addEndpoint);
        }
    }

    static Request request(Context ctx, ClientAddress clients) throws IOException {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : Collections.list(ctx.req().getHeaderNames())) {
            headers.put(name.toLowerCase(Locale.ROOT), Collections.list(ctx.req().getHeaders(name)));
        }
        String ip = clients.of(ctx.ip(), headers.get("x-forwarded-for"));
        Map<String, List<String>> query = new LinkedHashMap<>(ctx.queryParamMap());
        Map<String, String> pathParams = ctx.pathParamMap().isEmpty() ? Map.of() : Map.copyOf(ctx.pathParamMap());
        byte[] body;
        long declared = ctx.req().getContentLengthLong();
        if (declared > FormParameters.MAX_BODY + DRAIN_LIMIT) {
            // Nothing of a body past every bound is read (nor waited for): the answer says the connection closes.
            ctx.header("Connection", "close");
            return new Request(ctx.method().name(), ctx.path(), headers, query, new byte[FormParameters.MAX_BODY + 1], ip, pathParams);
        }
        try (InputStream in = ctx.req().getInputStream()) {
            // Sized by Content-Length when it is given: readNBytes(64 KiB) would allocate a 16 KiB buffer per request.
            body = declared >= 0 && declared <= FormParameters.MAX_BODY ? in.readNBytes((int) declared) : in.readNBytes(FormParameters.MAX_BODY + 1);
            if (body.length > FormParameters.MAX_BODY) {
                // Read (and drop) a moderately oversized rest before answering: closing a socket with unread
                // data makes TCP reset it, and the client would lose the 400 it is owed. Past the bound, close.
                long dropped = 0;
                byte[] sink = new byte[8192];
                int n;
                while (dropped < DRAIN_LIMIT && (n = in.read(sink, 0, (int) Math.min(sink.length, DRAIN_LIMIT - dropped))) > 0) {
                    dropped += n;
                }
            }
        } catch (IOException | RuntimeException e) {
            body = new byte[FormParameters.MAX_BODY + 1];
        }
        if (body.length > FormParameters.MAX_BODY) {
            // The rest of the body stays unread, so the connection cannot carry another request: say so,
            // or a client reusing it sends its next request into a closing socket.
            ctx.header("Connection", "close");
        }
        return new Request(ctx.method().name(), ctx.path(), headers, query, body, ip, pathParams);
    }

    /** Copies a browser response out: its cookies, one {@code Set-Cookie} header each, then the response. */
    static void write(Context ctx, BrowserResponse response) {
        for (String cookie : response.cookies()) {
            ctx.res().addHeader("Set-Cookie", cookie);
        }
        write(ctx, response.response());
    }

    /**
     * Copies an endpoint's response out. The body goes straight to the servlet stream with its length:
     * Javalin's {@code ctx.result(byte[])} would copy it through a new 32 KiB buffer per response, a
     * third of the token endpoint's garbage. Compression is off on the public listener, so bypassing
     * Javalin's compressing stream changes nothing else.
     */
    static void write(Context ctx, Response response) {
        ctx.status(response.status());
        response.headers().forEach(ctx::header);
        byte[] body = response.body();
        if (body.length == 0) {
            return;
        }
        if (!response.headers().containsKey("Content-Type")) {
            ctx.contentType("application/json");
        }
        ctx.res().setContentLength(body.length);
        try {
            ctx.res().getOutputStream().write(body);
        } catch (IOException e) {
            throw new UncheckedIOException("writing the response failed", e);
        }
    }
}
