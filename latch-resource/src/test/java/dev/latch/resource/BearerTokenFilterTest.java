package dev.latch.resource;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.TestServer;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Servlet filter in a real Jetty ee10 container: the RFC 6750 answers of {@link BearerFilterContract}, and form bodies left alone. */
class BearerTokenFilterTest extends BearerFilterContract {

    static Server server;
    static URI base;

    @BeforeAll
    static void start() throws Exception {
        server = new Server(new InetSocketAddress("127.0.0.1", 0));
        org.eclipse.jetty.server.handler.ContextHandlerCollection contexts = new org.eclipse.jetty.server.handler.ContextHandlerCollection();
        contexts.addHandler(context("/", validator()));
        contexts.addHandler(context("/down", unreachableIssuerValidator()));
        server.setHandler(contexts);
        server.start();
        base = URI.create("http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort());
    }

    /** The counting servlet at {@code path}, behind a filter made from {@code validator}. */
    private static ServletContextHandler context(String path, AccessTokenValidator validator) {
        ServletContextHandler context = new ServletContextHandler(path);
        context.addFilter(new FilterHolder(new BearerTokenFilter(validator, rule(), METADATA)), "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new HttpServlet() {
            @Override
            protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
                SERVED.incrementAndGet();
                String note = request.getParameter("note");
                response.setContentType("text/plain");
                response.getWriter().print(scopes((TokenPrincipal) request.getAttribute(TokenPrincipal.class.getName()))
                        + (note == null ? "" : " " + note));
            }
        }), "/*");
        return context;
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
    }

    @Override
    URI base() {
        return base;
    }

    @Test
    void requestWhenFormBodyThenLeftForTheServlet() {
        HttpResponse<String> r = TestServer.send(HttpRequest.newBuilder(base.resolve("/orders"))
                .header("Authorization", "Bearer " + token("read"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("note=hello&access_token=ignored")).build());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("client-1 read hello");
    }
}
