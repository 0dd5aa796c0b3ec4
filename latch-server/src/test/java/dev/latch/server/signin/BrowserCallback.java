package dev.latch.server.signin;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A relying party's redirect URI on loopback (JDK HttpServer) that records each authorization
 * response the browser brings back: a query (response_mode=query) or a form body (form_post).
 */
public final class BrowserCallback implements AutoCloseable {

    /** One response: how it came (GET or POST) and its parameters, still form-encoded. */
    public record Received(String method, String parameters) {
        /** The response as a URI, the shape RP libraries parse (the redirect URI plus the parameters as a query). */
        public String asUri(String redirectUri) {
            return redirectUri + "?" + parameters;
        }
    }

    private final HttpServer server;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

    public BrowserCallback() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/cb", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            boolean post = exchange.getRequestMethod().equals("POST");
            String query = exchange.getRequestURI().getRawQuery();
            received.add(new Received(exchange.getRequestMethod(), post ? body : query == null ? "" : query));
            byte[] page = "<!DOCTYPE html><title>callback</title><p>received</p>".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        server.start();
    }

    public String uri() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/cb";
    }

    /** Forgets responses from earlier cases. */
    public void clear() {
        received.clear();
    }

    /** The next response, waiting up to 20 s for the browser to arrive. */
    public Received next() throws InterruptedException {
        Received got = received.poll(20, TimeUnit.SECONDS);
        assertThat(got).as("the browser reached the callback").isNotNull();
        return got;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
