package dev.latch.gateway.realparts;

import static dev.latch.gateway.EchoUpstream.headersOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.gateway.EchoUpstream;
import dev.latch.gateway.TestGateway;
import dev.latch.server.OAuthResponses;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway's forward-auth endpoint behind Debian's nginx {@code auth_request}, the set-up its docs
 * describe: nginx in front of a service asks the gateway about every request (Authorization passed
 * along, the body not, the original method and URI in {@code X-Original-Method}/{@code X-Original-URI}),
 * and hands the identity the gateway answers to the service in headers. Tokens come from a real Latch
 * over HTTP. The service sees only what the gateway allowed, and only the identity the gateway asserted.
 */
class NginxAuthRequestTest {

    static final String OTHER_RESOURCE = "https://other.example/";

    static TestServer latch;
    static LatchClients clients;
    static EchoUpstream service;
    static TestGateway gateway;
    static NginxProcess nginx;

    @BeforeAll
    static void start() {
        NginxProcess.requireInstalled(System.getenv()); // skip (or fail on CI) before starting anything else
        latch = TestServer.start();
        clients = new LatchClients(latch);
        clients.add(new Client.Builder().clientId("reader").scope("api.read").build());
        clients.add(new Client.Builder().clientId("writer").scope("api.read api.write").build());
        clients.add(new Client.Builder().clientId("no-api").scope("profile").build());
        clients.add(new Client.Builder().clientId("elsewhere").scope("api.read").allowedResources(List.of(OTHER_RESOURCE)).build());
        service = EchoUpstream.start();
        gateway = TestGateway.start("""
                issuers:
                  - id: latch
                    issuer: %1$s
                    audience: %1$s
                    typ: at+jwt
                routes:
                  - path: /gateway-only/     # a gateway needs a route; nginx sends nothing here
                    upstream: %2$s
                    mode: passthrough
                forward-auth:
                  path: /_latch/auth
                  issuer: latch
                  scopes: { GET: [api.read], "*": [api.write] }
                """.formatted(latch.issuer(), service.url()));
        nginx = NginxProcess.start(dir -> """
                location = /_latch_auth {
                    internal;
                    proxy_pass http://127.0.0.1:%1$d/_latch/auth;
                    proxy_pass_request_body off;
                    proxy_set_header Content-Length "";
                    proxy_set_header X-Original-URI $request_uri;
                    proxy_set_header X-Original-Method $request_method;
                }
                location / {
                    auth_request /_latch_auth;
                    auth_request_set $latch_user $upstream_http_x_forwarded_user;
                    auth_request_set $latch_client $upstream_http_x_forwarded_client_id;
                    auth_request_set $latch_scope $upstream_http_x_forwarded_scope;
                    proxy_set_header X-Forwarded-User $latch_user;
                    proxy_set_header X-Forwarded-Client-Id $latch_client;
                    proxy_set_header X-Forwarded-Scope $latch_scope;
                    proxy_pass http://127.0.0.1:%2$d;
                }
                """.formatted(gateway.server().port(), service.port()));
    }

    @AfterAll
    static void stop() {
        if (nginx != null) nginx.close();
        if (gateway != null) gateway.close();
        if (service != null) service.close();
        if (latch != null) latch.close();
    }

