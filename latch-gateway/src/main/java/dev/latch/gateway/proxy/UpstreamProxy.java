package dev.latch.gateway.proxy;

import dev.latch.gateway.config.GatewayConfig;
import dev.latch.gateway.http.GatewayResponses;
import dev.latch.gateway.route.Routes;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.URIUtil;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Forwards a route's requests to its upstream on Jetty's proxy core: bodies streamed both ways (never
 * buffered whole), pooled upstream connections, hop-by-hop headers removed (RFC 9110 §7.6.1, done by
 * {@link ProxyHandler}), {@code Via}, {@code Forwarded} (RFC 7239) and {@code X-Forwarded-For/-Proto/-Host}
 * set, connect/idle/total time limits, and a JSON {@code 502}/{@code 504} when the upstream fails.
 *
 * <p>What the gateway asserts upstream (identity headers, an attached token) is handed over in
 * request attributes by the route's handler; the caller's own copies of those headers never pass.
 */
public final class UpstreamProxy extends ProxyHandler {

    /** {@link HttpFields} the route's handler wants added to the upstream request. */
    public static final String ADD_HEADERS = UpstreamProxy.class.getName() + ".addHeaders";
    /** A {@link ResponseBodyFilter} that must see the whole upstream response before the caller does (smart routes). */
    public static final String RESPONSE_FILTER = UpstreamProxy.class.getName() + ".responseFilter";
    /** A {@code Set<String>} of lower-case header names of the caller's that must not go upstream for this request. */
    public static final String REMOVE_HEADERS = UpstreamProxy.class.getName() + ".removeHeaders";
    /** Set when the caller's {@code Authorization} may pass upstream (protect with forward-token). */
    public static final String KEEP_AUTHORIZATION = UpstreamProxy.class.getName() + ".keepAuthorization";
    /**
     * Request attribute (any value): stream the response body as usual, but write the chunks already received
     * from the upstream in one write instead of one each (smart routes: HAPI FHIR flushes its JSON value by value,
     * ~100 HTTP chunks for a small Bundle). Never waits for more data than has arrived.
     */
    public static final String COALESCE_CONTENT = UpstreamProxy.class.getName() + ".coalesceContent";
    /** The most a coalesced write gathers. */
    static final int COALESCE_MAX_BYTES = 64 * 1024;

    private static final Set<String> FORWARDED = Set.of("x-forwarded-for", "x-forwarded-proto", "x-forwarded-host",
            "x-forwarded-port", "x-real-ip");

    private final GatewayConfig.Route route;
    private final String upstreamOrigin;
    private final String upstreamBase;
    private final Set<String> assertedHeaders;
    /** Upstream response headers that would let a cache keep an answer of a token-checked route (see {@link #handle}). */
    private static final Set<String> CACHING = Set.of("cache-control", "expires", "pragma");
    private final UpstreamFailureListener failures;
    private volatile UpstreamResponseHook responseHook;

    /** Told about each upstream failure (for metrics and health). */
    public interface UpstreamFailureListener {
        void upstreamFailed(GatewayConfig.Route route, int status, Throwable cause);
    }

    /**
     * Sees an upstream response before the caller does; returning true takes it over (the proxy writes
     * nothing of it). Used by attach to renew its token and retry once on a {@code 401}.
     */
    public interface UpstreamResponseHook {
        boolean intercept(Request clientRequest, org.eclipse.jetty.client.Response upstreamResponse);

        /** Called once the intercepted response is complete; must finish {@code callback} one way or another. */
        void intercepted(Request clientRequest, Response response, Callback callback);
    }

    /**
     * Reads an upstream response whole (up to {@link #maxBytes()}) and decides what the caller gets: the response as
     * it came ({@link Answer#pass}), with another body ({@link Answer#replace}), or the filter's own answer
     * ({@link #refuse}). Nothing of the upstream response reaches the caller before {@link #answer} has run.
     */
    public interface ResponseBodyFilter {

        /** What the caller gets: null body = the upstream's own; else this body (same status and headers). */
        record Answer(byte[] body) {
            public static final Answer PASS = new Answer(null);

            public static Answer pass() {
                return PASS;
            }

