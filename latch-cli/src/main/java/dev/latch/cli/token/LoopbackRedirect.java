package dev.latch.cli.token;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The loopback redirect of a native app (RFC 8252 §7.3): listens on 127.0.0.1 (an ephemeral port
 * unless one is given) for the one authorization response at {@code /callback}, checks it with the
 * caller's rule, shows the person a short page saying what happened, and hands the parameters over.
 * The rule is in place before the listener starts, so no request (however early) is accepted
 * unchecked; a refused request (no or a wrong {@code state}, say: stray or forged by another local
 * process) gets a 400 page but does not end the wait, so it can neither complete nor abort the sign-in.
 */
final class LoopbackRedirect implements AutoCloseable {

    static final String PATH = "/callback";

    /** The authorization response (RFC 6749 §4.1.2 / §4.1.2.1) and, when it ends the flow unsuccessfully, why (one line). */
    record Response(Map<String, String> parameters, String problem) {}

    /**
     * What the caller's rule makes of a request: accepted ({@code problem} null), refused while the
     * wait goes on ({@code ends} false), or the end of the flow with a problem (an error response
     * that belongs to this sign-in, e.g. {@code access_denied}).
     */
    record Verdict(String problem, boolean ends) {
        static final Verdict ACCEPTED = new Verdict(null, true);

        /** Refused with a 400 page; the wait goes on. */
        static Verdict refused(String problem) {
            return new Verdict(problem, false);
        }

        /** The response of this sign-in, unsuccessful: the wait ends with {@code problem}. */
        static Verdict failed(String problem) {
            return new Verdict(problem, true);
        }
    }

    private final HttpServer server;
    private final CompletableFuture<Response> response = new CompletableFuture<>();
    private final Function<Map<String, String>, Verdict> check;
    private final Consumer<String> refusals;
    private volatile String lastRefusal;

    private LoopbackRedirect(HttpServer server, Function<Map<String, String>, Verdict> check, Consumer<String> refusals) {
        this.server = server;
        this.check = check;
        this.refusals = refusals;
    }

    /**
     * Listens on 127.0.0.1:{@code port} (0 for any free port), judging every request to
     * {@code /callback} by {@code check} from the first one on; {@code refusals} hears why a request
     * was refused (one line) while the wait goes on.
     */
    static LoopbackRedirect listen(int port, Function<Map<String, String>, Verdict> check, Consumer<String> refusals) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        } catch (BindException e) {
            throw new IllegalStateException("cannot listen on 127.0.0.1:" + port + " for the redirect: the port is in use (choose another --redirect-port)");
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on 127.0.0.1:" + port + " for the redirect: " + e.getMessage());
        }
        LoopbackRedirect redirect = new LoopbackRedirect(server, check, refusals);
        server.createContext("/", redirect::handle);
        server.start();
        return redirect;
    }

    /** {@code http://127.0.0.1:PORT/callback} (RFC 8252 §7.3: the loopback IP literal, not "localhost"). */
    URI redirectUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + PATH);
    }

    /** Why the last refused request was refused, or null when none was. */
    String lastRefusal() {
        return lastRefusal;
    }

    /** Waits for a response that is accepted or ends the flow (refused requests do not). */
    Response await(Duration timeout) throws TimeoutException {
        try {
            return response.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the authorization response");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        }
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            if (!PATH.equals(x.getRequestURI().getPath()) || !"GET".equals(x.getRequestMethod()) || response.isDone()) {
                page(x, 404, "Not here", "This address only receives one sign-in response.");
                return;
            }
            Map<String, String> parameters = new LinkedHashMap<>();
            String malformed = parse(x.getRequestURI().getRawQuery(), parameters);
            Verdict verdict = malformed != null ? Verdict.refused(malformed) : check.apply(parameters);
            if (verdict.problem() == null) {
                page(x, 200, "Signed in", "latch has the authorization response; you can close this window.");
            } else if (verdict.ends()) {
                page(x, 400, "Sign-in not completed", verdict.problem());
            } else {
                lastRefusal = verdict.problem();
                page(x, 400, "Request refused", verdict.problem());
                refusals.accept(verdict.problem());
                return;
            }
            response.complete(new Response(Map.copyOf(parameters), verdict.problem()));
        }
    }

    /** Query parameters; a repeated one is refused (RFC 6749 §3.1). */
    private static String parse(String rawQuery, Map<String, String> into) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "the redirect carried no parameters (neither code nor error)";
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (into.putIfAbsent(name, value) != null) {
                return "the authorization response repeats the parameter " + name;
            }
        }
        return null;
    }

    private static void page(HttpExchange x, int status, String title, String text) throws IOException {
        String html = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title></head><body><h1>"
                + escape(title) + "</h1><p>" + escape(text) + "</p></body></html>";
        byte[] body = html.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        x.sendResponseHeaders(status, body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body);
        }
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
