package dev.latch.cli.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.latch.cli.Cli;
import dev.latch.client.peers.OidcProviderPeer;
import dev.latch.server.TestServer;
import dev.latch.server.client.ClientRegistry;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A healthy Latch and the independent oidc-provider peer: no FAIL, and the tokens they issue are accepted. */
class DoctorOnRealProvidersTest {

    static TestServer latch;
    static OidcProviderPeer peer;
    static final Cli CLI = new Cli(null);

    @BeforeAll
    static void start() {
        latch = TestServer.start();
        peer = OidcProviderPeer.start();
    }

    @AfterAll
    static void stop() {
        if (latch != null) latch.close();
        if (peer != null) peer.close();
    }

    static String basic(String id, String secret) {
        String raw = URLEncoder.encode(id, StandardCharsets.UTF_8) + ":" + URLEncoder.encode(secret, StandardCharsets.UTF_8);
        return "Basic " + Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    static void assertNoFail(Cli.Result r) {
        assertThat(r.out()).as(r.out()).doesNotContain("[FAIL]");
        assertThat(r.exit()).as(r.out()).isZero();
    }

    @Test
    void latchServerThenNoFail() {
        Cli.Result r = CLI.raw("doctor", latch.issuer(), "--insecure-localhost", "--client-auth", "private_key_jwt", "--alg", "ES256",
                "--grant", "client_credentials");
        assertNoFail(r);
        assertThat(r.out()).contains("[OK]   issuer: the metadata names exactly the issuer you gave")
                .contains("[OK]   token endpoint: answers a request without credentials with 401 invalid_client");
    }

    @Test
    void oidcProviderThenNoFail() {
        Cli.Result r = CLI.raw("doctor", peer.issuer(), "--insecure-localhost", "--client-auth", "private_key_jwt", "--alg", "PS256",
                "--grant", "authorization_code");
        assertNoFail(r);
        assertThat(r.out()).contains("[OK]   discovery: OpenID Connect discovery document at " + peer.issuer());
    }

    @Test
    void latchAccessTokenThenAccepted() throws Exception {
        ClientRegistry.Registered c = latch.basicClient("doctor-client", "read");
        HttpResponse<String> r = latch.postForm("/token", "grant_type=client_credentials&scope=read",
                "Authorization", basic("doctor-client", c.clientSecret()));
        String token = new ObjectMapper().readTree(r.body()).path("access_token").asText();
        Cli.Result d = CLI.raw("doctor", "token", token, "--issuer", latch.issuer(), "--aud", latch.issuer(), "--insecure-localhost");
        assertNoFail(d);
        assertThat(d.out()).contains("latch doctor: the token would be accepted");
        // and the same token for another audience is explained, not just refused
        Cli.Result other = CLI.raw("doctor", "token", token, "--issuer", latch.issuer(), "--aud", "https://api.other", "--insecure-localhost");
        assertThat(other.out()).contains("[FAIL] aud: the token is meant for");
        assertThat(other.exit()).isEqualTo(1);
    }

    @Test
    void oidcProviderAccessTokenThenAccepted() throws Exception {
        HttpResponse<String> r = TestServer.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(peer.issuer() + "/token"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Authorization", basic(OidcProviderPeer.BASIC, peer.secret()))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=read")).build());
        String token = new ObjectMapper().readTree(r.body()).path("access_token").asText();
        Cli.Result d = CLI.raw("doctor", "token", token, "--issuer", peer.issuer(), "--aud", OidcProviderPeer.RESOURCE, "--insecure-localhost");
        assertNoFail(d);
        assertThat(d.out()).contains("[OK]   signature: verifies with key peer-rs256 (RS256)");
    }
}
