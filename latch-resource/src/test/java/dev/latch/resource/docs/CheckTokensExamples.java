package dev.latch.resource.docs;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;
import dev.latch.resource.AccessRule;
import dev.latch.resource.AccessTokenValidator;
import dev.latch.resource.BearerTokenFilter;
import dev.latch.resource.HttpServerBearerFilter;
import dev.latch.resource.IssuerSettings;
import dev.latch.resource.TokenPrincipal;
import dev.latch.resource.TokenRejectedException;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The Java of {@code docs/guides/check-tokens-in-java.md}; {@link CheckTokensExamplesTest} checks the guide
 * shows exactly the code between the markers and runs it against a real Latch server.
 */
final class CheckTokensExamples {

    private CheckTokensExamples() {}

    /** What a handler of any framework does: the status, challenge and body to answer, or the caller. */
    record Answer(int status, Map<String, String> headers, String body, TokenPrincipal caller) {}

    static AccessTokenValidator validator(String issuer, String audience) {
        // guide:start
        AccessTokenValidator validator = AccessTokenValidator.builder(
                        IssuerSettings.of(issuer, audience)   // e.g. "https://auth.example.org", "https://api.example.org/"
                                .withType(IssuerSettings.TokenType.AT_JWT))
                .build();   // no network yet: discovery and the JWKS are fetched on first use, then cached
        // guide:end
        return validator;
    }

    static Answer handle(AccessTokenValidator validator, String authorizationHeader) {
        // guide:start
        try {
            TokenPrincipal caller = validator.authenticate(authorizationHeader);   // the Authorization header's value
            AccessRule.anyScope("reports.read").check(caller);
            // caller.subject(), caller.clientId(), caller.scopes(), caller.roles(), caller.claims() ...
            return new Answer(200, Map.of(), "hello " + caller.subject(), caller);
        } catch (TokenRejectedException refused) {
            // 401 or 403 with an RFC 6750 challenge, or 503 with Retry-After while the issuer cannot be reached; a JSON body
            return new Answer(refused.status(), refused.headers(null), refused.json(), null);
        }
        // guide:end
    }

    static HttpServer jdkServer(AccessTokenValidator validator, int port) throws IOException {
        // guide:start
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        HttpContext reports = server.createContext("/reports/", exchange -> {
            TokenPrincipal caller = (TokenPrincipal) exchange.getAttribute(TokenPrincipal.class.getName());
            byte[] body = ("hello " + caller.subject() + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        reports.getFilters().add(new HttpServerBearerFilter(validator, AccessRule.anyScope("reports.read")));
        server.start();
        // guide:end
        return server;
    }

    // guide:start
    /** Registered in web.xml (<listener>) or with @WebListener; issuer and audience are context parameters. */
    public static final class BearerTokenSetup implements ServletContextListener {

        private AccessTokenValidator validator;

        @Override
        public void contextInitialized(ServletContextEvent event) {
            ServletContext context = event.getServletContext();
            validator = AccessTokenValidator.builder(IssuerSettings.of(
                    context.getInitParameter("issuer"), context.getInitParameter("audience"))).build();
            context.addFilter("bearer-token", new BearerTokenFilter(validator, AccessRule.anyScope("reports.read")))
                    .addMappingForUrlPatterns(null, false, "/reports/*");
        }

        @Override
        public void contextDestroyed(ServletContextEvent event) {
            validator.close();
        }
    }
    // guide:end
}
