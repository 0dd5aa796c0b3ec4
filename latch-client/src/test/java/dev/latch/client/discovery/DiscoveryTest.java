package dev.latch.client.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latch.client.LocalEndpoint;
import dev.latch.client.LocalEndpoint.Answer;
import dev.latch.client.OAuthClientException;
import dev.latch.server.TestClock;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DiscoveryTest {

    LocalEndpoint as;
    TestClock clock = new TestClock(Instant.parse("2025-03-01T10:00:00Z"));
    Discovery discovery;

    @BeforeEach
    void start() {
        as = LocalEndpoint.start();
        discovery = new Discovery(HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build(), clock, Duration.ofMinutes(10),
                Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        as.close();
    }

    private String metadata(String issuer) {
        return "{\"issuer\":\"" + issuer + "\",\"token_endpoint\":\"" + issuer + "/token\",\"jwks_uri\":\"" + issuer + "/jwks\","
                + "\"token_endpoint_auth_methods_supported\":[\"private_key_jwt\",\"client_secret_basic\"],"
                + "\"token_endpoint_auth_signing_alg_values_supported\":[\"ES256\",\"RS384\"],\"x-extra\":7}";
    }

    @Test
    void metadataUrlsFollowOidcAndRfc8414PathRules() {
        assertThat(Discovery.metadataUrls(URI.create("https://as.example"))).containsExactly(
                URI.create("https://as.example/.well-known/openid-configuration"),
                URI.create("https://as.example/.well-known/oauth-authorization-server"));
        assertThat(Discovery.metadataUrls(URI.create("https://as.example/tenant/one"))).containsExactly(
                URI.create("https://as.example/tenant/one/.well-known/openid-configuration"),
                URI.create("https://as.example/.well-known/oauth-authorization-server/tenant/one"));
        assertThat(Discovery.metadataUrls(URI.create("https://as.example:8443/t/"))).containsExactly(
                URI.create("https://as.example:8443/t/.well-known/openid-configuration"),
                URI.create("https://as.example:8443/.well-known/oauth-authorization-server/t"));
    }

    @Test
    void openidConfigurationFoundThenParsedWithRawMembers() {
        String issuer = as.origin() + "/realms/a";
        as.on("/realms/a/.well-known/openid-configuration", Answer.json(200, metadata(issuer)));

        ProviderMetadata m = discovery.discover(issuer);

        assertThat(m.issuer()).isEqualTo(issuer);
        assertThat(m.tokenEndpoint()).hasToString(issuer + "/token");
        assertThat(m.jwksUri()).hasToString(issuer + "/jwks");
        assertThat(m.tokenEndpointAuthMethodsSupported()).containsExactly("private_key_jwt", "client_secret_basic");
        assertThat(m.tokenEndpointAuthSigningAlgValuesSupported()).containsExactly("ES256", "RS384");
        assertThat(m.grantTypesOrDefault()).containsExactly("authorization_code", "implicit");
        assertThat(m.raw()).containsEntry("x-extra", 7L);
        assertThat(m.source()).hasToString(issuer + "/.well-known/openid-configuration");
    }

    @Test
    void onlyRfc8414MetadataThenFoundAtTheInsertedPath() {
        String issuer = as.origin() + "/tenant";
        as.on("/.well-known/oauth-authorization-server/tenant", Answer.json(200, metadata(issuer)));

        ProviderMetadata m = discovery.discover(issuer);

        assertThat(m.source()).hasToString(as.origin() + "/.well-known/oauth-authorization-server/tenant");
        assertThat(as.requests()).extracting(r -> r.uri().getPath())
                .containsExactly("/tenant/.well-known/openid-configuration", "/.well-known/oauth-authorization-server/tenant");
    }

    @Test
    void issuerDifferingEvenByATrailingSlashThenRefused() {
        String issuer = as.origin();
        as.on("/.well-known/openid-configuration", Answer.json(200, metadata(issuer + "/")));
        assertThatThrownBy(() -> discovery.discover(issuer))
                .isInstanceOf(DiscoveryException.class).isInstanceOf(OAuthClientException.class)
                .hasMessage("the metadata at " + issuer + "/.well-known/openid-configuration names the issuer " + issuer
                        + "/, not " + issuer + " as configured (they must match exactly)");
    }

    @Test
    void notFoundAnywhereOrHtmlThenOneMessageNamingBothPlaces() {
        String issuer = as.origin();
        as.on("/.well-known/openid-configuration", new Answer(200, Map.of("Content-Type", "text/html"), "<html>login</html>"));
        assertThatThrownBy(() -> discovery.discover(issuer))
                .isInstanceOf(DiscoveryException.class)
                .hasMessage("no metadata for " + issuer + ": " + issuer + "/.well-known/openid-configuration answered 200 with an HTML page; "
                        + issuer + "/.well-known/oauth-authorization-server answered 404");
    }

    @Test
    void serverErrorThenSaysTheStatus() {
        as.on("/.well-known/openid-configuration", new Answer(503, Map.of(), ""));
        as.on("/.well-known/oauth-authorization-server", new Answer(503, Map.of(), ""));
        assertThatThrownBy(() -> discovery.discover(as.origin())).isInstanceOf(DiscoveryException.class).hasMessageContaining("answered 503");
    }

    @Test
    void unreachableIssuerThenOneLine() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertThatThrownBy(() -> discovery.discover("http://127.0.0.1:" + port))
                .isInstanceOf(DiscoveryException.class).hasMessage("discovery: cannot reach http://127.0.0.1:" + port + ": connection refused");
    }

    @Test
    void issuerWithQueryOrNotHttpThenRefusedWithoutARequest() {
        assertThatThrownBy(() -> discovery.discover("https://as.example/?tenant=a")).hasMessageContaining("query or fragment");
        assertThatThrownBy(() -> discovery.discover("ftp://as.example")).hasMessageContaining("not an absolute http(s) URL");
        assertThatThrownBy(() -> discovery.discover("as.example")).hasMessageContaining("not an absolute http(s) URL");
    }

    @Test
    void issuerHttpOutsideLoopbackThenRefusedWithoutARequest() {
        assertThatThrownBy(() -> discovery.discover("http://as.example"))
                .isInstanceOf(DiscoveryException.class).hasMessageStartingWith("issuer http://as.example is http on a host that is not loopback");
    }

    @Test
    void endpointNotHttpsOutsideLoopbackThenDiscoveryExceptionNamingMemberAndUrl() {
        String issuer = as.origin();
        as.on("/.well-known/openid-configuration", Answer.json(200, "{\"issuer\":\"" + issuer + "\",\"token_endpoint\":\"http://as.example/token\"}"));
        assertThatThrownBy(() -> discovery.discover(issuer)).isInstanceOf(DiscoveryException.class)
                .hasMessage("the metadata at " + issuer + "/.well-known/openid-configuration has a token_endpoint that is http on a host that is"
                        + " not loopback: https is required (http only on 127.0.0.1, ::1 or localhost; RFC 6749 §3.2, RFC 8414 §2):"
                        + " http://as.example/token");
        as.on("/.well-known/openid-configuration", Answer.json(200, "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"ftp://as.example/jwks\"}"));
        assertThatThrownBy(() -> discovery.discover(issuer)).isInstanceOf(DiscoveryException.class)
                .hasMessageEndingWith("has a jwks_uri that has the scheme ftp: only https (or http on a loopback host) is supported:"
                        + " ftp://as.example/jwks");
        as.on("/.well-known/openid-configuration", Answer.json(200, "{\"issuer\":\"" + issuer + "\",\"userinfo_endpoint\":\"http://127.0.0.1.example/u\"}"));
        assertThatThrownBy(() -> discovery.discover(issuer)).isInstanceOf(DiscoveryException.class).hasMessageContaining("userinfo_endpoint");
    }

    @Test
    void endpointHttpsOrHttpOnLoopbackThenAccepted() {
        String issuer = as.origin();
        as.on("/.well-known/openid-configuration", Answer.json(200, "{\"issuer\":\"" + issuer + "\",\"token_endpoint\":\"https://as.example/token\","
                + "\"jwks_uri\":\"http://127.0.0.2:8080/jwks\",\"userinfo_endpoint\":\"http://[::1]/u\",\"revocation_endpoint\":\"http://LocalHost/r\"}"));
        ProviderMetadata m = discovery.discover(issuer);
        assertThat(m.tokenEndpoint()).hasToString("https://as.example/token");
        assertThat(m.jwksUri()).hasToString("http://127.0.0.2:8080/jwks");
        assertThat(m.userinfoEndpoint()).hasToString("http://[::1]/u");
        assertThat(m.revocationEndpoint()).hasToString("http://LocalHost/r");
    }

    @Test
    void badMemberTypesThenRefusedNamingTheMember() {
        String issuer = as.origin();
        as.on("/.well-known/openid-configuration", Answer.json(200, "{\"issuer\":\"" + issuer + "\",\"token_endpoint\":\"/token\"}"));
        assertThatThrownBy(() -> discovery.discover(issuer)).hasMessageContaining("token_endpoint that is not an absolute URL: /token");
        discovery.invalidate(URI.create(issuer));
        as.on("/.well-known/openid-configuration", Answer.json(200, "{\"issuer\":\"" + issuer + "\",\"grant_types_supported\":\"client_credentials\"}"));
        assertThatThrownBy(() -> discovery.discover(issuer)).hasMessageContaining("grant_types_supported that is not a list of strings");
    }

    @Test
    void cachedPerIssuerUntilTheTtlPasses() {
        String issuer = as.origin();
        as.on("/.well-known/openid-configuration", Answer.json(200, metadata(issuer)));
        ProviderMetadata first = discovery.discover(issuer);
        clock.advance(Duration.ofMinutes(9));
        assertThat(discovery.discover(issuer)).isSameAs(first);
        assertThat(as.count()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(2));
        assertThat(discovery.discover(issuer)).isNotSameAs(first);
        assertThat(as.count()).isEqualTo(2);
        assertThat(List.of(as.requests().get(0).header("Accept"))).containsExactly("application/json");
    }
}
