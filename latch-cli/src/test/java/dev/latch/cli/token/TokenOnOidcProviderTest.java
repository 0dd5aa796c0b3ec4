package dev.latch.cli.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.cli.Cli;
import dev.latch.client.peers.OidcProviderPeer;
import dev.latch.server.TestServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code latch token} against an independent authorization server, npm oidc-provider: client
 * credentials with client_secret_basic/post and private_key_jwt RS384, ES384 and PS256, errors in its
 * words, and the code flow through its development login.
 */
class TokenOnOidcProviderTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static OidcProviderPeer peer;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        peer = OidcProviderPeer.start();
    }

    @AfterAll
    static void stop() {
        if (peer != null) peer.close();
    }

    static Cli cli() {
        return new Cli(null).env("S", peer.secret());
    }

    static Cli.Result token(Cli cli, String... args) {
        List<String> all = new ArrayList<>(List.of("token", "--issuer", peer.issuer()));
        all.addAll(List.of(args));
        return cli.raw(all.toArray(String[]::new));
    }

    /** -q printed the peer's RFC 9068 access token for {@code clientId}. */
    static SignedJWT accessToken(Cli.Result r, String clientId) throws Exception {
        assertThat(r.exit()).as(r.err()).isZero();
        SignedJWT jwt = SignedJWT.parse(r.out().strip());
        assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo(peer.issuer());
        assertThat(jwt.getJWTClaimsSet().getStringClaim("client_id")).isEqualTo(clientId);
        return jwt;
    }

    @Test
    void clientSecretBasicThenToken() throws Exception {
        SignedJWT jwt = accessToken(token(cli(), "--client-id", OidcProviderPeer.BASIC, "--client-secret", "${env:S}", "--scope", "read", "-q"),
                OidcProviderPeer.BASIC);
        assertThat(jwt.getJWTClaimsSet().getAudience()).containsExactly(OidcProviderPeer.RESOURCE);
        assertThat(jwt.getJWTClaimsSet().getStringClaim("scope")).isEqualTo("read");
    }

    @Test
    void clientSecretPostThenToken() throws Exception {
        accessToken(token(cli(), "--client-id", OidcProviderPeer.POST, "--client-secret", "${env:S}", "--auth", "client_secret_post", "-q"),
                OidcProviderPeer.POST);
    }

    @ParameterizedTest
    @ValueSource(strings = {"RS384", "ES384", "PS256"})
    void privateKeyJwtThenToken(String algName) throws Exception {
        JWSAlgorithm alg = JWSAlgorithm.parse(algName);
        Path key = Files.writeString(dir.resolve(algName + ".jwk"), peer.key(alg).toJSONString());
        String id = OidcProviderPeer.keyClientId(alg);
        accessToken(token(cli(), "--client-id", id, "--key", key.toString(), "--alg", algName, "--scope", "read write", "-q"), id);
        accessToken(token(cli(), "--client-id", id, "--key", key.toString(), "--alg", algName, "--aud-token-endpoint", "-q"), id);
    }

    @Test
    void tokenResponsePrettyPrinted() throws Exception {
        Cli.Result r = token(cli(), "--client-id", OidcProviderPeer.BASIC, "--client-secret", "${env:S}", "--scope", "read");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode body = JSON.readTree(r.out());
        assertThat(body.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.path("expires_in").asInt()).isEqualTo(300);
    }

    @Test
    void wrongSecretThenInvalidClient() {
        Cli.Result r = token(new Cli(null).env("S", peer.secret() + "-wrong"), "--client-id", OidcProviderPeer.BASIC, "--client-secret", "${env:S}");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLine()).isEqualTo("latch: invalid_client: client authentication failed");
    }

    @Test
    void unknownResourceThenInvalidTarget() {
        Cli.Result r = token(cli(), "--client-id", OidcProviderPeer.BASIC, "--client-secret", "${env:S}", "--resource", "https://elsewhere.example/");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLine()).startsWith("latch: invalid_target");
    }

    /** Signs in at the peer's development login and follows the redirect to the command's loopback listener. */
    static final class PeerPerson implements Browser {
        final CompletableFuture<Integer> delivered = new CompletableFuture<>();

        @Override
        public boolean open(URI url) {
            Thread.ofVirtual().start(() -> {
                try {
                    URI back = peer.signIn(url.toString(), "carol");
                    HttpResponse<String> r = TestServer.send(HttpRequest.newBuilder(back).build());
                    delivered.complete(r.statusCode());
                } catch (Throwable e) {
                    delivered.completeExceptionally(e);
                }
            });
            return true;
        }
    }

    static Cli codeCli(Browser browser) {
        return cli().configure(c -> ((TokenCommand) c.getSubcommands().get("token").getCommand()).browser(browser));
    }

    @Test
    void codeFlowWithConfidentialClientThenIdTokenAndRefreshToken() throws Exception {
        PeerPerson person = new PeerPerson();
        Cli.Result r = token(codeCli(person), "--client-id", OidcProviderPeer.CODE, "--client-secret", "${env:S}",
                "--grant", "authorization_code", "--scope", "openid offline_access", "--timeout", "30s");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(person.delivered.get(30, TimeUnit.SECONDS)).isEqualTo(200);
        JsonNode body = JSON.readTree(r.out());
        assertThat(SignedJWT.parse(body.path("id_token").asText()).getJWTClaimsSet().getSubject()).isEqualTo("carol");
        String refresh = body.path("refresh_token").asText();
        assertThat(refresh).isNotEmpty();

        Cli.Result refreshed = token(cli().env("RT", refresh), "--client-id", OidcProviderPeer.CODE, "--client-secret", "${env:S}",
                "--grant", "refresh_token", "--refresh-token", "${env:RT}", "-q");
        assertThat(refreshed.exit()).as(refreshed.err()).isZero();
        assertThat(refreshed.out().strip()).isNotEmpty();
    }

    @Test
    void codeFlowWithPublicClientThenTokens() throws Exception {
        PeerPerson person = new PeerPerson();
        Cli.Result r = token(codeCli(person), "--client-id", OidcProviderPeer.PUBLIC, "--auth", "none", "--grant", "authorization_code",
                "--timeout", "30s", "-q");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).isNotEmpty();
        assertThat(person.delivered.get(30, TimeUnit.SECONDS)).isEqualTo(200);
    }
}
