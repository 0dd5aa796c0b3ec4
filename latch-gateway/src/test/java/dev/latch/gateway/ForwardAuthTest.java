package dev.latch.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The forward-auth endpoint on a gateway that proxies nothing (it only answers nginx auth_request,
 * Traefik ForwardAuth or Envoy ext_authz); nginx itself in front of it is in realparts.NginxAuthRequestTest.
 */
class ForwardAuthTest {

    static FakeIssuer issuer;
    static TestGateway gateway;

    @BeforeAll
    static void start() {
        issuer = FakeIssuer.start();
        gateway = TestGateway.start("""
                issuers:
                  - id: test
                    issuer: %s
                    audience: %s
                forward-auth:
                  issuer: test
                  scopes: { GET: [api.read], "*": [api.write] }
                """.formatted(issuer.issuer(), FakeIssuer.AUDIENCE));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        issuer.close();
    }

    @Test
    void allowedThen200WithIdentityHeadersAndNoBody() {
        HttpResponse<String> r = gateway.get("/_latch/auth", "Authorization", "Bearer " + issuer.token("dora", "api.read", List.of("staff")),
                "X-Original-Method", "GET", "X-Original-URI", "/records/1");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
        assertThat(r.headers().firstValue("X-Forwarded-User")).hasValue("dora");
        assertThat(r.headers().firstValue("X-Forwarded-Groups")).hasValue("staff");
        assertThat(r.headers().firstValue("X-Forwarded-Scope")).hasValue("api.read");
    }

    @Test
    void originalMethodDecidesTheRuleTraefikHeadersToo() {
        String token = issuer.token("dora", "api.read", List.of());
        HttpResponse<String> nginx = gateway.get("/_latch/auth", "Authorization", "Bearer " + token, "X-Original-Method", "POST");
        assertThat(nginx.statusCode()).isEqualTo(403);
        assertThat(nginx.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("scope=\"api.write\"");
        HttpResponse<String> traefik = gateway.get("/_latch/auth", "Authorization", "Bearer " + token, "X-Forwarded-Method", "DELETE",
                "X-Forwarded-Uri", "/records/1");
        assertThat(traefik.statusCode()).isEqualTo(403);
    }

    @Test
    void noTokenThen401AndQueryTokenInOriginalUriThen401InvalidRequest() {
        assertThat(gateway.get("/_latch/auth", "X-Original-URI", "/x").statusCode()).isEqualTo(401);
        HttpResponse<String> r = gateway.get("/_latch/auth", "Authorization", "Bearer " + issuer.token("dora", "api.read", List.of()),
                "X-Original-URI", "/x?access_token=abc");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("invalid_request");
    }

    @Test
    void otherPathsOfAForwardAuthOnlyGatewayThen404() {
        assertThat(gateway.get("/anything").statusCode()).isEqualTo(404);
    }
}