    private static HttpResponse<String> send(String method, String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(nginx.url(path)))
                .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{\"n\":1}"));
        if (headers.length > 0) b.headers(headers);
        return TestGateway.send(b.build());
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    @Test
    void validTokenThenServiceAnswersWithIdentityFromGatewayNotFromCaller() {
        String token = clients.token("reader", "&scope=api.read");
        int before = service.count();
        HttpResponse<String> r = send("GET", "/orders/7?full=1", "Authorization", bearer(token),
                "X-Forwarded-User", "mallory", "X-Forwarded-Client-Id", "mallory-app");
        assertThat(r.statusCode()).as(r.body() + nginx.output()).isEqualTo(200);
        assertThat(service.count()).isEqualTo(before + 1);
        Map<String, Object> echo = EchoUpstream.parse(r.body());
        assertThat(echo.get("path")).isEqualTo("/orders/7");
        assertThat(echo.get("query")).isEqualTo("full=1");
        Map<String, Object> h = headersOf(echo);
        assertThat(h.get("x-forwarded-user")).as("the subject of a client-credentials token is the client").isEqualTo("reader");
        assertThat(h.get("x-forwarded-client-id")).isEqualTo("reader");
        assertThat(h.get("x-forwarded-scope")).isEqualTo("api.read");
    }

    @Test
    void postWithWriteScopeThenAllowedAndBodyReachesServiceUntouched() {
        String token = clients.token("writer", "&scope=api.read%20api.write");
        HttpResponse<String> r = send("POST", "/orders", "Authorization", bearer(token), "Content-Type", "application/json");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Map<String, Object> echo = EchoUpstream.parse(r.body());
        assertThat(echo.get("method")).isEqualTo("POST");
        assertThat(((Number) echo.get("length")).intValue()).isEqualTo("{\"n\":1}".length());
        assertThat(headersOf(echo).get("x-forwarded-scope")).isEqualTo("api.read api.write");
    }

    @Test
    void noTokenThen401WithBearerChallengeAndServiceNotReached() {
        int before = service.count();
        HttpResponse<String> r = send("GET", "/orders/7");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).as("nginx passes the gateway's challenge on")
                .startsWith("Bearer").doesNotContain("error=");
        assertThat(service.count()).isEqualTo(before);
    }

    @Test
    void wrongAudienceTamperedOrGarbageTokenThen401AndServiceNotReached() {
        int before = service.count();
        String good = clients.token("reader", "&scope=api.read");
        String otherAudience = clients.token("elsewhere", "&scope=api.read&resource=" + OAuthResponses.form(OTHER_RESOURCE));
        String tampered = good.substring(0, good.lastIndexOf('.') + 1) + "AAAA" + good.substring(good.lastIndexOf('.') + 5);
        for (Map.Entry<String, String> c : Map.of("audience " + OTHER_RESOURCE, otherAudience, "tampered signature", tampered).entrySet()) {
            HttpResponse<String> r = send("GET", "/orders/7", "Authorization", bearer(c.getValue()));
            assertThat(r.statusCode()).as(c.getKey()).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).as(c.getKey()).contains("error=\"invalid_token\"");
        }
        for (String garbage : List.of("Bearer garbage", "Bearer a.b.c", "Basic cmVhZGVyOnNlY3JldA==")) {
            HttpResponse<String> r = send("GET", "/orders/7", "Authorization", garbage);
            assertThat(r.statusCode()).as(garbage).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).as(garbage).startsWith("Bearer");
        }
        assertThat(service.count()).as("no refused request reached the service").isEqualTo(before);
    }

    @Test
    void missingScopeThen403AndServiceNotReached() {
        int before = service.count();
        HttpResponse<String> none = send("GET", "/orders/7", "Authorization", bearer(clients.token("no-api", "&scope=profile")));
        assertThat(none.statusCode()).isEqualTo(403);
        // the rule is chosen by the original method nginx names in X-Original-Method: POST needs api.write
        HttpResponse<String> post = send("POST", "/orders", "Authorization", bearer(clients.token("reader", "&scope=api.read")));
        assertThat(post.statusCode()).isEqualTo(403);
        assertThat(service.count()).isEqualTo(before);
    }

    @Test
    void tokenInOriginalQueryStringThen401EvenWithValidHeader() {
        int before = service.count();
        String token = clients.token("reader", "&scope=api.read");
        HttpResponse<String> r = send("GET", "/orders/7?access_token=" + token, "Authorization", bearer(token));
        assertThat(r.statusCode()).as("the gateway sees the query in X-Original-URI").isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"invalid_request\"");
        assertThat(service.count()).isEqualTo(before);
    }
}
