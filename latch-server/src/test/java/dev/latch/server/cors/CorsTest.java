package dev.latch.server.cors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import dev.latch.server.signin.SignInFixture;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** CORS on discovery, JWKS, token, userinfo, introspection and revocation for the origins of registered redirect URIs (Fetch Standard §3.2). */
class CorsTest {

    static final String SPA = "https://spa.example:8443";
    static SignInFixture f;

    @BeforeAll
    static void start() {
        f = new SignInFixture("https://web.example/cb");
        f.addClient(new Client.Builder().clientId("spa").scope("openid").tokenEndpointAuthMethod("none")
                .grantTypes(List.of("authorization_code")).redirectUris(List.of(SPA + "/callback")).build());
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    static HttpResponse<String> get(String path, String origin) {
        return TestServer.send(HttpRequest.newBuilder(URI.create(f.server.url(path))).header("Origin", origin).GET().build());
    }

    static HttpResponse<String> preflight(String path, String origin) {
        return TestServer.send(HttpRequest.newBuilder(URI.create(f.server.url(path))).header("Origin", origin)
                .header("Access-Control-Request-Method", "POST").header("Access-Control-Request-Headers", "content-type")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());
    }

    @Test
    void whenOriginIsARegisteredRedirectUrisOriginThenAllowedWithoutCredentials() {
        for (String path : List.of("/jwks", "/.well-known/openid-configuration", "/.well-known/oauth-authorization-server", "/userinfo")) {
            HttpResponse<String> r = get(path, SPA);
            assertThat(r.headers().firstValue("access-control-allow-origin")).as(path).contains(SPA);
            assertThat(r.headers().allValues("vary")).as(path).contains("Origin");
            assertThat(r.headers().firstValue("access-control-allow-credentials")).as(path).isEmpty();
        }
        HttpResponse<String> token = TestServer.send(HttpRequest.newBuilder(URI.create(f.server.url("/token"))).header("Origin", SPA)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code&code=nope&client_id=spa")).build());
        assertThat(token.statusCode()).isEqualTo(400);
        assertThat(token.headers().firstValue("access-control-allow-origin")).contains(SPA);
    }

    @Test
    void whenOriginIsUnknownThenNoCorsHeaders() {
        for (String origin : List.of("https://evil.example", "https://spa.example", "http://spa.example:8443", "null")) {
            HttpResponse<String> r = get("/jwks", origin);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("access-control-allow-origin")).as(origin).isEmpty();
            assertThat(r.headers().allValues("vary")).contains("Origin");
        }
        HttpResponse<String> p = preflight("/token", "https://evil.example");
        assertThat(p.headers().firstValue("access-control-allow-origin")).isEmpty();
        assertThat(p.headers().firstValue("access-control-allow-methods")).isEmpty();
    }

    @Test
    void preflightForAllowedOriginThenMethodsAndHeaders() {
        for (String path : List.of("/token", "/revoke", "/userinfo", "/introspect")) {
            HttpResponse<String> r = preflight(path, SPA);
            assertThat(r.statusCode()).as(path).isEqualTo(204);
            assertThat(r.headers().firstValue("access-control-allow-origin")).as(path).contains(SPA);
            assertThat(r.headers().firstValue("access-control-allow-methods")).as(path).contains("GET, POST");
            assertThat(r.headers().firstValue("access-control-allow-headers")).as(path).contains("Authorization, Content-Type");
            assertThat(r.headers().firstValue("access-control-allow-credentials")).as(path).isEmpty();
        }
    }

    @Test
    void pagesAndOtherEndpointsGetNoCorsHeaders() {
        assertThat(get("/authorize", SPA).headers().firstValue("access-control-allow-origin")).isEmpty();
        assertThat(preflight("/authorize", SPA).headers().firstValue("access-control-allow-origin")).isEmpty();
    }

    @Test
    void aClientAddedLaterIsAllowedOnceTheCacheRefreshes() {
        String origin = "https://late.example";
        assertThat(get("/jwks", origin).headers().firstValue("access-control-allow-origin")).isEmpty();
        f.addClient(new Client.Builder().clientId("late").scope("openid").tokenEndpointAuthMethod("none")
                .grantTypes(List.of("authorization_code")).redirectUris(List.of(origin + "/cb")).build());
        f.clock.advance(CorsPolicy.REFRESH);
        assertThat(get("/jwks", origin).headers().firstValue("access-control-allow-origin")).contains(origin);
    }

    @Test
    void originOfARedirectUriDropsDefaultPortsPathAndCase() {
        assertThat(CorsPolicy.origin("HTTPS://App.Example:443/cb?x=1")).contains("https://app.example");
        assertThat(CorsPolicy.origin("http://127.0.0.1:8080/cb")).contains("http://127.0.0.1:8080");
        assertThat(CorsPolicy.origin("com.example.app:/cb")).isEmpty();
    }
}
