package dev.latch.cli.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.cli.Cli;
import dev.latch.client.keys.KeyLoader;
import dev.latch.client.keys.KeyMaterial;
import dev.latch.core.jose.KeyGeneration;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code latch token} against a real Latch server: client credentials with every client
 * authentication method and several assertion algorithms, the presets, and bad input (each a
 * one-line error with the right exit code).
 */
class TokenCommandTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static TestServer server;
    static String basicSecret;

    @TempDir
    static Path dir;

    final Cli cli = new Cli(null);

    @BeforeAll
    static void start() {
        server = TestServer.start();
        basicSecret = server.register(new Client.Builder().clientId("cc-basic").scope("read write").build()).clientSecret();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    Cli.Result token(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "token";
        all[1] = "--issuer";
        all[2] = server.issuer();
        System.arraycopy(args, 0, all, 3, args.length);
        return cli.raw(all);
    }

    /** The access token printed by -q: a JWT from this server for {@code clientId}. */
    static SignedJWT accessToken(Cli.Result r, String clientId) throws Exception {
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().lines().count()).as("-q prints one line").isEqualTo(1);
        SignedJWT jwt = SignedJWT.parse(r.out().strip());
        assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo(server.issuer());
        assertThat(jwt.getJWTClaimsSet().getStringClaim("client_id")).isEqualTo(clientId);
        return jwt;
    }

    static Path write(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }

    /** Registers a private_key_jwt client whose key is {@code key}; returns the private JWK file. */
    static Path keyClient(String clientId, JWK key, JWSAlgorithm alg) throws Exception {
        server.register(new Client.Builder().clientId(clientId).tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                .tokenEndpointAuthSigningAlg(alg.getName()).scope("read")
                .jwks(Map.of("keys", List.of(key.toPublicJWK().toJSONObject()))).build());
        return write(clientId + ".jwk", key.toJSONString());
    }

    @Test
    void clientSecretBasicThenOnlyTheAccessTokenWithQ() throws Exception {
        Cli.Result r = cli.env("SECRET", basicSecret).raw("token", "--issuer", server.issuer(), "--client-id", "cc-basic",
                "--client-secret", "${env:SECRET}", "--scope", "read", "-q");
        SignedJWT jwt = accessToken(r, "cc-basic");
        assertThat(jwt.getJWTClaimsSet().getStringClaim("scope")).isEqualTo("read");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void withoutQThenThePrettyTokenResponseWithStandardMembersFirst() throws Exception {
        Cli.Result r = cli.env("SECRET", basicSecret).raw("token", "--issuer", server.issuer(), "--client-id", "cc-basic",
                "--client-secret", "${env:SECRET}", "--scope", "read write");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode body = JSON.readTree(r.out());
        assertThat(body.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.path("scope").asText()).isEqualTo("read write");
        assertThat(body.path("expires_in").asLong()).isPositive();
        assertThat(r.out()).startsWith("{\n  \"access_token\" : \"");
        assertThat(r.out().indexOf("\"token_type\"")).isLessThan(r.out().indexOf("\"expires_in\""));
    }

    @Test
    void secretFromStandardInputThenToken() throws Exception {
        Cli.Result r = cli.stdin(basicSecret + "\n").raw("token", "--issuer", server.issuer(), "--client-id", "cc-basic",
                "--client-secret", "-", "-q");
        accessToken(r, "cc-basic");
    }

    @Test
    void clientSecretPostThenToken() throws Exception {
        String secret = server.register(new Client.Builder().clientId("cc-post").tokenEndpointAuthMethod(Client.POST).scope("read").build())
                .clientSecret();
        Cli.Result r = cli.env("S", secret).raw("token", "--issuer", server.issuer(), "--client-id", "cc-post", "--client-secret", "${env:S}",
                "--auth", "client_secret_post", "-q");
        accessToken(r, "cc-post");
    }

    @ParameterizedTest
    @ValueSource(strings = {"HS256", "HS512"})
    void clientSecretJwtThenToken(String alg) throws Exception {
        String id = "cc-secret-jwt-" + alg;
        String secret = server.register(new Client.Builder().clientId(id).tokenEndpointAuthMethod(Client.SECRET_JWT)
                .tokenEndpointAuthSigningAlg(alg).scope("read").build()).clientSecret();
        Cli.Result r = cli.env("S", secret).raw("token", "--issuer", server.issuer(), "--client-id", id, "--client-secret", "${env:S}",
                "--auth", "client_secret_jwt", "--alg", alg, "-q");
        accessToken(r, id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"RS256", "PS384", "ES256", "ES512", "Ed25519"})
    void privateKeyJwtThenToken(String algName) throws Exception {
        JWSAlgorithm alg = JWSAlgorithm.parse(algName);
        String id = "cc-pkjwt-" + algName;
        Path key = keyClient(id, KeyGeneration.generate(alg), alg);
        accessToken(token("--client-id", id, "--key", key.toString(), "--alg", algName, "-q"), id);
    }

    @Test
    void privateKeyJwtWithAssertionAudienceTheTokenEndpointThenToken() throws Exception {
        Path key = keyClient("cc-aud-te", KeyGeneration.generate(JWSAlgorithm.ES384), JWSAlgorithm.ES384);
        accessToken(token("--client-id", "cc-aud-te", "--key", key.toString(), "--alg", "ES384", "--aud-token-endpoint", "-q"), "cc-aud-te");
    }

    @Test
    void privateKeyJwtFromPemFileThenToken() throws Exception {
        KeyPair pair = KeyMaterial.rsa();
        JWK jwk = KeyLoader.load(write("rsa.pem", KeyMaterial.pem(pair.getPrivate())).toString(), null);
        Path key = keyClient("cc-pem", jwk, JWSAlgorithm.RS256);
        Files.writeString(key, KeyMaterial.pem(pair.getPrivate()));
        accessToken(token("--client-id", "cc-pem", "--key", key.toString(), "--alg", "RS256", "-q"), "cc-pem");
    }

    @Test
    void encryptedPkcs12WithPasswordThenToken() throws Exception {
        KeyPair pair = KeyMaterial.rsa();
        Path p12 = dir.resolve("client.p12");
        Files.write(p12, KeyMaterial.keyStore("PKCS12", pair, KeyMaterial.selfSigned(pair, "SHA256withRSA"), "pw-123456"));
        JWK jwk = KeyLoader.load(p12.toString(), "pw-123456".toCharArray());
        server.register(new Client.Builder().clientId("cc-p12").tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                .tokenEndpointAuthSigningAlg("PS256").scope("read").jwks(Map.of("keys", List.of(jwk.toPublicJWK().toJSONObject()))).build());
        Cli.Result r = cli.env("PW", "pw-123456").raw("token", "--issuer", server.issuer(), "--client-id", "cc-p12", "--key", p12.toString(),
                "--key-password", "${env:PW}", "--alg", "PS256", "--x5t-s256", "-q");
        accessToken(r, "cc-p12");

        Cli.Result entra = cli.env("PW", "pw-123456").raw("token", "--issuer", server.issuer(), "--client-id", "cc-p12", "--key", p12.toString(),
                "--key-password", "${env:PW}", "--preset", "entra", "-q");
        accessToken(entra, "cc-p12");
    }

    @Test
    void epicPresetThenToken() throws Exception {
        Path key = keyClient("cc-epic", KeyGeneration.generate(JWSAlgorithm.RS384), JWSAlgorithm.RS384);
        accessToken(token("--client-id", "cc-epic", "--key", key.toString(), "--preset", "epic", "-q"), "cc-epic");
    }

    @Test
    void resourceOrAudienceThenTokenForIt() throws Exception {
        String api = "https://api.example.test/fhir";
        String secret = server.register(new Client.Builder().clientId("cc-res").scope("read").allowedResources(List.of(api)).build()).clientSecret();
        SignedJWT jwt = accessToken(cli.env("S", secret).raw("token", "--issuer", server.issuer(), "--client-id", "cc-res",
                "--client-secret", "${env:S}", "--resource", api, "-q"), "cc-res");
        assertThat(jwt.getJWTClaimsSet().getAudience()).contains(api);
    }

    @Test
    void kidOptionThenTheAssertionNamesTheRegisteredKey() throws Exception {
        JWK generated = KeyGeneration.generate(JWSAlgorithm.ES256);
        Map<String, Object> withoutKid = generated.toJSONObject();
        withoutKid.remove("kid");
        JWK key = JWK.parse(withoutKid);
        Map<String, Object> registered = key.toPublicJWK().toJSONObject();
        registered.put("kid", "my-registered-kid");
        server.register(new Client.Builder().clientId("cc-kid").tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                .tokenEndpointAuthSigningAlg("ES256").scope("read").jwks(Map.of("keys", List.of(registered))).build());
        Path file = write("no-kid.jwk", key.toJSONString());
        accessToken(token("--client-id", "cc-kid", "--key", file.toString(), "--alg", "ES256", "--kid", "my-registered-kid", "-q"), "cc-kid");
        assertFailure(token("--client-id", "cc-kid", "--key", file.toString(), "--alg", "ES256", "--kid", "another-kid", "-q"), "latch: invalid_client");
    }

    // ---- bad input ------------------------------------------------------------------------------

    /** A local endpoint answering every path with {@code status} and {@code body}; metadata at the discovery path points at it. */
    static com.sun.net.httpserver.HttpServer answering(int status, String contentType, String body, boolean realMetadata) throws Exception {
        var http = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        String base = "http://127.0.0.1:" + http.getAddress().getPort();
        http.createContext("/", x -> {
            boolean discovery = x.getRequestURI().getPath().equals("/.well-known/openid-configuration");
            String text = discovery && realMetadata ? "{\"issuer\":\"" + base + "\",\"token_endpoint\":\"" + base + "/token\"}" : body;
            x.getResponseHeaders().set("Content-Type", discovery && realMetadata ? "application/json" : contentType);
            byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            x.sendResponseHeaders(discovery && realMetadata ? 200 : status, bytes.length);
            try (var out = x.getResponseBody()) {
                out.write(bytes);
            }
        });
        http.start();
        return http;
    }

    @Test
    void htmlInsteadOfMetadataThenOneLine() throws Exception {
        var http = answering(200, "text/html", "<!DOCTYPE html><html><body>Sign in</body></html>", false);
        try {
            String issuer = "http://127.0.0.1:" + http.getAddress().getPort();
            Cli.Result r = cli.env("S", "x").raw("token", "--issuer", issuer, "--client-id", "c", "--client-secret", "${env:S}");
            assertFailure(r, "latch: no metadata for " + issuer + ": ");
            assertThat(r.errLine()).contains("HTML");
        } finally {
            http.stop(0);
        }
    }

    @Test
    void htmlFromTheTokenEndpointThenOneLine() throws Exception {
        var http = answering(200, "text/html", "<html><body>Please log in</body></html>", true);
        try {
            String issuer = "http://127.0.0.1:" + http.getAddress().getPort();
            Cli.Result r = cli.env("S", "x").raw("token", "--issuer", issuer, "--client-id", "c", "--client-secret", "${env:S}");
            assertFailure(r, "latch: token endpoint " + issuer + "/token answered 200 ");
        } finally {
            http.stop(0);
        }
    }

    @Test
    void serverErrorFromTheTokenEndpointThenOneLine() throws Exception {
        var http = answering(503, "text/plain", "maintenance", true);
        try {
            String issuer = "http://127.0.0.1:" + http.getAddress().getPort();
            Cli.Result r = cli.env("S", "x").raw("token", "--issuer", issuer, "--client-id", "c", "--client-secret", "${env:S}");
            assertFailure(r, "latch: token endpoint " + issuer + "/token answered 503");
        } finally {
            http.stop(0);
        }
    }

    static void assertFailure(Cli.Result r, String line) {
        assertThat(r.exit()).as(r.err()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines().toList()).as("one line on stderr").hasSize(1);
        assertThat(r.errLine()).startsWith(line);
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void wrongSecretThenInvalidClientOnOneLine() {
        Cli.Result r = cli.env("S", basicSecret + "x").raw("token", "--issuer", server.issuer(), "--client-id", "cc-basic",
                "--client-secret", "${env:S}", "-q");
        assertFailure(r, "latch: invalid_client: ");
    }

    @Test
    void unknownClientWithKeyThenInvalidClient() throws Exception {
        Path key = write("stranger.jwk", KeyGeneration.generate(JWSAlgorithm.ES256).toJSONString());
        assertFailure(token("--client-id", "nobody", "--key", key.toString(), "--alg", "ES256"), "latch: invalid_client: ");
    }

    @Test
    void scopeNotAllowedThenInvalidScope() {
        Cli.Result r = cli.env("S", basicSecret).raw("token", "--issuer", server.issuer(), "--client-id", "cc-basic",
                "--client-secret", "${env:S}", "--scope", "admin");
        assertFailure(r, "latch: invalid_scope");
    }

    @Test
    void unknownIssuerHostThenOneLine() {
        Cli.Result r = cli.env("S", "x").raw("token", "--issuer", "https://issuer.invalid", "--client-id", "c", "--client-secret", "${env:S}");
        assertFailure(r, "latch: ");
        assertThat(r.errLine()).contains("issuer.invalid").contains("unknown host");
    }

    @Test
    void issuerThatAcceptsAndNeverAnswersThenHttpTimeoutEndsIt() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) { // connections queue, none is ever answered
            String issuer = "http://127.0.0.1:" + silent.getLocalPort();
            Cli.Result r = cli.env("S", "x").raw("token", "--issuer", issuer, "--client-id", "c", "--client-secret", "${env:S}",
                    "--http-timeout", "300ms");
            assertFailure(r, "latch: discovery: no answer from " + issuer + "/.well-known/openid-configuration in time (request timed out)");
        }
    }

    @Test
    void tokenEndpointThatAcceptsAndNeverAnswersThenHttpTimeoutEndsIt() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            String token = "http://127.0.0.1:" + silent.getLocalPort() + "/token";
            var http = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
            String issuer = "http://127.0.0.1:" + http.getAddress().getPort();
            http.createContext("/.well-known/openid-configuration", x -> {
                byte[] bytes = ("{\"issuer\":\"" + issuer + "\",\"token_endpoint\":\"" + token + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
                x.getResponseHeaders().set("Content-Type", "application/json");
                x.sendResponseHeaders(200, bytes.length);
                try (var out = x.getResponseBody()) {
                    out.write(bytes);
                }
            });
            http.start();
            try {
                Cli.Result r = cli.env("S", "x").raw("token", "--issuer", issuer, "--client-id", "c", "--client-secret", "${env:S}",
                        "--http-timeout", "300ms");
                assertFailure(r, "latch: token endpoint: no answer from " + token + " in time (request timed out)");
            } finally {
                http.stop(0);
            }
        }
    }

    @Test
    void httpTimeoutNotADurationThenUsageError() {
        Cli.Result r = cli.env("S", "x").raw("token", "--issuer", "http://127.0.0.1:1", "--client-id", "c", "--client-secret", "${env:S}",
                "--http-timeout", "soon");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--http-timeout");
    }

    @Test
    void unreachableIssuerThenConnectionRefused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Cli.Result r = cli.env("S", "x").raw("token", "--issuer", "http://127.0.0.1:" + port, "--client-id", "c", "--client-secret", "${env:S}");
        assertFailure(r, "latch: ");
        assertThat(r.errLine()).contains("127.0.0.1:" + port).contains("connection refused");
    }

    @Test
    void tlsFailureThenOneLine() {
        // https to a plain-http port: the TLS handshake fails
        String https = server.issuer().replace("http://", "https://");
        Cli.Result r = cli.env("S", "x").raw("token", "--issuer", https, "--client-id", "c", "--client-secret", "${env:S}");
        assertFailure(r, "latch: ");
        assertThat(r.errLine()).contains("TLS");
    }

    @Test
    void issuerWithTrailingSlashThenDiscoveryRefusesTheMismatch() {
        Cli.Result r = cli.env("S", basicSecret).raw("token", "--issuer", server.issuer() + "/", "--client-id", "cc-basic", "--client-secret", "${env:S}");
        assertFailure(r, "latch: ");
        assertThat(r.errLine()).contains("must match exactly");
    }

    @Test
    void keyFileMissingThenOneLine() {
        Path missing = dir.resolve("missing.pem");
        assertFailure(token("--client-id", "c", "--key", missing.toString(), "--alg", "RS256"), "latch: ");
        assertThat(cli.raw("token", "--issuer", server.issuer(), "--client-id", "c", "--key", missing.toString(), "--alg", "RS256").errLine())
                .contains(missing.toString()).contains("does not exist");
    }

    @Test
    void wrongKeyPasswordThenOneLine() throws Exception {
        KeyPair pair = KeyMaterial.rsa();
        Path p12 = dir.resolve("wrong-pw.p12");
        Files.write(p12, KeyMaterial.keyStore("PKCS12", pair, KeyMaterial.selfSigned(pair, "SHA256withRSA"), "right-password"));
        Cli.Result r = cli.env("PW", "wrong-password").raw("token", "--issuer", server.issuer(), "--client-id", "c", "--key", p12.toString(),
                "--key-password", "${env:PW}", "--alg", "RS256");
        assertFailure(r, "latch: ");
        assertThat(r.errLine()).contains("wrong password");
    }

    @Test
    void keyThatCannotSignTheAlgorithmThenOneLine() throws Exception {
        Path key = write("p256.jwk", KeyGeneration.generate(JWSAlgorithm.ES256).toJSONString());
        Cli.Result r = token("--client-id", "c", "--key", key.toString(), "--alg", "ES384");
        assertFailure(r, "latch: ");
        assertThat(r.errLine()).contains("ES384");
    }

    @Test
    void literalSecretThenUsageError() {
        Cli.Result r = token("--client-id", "cc-basic", "--client-secret", "literal");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("latch: --client-secret must be a reference");
    }

    @Test
    void usageErrorsExitTwo() throws Exception {
        Path key = write("usage.jwk", KeyGeneration.generate(JWSAlgorithm.ES256).toJSONString());
        List<List<String>> cases = List.of(
                List.of("token", "--client-id", "c"),                                                           // no --issuer
                List.of("token", "--issuer", server.issuer()),                                                  // no --client-id
                List.of("token", "--issuer", server.issuer(), "--client-id", "c"),                              // no credentials
                List.of("token", "--issuer", server.issuer(), "--client-id", "c", "--client-secret", "${env:S}", "--key", key.toString(), "--alg", "ES256"),
                List.of("token", "--issuer", server.issuer(), "--client-id", "c", "--key", key.toString()),     // --key without --alg
                List.of("token", "--issuer", server.issuer(), "--client-id", "c", "--key", key.toString(), "--alg", "HS256"),
                List.of("token", "--issuer", server.issuer(), "--client-id", "c", "--client-secret", "${env:S}", "--alg", "RS256"),
                List.of("token", "--issuer", server.issuer(), "--client-id", "c", "--client-secret", "${env:S}", "--auth", "magic"),
                List.of("token", "--issuer", server.issuer(), "--client-id", "c", "--client-secret", "${env:S}", "--grant", "password"),
                List.of("token", "--issuer", server.issuer(), "--client-id", "c", "--client-secret", "${env:S}", "--grant", "refresh_token"),
                List.of("token", "--issuer", server.issuer(), "--client-id", "c", "--key", key.toString(), "--preset", "google"),
                List.of("token", "--issuer", "not a url", "--client-id", "c", "--client-secret", "${env:S}"));
        for (List<String> args : cases) {
            Cli.Result r = cli.env("S", "x").raw(args.toArray(String[]::new));
            assertThat(r.exit()).as("%s: %s", args, r.err()).isEqualTo(2);
            assertThat(r.err()).as("%s", args).startsWith("latch: ").doesNotContain("Exception");
        }
    }
}
