package dev.latch.resource;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The JDK HttpServer filter in a real com.sun.net.httpserver.HttpServer: the RFC 6750 answers of {@link BearerFilterContract}. */
class HttpServerBearerFilterTest extends BearerFilterContract {

    static HttpServer server;
    static URI base;

    @BeforeAll
    static void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        com.sun.net.httpserver.HttpHandler handler = exchange -> {
            SERVED.incrementAndGet();
            byte[] body = scopes((TokenPrincipal) exchange.getAttribute(TokenPrincipal.class.getName())).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (var out = exchange.getResponseBody()) {
                out.write(body);
            }
        };
        HttpContext context = server.createContext("/", handler);
        context.getFilters().add(new HttpServerBearerFilter(validator(), rule(), METADATA));
        server.createContext("/down/", handler).getFilters().add(new HttpServerBearerFilter(unreachableIssuerValidator(), rule(), METADATA));
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    @Override
    URI base() {
        return base;
    }
}