            public static Answer replace(byte[] body) {
                return new Answer(body);
            }
        }

        long maxBytes();

        /**
         * @param body the whole body, or null when it was larger than {@link #maxBytes()}
         * @return the answer, or null when the filter answered the caller itself through {@link #refuse}
         */
        Answer answer(int status, HttpFields headers, byte[] body);

        /** Writes the filter's own answer (called when {@link #answer} returned null). */
        void refuse(Response response, Callback callback);
    }

    /**
     * @param assertedHeaders header names only the gateway may set (identity headers of every route);
     *                        removed from every caller's request whatever the mode
     */
    public UpstreamProxy(GatewayConfig.Route route, List<String> assertedHeaders, UpstreamFailureListener failures) {
        this.route = route;
        URI upstream = route.upstream();
        this.upstreamOrigin = upstream.getScheme() + "://" + upstream.getRawAuthority();
        String path = upstream.getRawPath();
        this.upstreamBase = path == null || path.isEmpty() ? null : path;
        this.assertedHeaders = assertedHeaders.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(java.util.stream.Collectors.toUnmodifiableSet());
        this.failures = failures;
        setUseServerThreadPool(true);
        setViaHost("latch-gateway");
    }

    public void responseHook(UpstreamResponseHook hook) {
        this.responseHook = hook;
    }

    public GatewayConfig.Route route() {
        return route;
    }

    @Override
    protected HttpClient newHttpClient() {
        ClientConnector connector = new ClientConnector();
        connector.setSslContextFactory(new SslContextFactory.Client());
        HttpClient client = new HttpClient(new org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP(connector));
        client.setConnectTimeout(route.timeouts().connect().toMillis());
        client.setIdleTimeout(route.timeouts().idle().toMillis());
        client.setMaxConnectionsPerDestination(1024);
        client.setMaxRequestsQueuedPerDestination(8192);
        // upstream's Set-Cookie and redirects go to the caller untouched
        client.setFollowRedirects(false);
        client.setUserAgentField(null);
        return client;
    }

    /** The upstream URL: the upstream's base path in place of the route's path (or the whole path when it has none). */
    @Override
    protected HttpURI rewriteHttpURI(Request request) {
        String path = request.getHttpURI().getCanonicalPath();
        String target;
        if (upstreamBase == null) {
            target = path;
        } else {
            String rest = Routes.remainder(route.path(), path);
            target = rest.isEmpty() ? upstreamBase : (upstreamBase.endsWith("/") ? upstreamBase : upstreamBase + "/") + rest;
        }
        String query = request.getHttpURI().getQuery();
        return HttpURI.build(upstreamOrigin + URIUtil.encodePath(target) + (query == null ? "" : "?" + query));
    }

    /** The upstream URL of {@code request} (for the WebSocket relay, which does not go through the proxy). */
    public URI target(Request request) {
        return rewriteHttpURI(request).toURI();
    }

    /** Header names (lower case) of {@code request} that must not reach the upstream. */
    public Set<String> removed(Request request) {
        Set<String> out = new java.util.HashSet<>(assertedHeaders);
        if (request.getAttribute(REMOVE_HEADERS) instanceof Set<?> remove) {
            for (Object name : remove) out.add((String) name);
        }
        if (request.getAttribute(KEEP_AUTHORIZATION) == null) {
            out.add("authorization");
        }
        return out;
    }

