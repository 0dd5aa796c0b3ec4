package dev.latch.resource.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.latch.client.docs.DocExamples;
import dev.latch.resource.AccessTokenValidator;
import dev.latch.resource.TokenPrincipal;
import dev.latch.server.TestServer;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java of {@code docs/guides/check-tokens-in-java.md} is the compiled code of {@link CheckTokensExamples},
 * and each example admits a Latch token with the scope, and refuses a request without one or without the scope.
 */
class CheckTokensExamplesTest {

    static final String PAGE = "docs/guides/check-tokens-in-java.md";
    static final String EXAMPLES = "latch-resource/src/test/java/dev/latch/resource/docs/CheckTokensExamples.java";
    static final String API = "https://api.example.test/";

    static TestServer latch;
    static String secret;

    @BeforeAll
    static void start() {
        latch = TestServer.start(Map.of("tokens.default-audience", API));
        secret = latch.basicClient("reports-job", "reports.read reports.write").clientSecret();
    }

    @AfterAll
    static void stop() {
        latch.close();
    }

    static String token(String scope) throws Exception {
        HttpResponse<String> r = latch.postForm("/token", "grant_type=client_credentials&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8),
                "Authorization", "Basic " + Base64.getEncoder().encodeToString(("reports-job:" + secret).getBytes(StandardCharsets.UTF_8)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new ObjectMapper().readTree(r.body()).get("access_token").asText();
    }

    static int status(URI uri, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri);
        if (token != null) b.header("Authorization", "Bearer " + token);
        return TestServer.send(b.build()).statusCode();
    }

    @Test
    void pageShowsTheCompiledExamples() {
        DocExamples.assertPageShowsExactly(PAGE, EXAMPLES);
    }

    @Test
    void handleAdmitsATokenWithTheScopeAndAnswersRefusals() throws Exception {
        try (AccessTokenValidator validator = CheckTokensExamples.validator(latch.issuer(), API)) {
            CheckTokensExamples.Answer ok = CheckTokensExamples.handle(validator, "Bearer " + token("reports.read"));
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.caller().clientId()).isEqualTo("reports-job");

            CheckTokensExamples.Answer none = CheckTokensExamples.handle(validator, null);
            assertThat(none.status()).isEqualTo(401);
            assertThat(none.headers().get("WWW-Authenticate")).startsWith("Bearer");

            CheckTokensExamples.Answer scope = CheckTokensExamples.handle(validator, "Bearer " + token("reports.write"));
            assertThat(scope.status()).isEqualTo(403);
            assertThat(scope.body()).contains("insufficient_scope");
        }
    }

    @Test
    void jdkServerAdmitsOnlyTokensWithTheScope() throws Exception {
        try (AccessTokenValidator validator = CheckTokensExamples.validator(latch.issuer(), API)) {
            HttpServer server = CheckTokensExamples.jdkServer(validator, 0);
            try {
                URI uri = URI.create("http://localhost:" + server.getAddress().getPort() + "/reports/q3");
                HttpResponse<String> r = TestServer.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token("reports.read")).build());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("hello reports-job\n");
                assertThat(status(uri, null)).isEqualTo(401);
                assertThat(status(uri, token("reports.write"))).isEqualTo(403);
            } finally {
                server.stop(0);
            }
        }
    }

    @Test
    void servletListenerPutsTheFilterBeforeTheReports() throws Exception {
        Server server = new Server(new InetSocketAddress("127.0.0.1", 0));
        ServletContextHandler context = new ServletContextHandler();
        context.setInitParameter("issuer", latch.issuer());
        context.setInitParameter("audience", API);
        context.addEventListener(new CheckTokensExamples.BearerTokenSetup());
        context.addServlet(new ServletHolder(new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                TokenPrincipal caller = (TokenPrincipal) request.getAttribute(TokenPrincipal.class.getName());
                response.getWriter().print(caller == null ? "public" : "hello " + caller.subject());
            }
        }), "/*");
        server.setHandler(context);
        server.start();
        try {
            URI base = URI.create("http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort());
            HttpResponse<String> r = TestServer.send(HttpRequest.newBuilder(base.resolve("/reports/q3"))
                    .header("Authorization", "Bearer " + token("reports.read")).build());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("hello reports-job");
            assertThat(status(base.resolve("/reports/q3"), null)).isEqualTo(401);
            assertThat(status(base.resolve("/reports/q3"), token("reports.write"))).isEqualTo(403);
            assertThat(TestServer.send(HttpRequest.newBuilder(base.resolve("/health")).build()).body()).isEqualTo("public");
        } finally {
            server.stop();
        }
    }
}