    @Override
    protected org.eclipse.jetty.client.Request newProxyToServerRequest(Request request, HttpURI uri) {
        return super.newProxyToServerRequest(request, uri)
                .idleTimeout(route.timeouts().idle().toMillis(), TimeUnit.MILLISECONDS)
                .timeout(route.timeouts().total().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void copyRequestHeaders(Request request, org.eclipse.jetty.client.Request upstream) {
        super.copyRequestHeaders(request, upstream);
        boolean keepAuthorization = request.getAttribute(KEEP_AUTHORIZATION) != null;
        HttpFields add = (HttpFields) request.getAttribute(ADD_HEADERS);
        @SuppressWarnings("unchecked")
        Set<String> remove = request.getAttribute(REMOVE_HEADERS) instanceof Set<?> r ? (Set<String>) r : Set.of();
        upstream.headers(h -> {
            for (HttpField field : request.getHeaders()) {
                String name = field.getLowerCaseName();
                if (assertedHeaders.contains(name) || FORWARDED.contains(name) || remove.contains(name)
                        || (field.getHeader() == HttpHeader.AUTHORIZATION && !keepAuthorization)) {
                    h.remove(field.getName());
                }
            }
            if (add != null) {
                for (HttpField field : add) {
                    h.put(field);
                }
            }
        });
    }

    @Override
    protected void addProxyHeaders(Request request, org.eclipse.jetty.client.Request upstream) {
        super.addProxyHeaders(request, upstream);
        String remote = Request.getRemoteAddr(request);
        String prior = request.getHeaders().get("X-Forwarded-For");
        String host = request.getHeaders().get(HttpHeader.HOST);
        String proto = request.isSecure() ? "https" : "http";
        upstream.headers(h -> {
            h.put("X-Forwarded-For", prior == null || prior.isBlank() ? remote : prior + ", " + remote);
            h.put("X-Forwarded-Proto", proto);
            if (host != null) {
                h.put("X-Forwarded-Host", host);
            }
        });
    }

    /**
     * On routes that check the caller's token (protect, smart) every answer is {@code Cache-Control: no-store}, the
     * upstream's caching headers dropped: the gateway let it through for one token, and a browser cache must not hand it
     * to the next person using the same browser (a shared ward workstation, say) without the gateway's check. Without it
     * a browser may keep a response that has {@code Last-Modified} (every FHIR read) by heuristic freshness.
     */
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (route.mode().protects()) {
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        }
        return super.handle(request, response, callback);
    }

    @Override
    protected HttpField filterServerToProxyResponseField(HttpField field) {
        // on a route with CORS rules the gateway alone answers CORS, so the upstream cannot widen them
        if (route.cors() != null && field.getLowerCaseName().startsWith("access-control-")) {
            return null;
        }
        if (route.mode().protects() && CACHING.contains(field.getLowerCaseName())) {
            return null;
        }
        return field;
    }

    @Override
    protected org.eclipse.jetty.client.Response.CompleteListener newServerToProxyResponseListener(Request request,
            org.eclipse.jetty.client.Request upstream, Response response, Callback callback) {
        if (request.getAttribute(RESPONSE_FILTER) instanceof ResponseBodyFilter filter) {
            return new FilteredListener(request, upstream, response, callback, filter);
        }
        UpstreamResponseHook hook = responseHook;
        if (hook == null && request.getAttribute(COALESCE_CONTENT) != null) {
            return new CoalescingListener(request, upstream, response, callback);
        }
        if (hook == null) {
            return super.newServerToProxyResponseListener(request, upstream, response, callback);
        }
        return new HookedListener(request, upstream, response, callback, hook);
    }

    @Override
    protected void onServerToProxyResponseFailure(Request request, org.eclipse.jetty.client.Request upstream,
            org.eclipse.jetty.client.Response upstreamResponse, Response response, Callback callback, Throwable failure) {
        boolean timeout = failure instanceof TimeoutException || failure.getCause() instanceof TimeoutException
                || (failure.getMessage() != null && failure.getMessage().toLowerCase(Locale.ROOT).contains("timeout"));
        Throwable tooLarge = RequestSizeLimit.tooLarge(failure);
        int status = tooLarge != null ? 413 : timeout ? 504 : 502;
        if (tooLarge == null) {
            failures.upstreamFailed(route, status, failure);
        }
        if (response.isCommitted()) {
            callback.failed(failure);
            return;
        }
        response.reset();
        if (tooLarge != null) {
            GatewayResponses.error(response, callback, 413, "request_too_large",
                    "the request body is larger than this route accepts (" + route.maxBodyBytes() + " bytes)");
        } else {
            GatewayResponses.error(response, callback, status, timeout ? "upstream_timeout" : "upstream_unavailable",
                    timeout ? "the upstream service did not answer in time" : "the upstream service cannot be reached");
        }
    }

    /**
     * The proxy's own listener, reading the upstream body itself: every chunk already parsed is gathered (up to
     * {@link #COALESCE_MAX_BYTES}) and written downstream in one write; then it demands more, as Jetty's default
     * ({@code Response.AsyncContentListener.onContentSource}) does after each chunk. Failures as there.
     */
    private final class CoalescingListener extends ProxyResponseListener {
        private final Object lock = new Object();
        private boolean writing;
        private org.eclipse.jetty.client.Response succeeded;

        CoalescingListener(Request request, org.eclipse.jetty.client.Request upstream, Response response, Callback callback) {
            super(request, upstream, response, callback);
        }

        /** The end reached while a gathered write is still under way (the end was read with it): after that write. */
        @Override
        public void onSuccess(org.eclipse.jetty.client.Response upstreamResponse) {
            synchronized (lock) {
                if (writing) {
                    succeeded = upstreamResponse;
                    return;
                }
            }
            super.onSuccess(upstreamResponse);
        }

        /** Done with the body for now: the end, if it came meanwhile, else (with {@code next}) a demand for more. */
        private void idle(org.eclipse.jetty.io.Content.Source source, Runnable next) {
            org.eclipse.jetty.client.Response done;
            synchronized (lock) {
                writing = false;
                done = succeeded;
                succeeded = null;
            }
            if (done != null) {
                super.onSuccess(done);
            } else if (next != null) {
                source.demand(next);
            }
        }

        @Override
        public void onContentSource(org.eclipse.jetty.client.Response upstreamResponse, org.eclipse.jetty.io.Content.Source source) {
            Runnable next = org.eclipse.jetty.util.thread.Invocable.from(org.eclipse.jetty.util.thread.Invocable.getInvocationType(source),
                    () -> onContentSource(upstreamResponse, source));
            synchronized (lock) {
                writing = true; // from the first read: the end may be read here, its onSuccess then waits for the write
            }
            org.eclipse.jetty.io.Content.Chunk first = source.read();
            if (first == null) {
                idle(source, next);
                return;
            }
            if (failed(upstreamResponse, source, first, List.of())) {
                return;
            }
            if (first.isLast() && !first.hasRemaining()) {
                first.release();
                idle(source, null);
                return;
            }
            java.util.ArrayList<org.eclipse.jetty.io.Content.Chunk> more = new java.util.ArrayList<>();
            long total = first.remaining();
            boolean last = first.isLast();
            while (!last && total < COALESCE_MAX_BYTES) {
                org.eclipse.jetty.io.Content.Chunk chunk = source.read();
                if (chunk == null) {
                    break;
                }
                if (failed(upstreamResponse, source, chunk, more)) {
                    first.release();
                    return;
                }
                if (chunk.isLast() && !chunk.hasRemaining()) {
                    chunk.release(); // the end: read again, it answers the end again; onSuccess writes it downstream
                    break;
                }
                more.add(chunk);
                total += chunk.remaining();
                last = chunk.isLast();
            }
            org.eclipse.jetty.io.Content.Chunk out = first;
            if (!more.isEmpty()) {
                java.nio.ByteBuffer all = java.nio.ByteBuffer.allocate((int) total);
                all.put(first.getByteBuffer());
                first.release();
                for (org.eclipse.jetty.io.Content.Chunk chunk : more) {
                    all.put(chunk.getByteBuffer());
                    chunk.release();
                }
                out = org.eclipse.jetty.io.Content.Chunk.from(all.flip(), false, () -> { });
            }
            try {
                onContent(upstreamResponse, out, () -> idle(source, next));
            } catch (Throwable failure) {
                out.release();
                upstreamResponse.abort(failure);
                source.fail(failure);
                return;
            }
            out.release();
        }

        /** A failure chunk: the response aborted as Jetty's default listener does; {@code held} released. */
        private boolean failed(org.eclipse.jetty.client.Response upstreamResponse, org.eclipse.jetty.io.Content.Source source,
                               org.eclipse.jetty.io.Content.Chunk chunk, List<org.eclipse.jetty.io.Content.Chunk> held) {
            if (!org.eclipse.jetty.io.Content.Chunk.isFailure(chunk)) {
                return false;
            }
            held.forEach(org.eclipse.jetty.io.Content.Chunk::release);
            upstreamResponse.abort(chunk.getFailure());
            if (!chunk.isLast()) {
                source.fail(chunk.getFailure());
            }
            return true;
        }
    }

    /** Lets the hook see the status first; otherwise behaves as the proxy's own listener. */
    private final class HookedListener extends ProxyResponseListener {
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final UpstreamResponseHook hook;
        private boolean intercepted;

        HookedListener(Request request, org.eclipse.jetty.client.Request upstream, Response response, Callback callback, UpstreamResponseHook hook) {
            super(request, upstream, response, callback);
            this.request = request;
            this.response = response;
            this.callback = callback;
            this.hook = hook;
        }

        @Override
        public void onBegin(org.eclipse.jetty.client.Response upstreamResponse) {
            intercepted = hook.intercept(request, upstreamResponse);
            if (!intercepted) super.onBegin(upstreamResponse);
        }

        @Override
        public void onHeaders(org.eclipse.jetty.client.Response upstreamResponse) {
            if (!intercepted) super.onHeaders(upstreamResponse);
        }

        @Override
        public void onContent(org.eclipse.jetty.client.Response upstreamResponse, org.eclipse.jetty.io.Content.Chunk chunk, Runnable demander) {
            if (intercepted) {
                demander.run();
            } else {
                super.onContent(upstreamResponse, chunk, demander);
            }
        }

        @Override
        public void onSuccess(org.eclipse.jetty.client.Response upstreamResponse) {
            if (!intercepted) super.onSuccess(upstreamResponse);
        }

        @Override
        public void onComplete(Result result) {
            if (intercepted && result.isSucceeded()) {
                hook.intercepted(request, response, callback);
            } else {
                super.onComplete(result);
            }
        }
    }

    /**
     * Holds the upstream response back until it is complete, then lets the filter decide; the upstream's status
     * and headers are copied (by the proxy's own rules) only when its answer goes to the caller.
     */
    private final class FilteredListener extends ProxyResponseListener {
        private final Response response;
        private final ResponseBodyFilter filter;
        private final long max;
        private java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream(8192);

        FilteredListener(Request request, org.eclipse.jetty.client.Request upstream, Response response, Callback callback,
                         ResponseBodyFilter filter) {
            super(request, upstream, response, callback);
            this.response = response;
            this.filter = filter;
            this.max = filter.maxBytes();
        }

        @Override
        public void onBegin(org.eclipse.jetty.client.Response upstreamResponse) {
            // the status is set once the filter has decided
        }

        @Override
        public void onHeaders(org.eclipse.jetty.client.Response upstreamResponse) {
            // copied once the filter has decided
        }

        @Override
        public void onContent(org.eclipse.jetty.client.Response upstreamResponse, org.eclipse.jetty.io.Content.Chunk chunk, Runnable demander) {
            if (body != null) {
                java.nio.ByteBuffer buffer = chunk.getByteBuffer();
                if (body.size() + (long) buffer.remaining() > max) {
                    body = null;
                } else if (buffer.hasArray()) {
                    body.write(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
                } else {
                    byte[] copy = new byte[buffer.remaining()];
                    buffer.duplicate().get(copy);
                    body.write(copy, 0, copy.length);
                }
            }
            demander.run();
        }

        @Override
        public void onSuccess(org.eclipse.jetty.client.Response upstreamResponse) {
            ResponseBodyFilter.Answer answer;
            try {
                answer = filter.answer(upstreamResponse.getStatus(), upstreamResponse.getHeaders(), body == null ? null : body.toByteArray());
            } catch (RuntimeException e) {
                failed(e);
                return;
            }
            if (answer == null) {
                filter.refuse(response, this);
                return;
            }
            super.onBegin(upstreamResponse);
            super.onHeaders(upstreamResponse);
            byte[] out = answer.body() != null ? answer.body() : body.toByteArray();
            if (answer.body() != null) {
                response.getHeaders().remove(HttpHeader.CONTENT_LENGTH);
                response.getHeaders().remove(HttpHeader.ETAG);
            }
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, out.length);
            response.write(true, java.nio.ByteBuffer.wrap(out), this);
        }
    }

    /** Sends {@code request} upstream again (after an intercepted answer); the hook decides when. */
    public void resend(Request request, Response response, Callback callback) {
        handle(request, response, callback);
    }
}
