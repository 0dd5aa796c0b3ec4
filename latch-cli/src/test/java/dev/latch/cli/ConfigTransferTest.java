package dev.latch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.core.jose.KeyGeneration;
import dev.latch.server.LatchInstance;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import dev.latch.server.client.StoredClient;
import dev.latch.server.http.Json;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code latch config export|import}: moving a configuration between instances. */
class ConfigTransferTest {

    static final String EXPORT_KEY = "an-export-key-only-tests-know-0123456789";
    static final String BASIC_SECRET = "basic-client-secret-given-by-the-operator-01";
    static final String HMAC_SECRET = "hmac-key-of-the-client-secret-jwt-client-0123456789";

    @TempDir
    static Path dir;
    static TestServer source;
    static Cli sourceCli;
    static Path exported;
    static String hmacKid;

    @BeforeAll
    static void populateTheSource() throws Exception {
        source = TestServer.start();
        sourceCli = cli(source.data());
        LatchInstance a = source.server().instance();
        a.scopes().put("read", "Read the things");
        a.scopes().put("write", null);
        a.clients().create(new Client.Builder().clientId("basic").clientName("Basic").scope("read write")
                .allowedResources(List.of("https://api.example.com")).build(), BASIC_SECRET, true, null);
        a.clients().create(new Client.Builder().clientId("post").tokenEndpointAuthMethod(Client.POST).accessTokenFormat("opaque")
                .enabled(false).build(), null, true, "a-registration-access-token");
        a.clients().create(new Client.Builder().clientId("hmac").tokenEndpointAuthMethod(Client.SECRET_JWT)
                .tokenEndpointAuthSigningAlg("HS256").scope("read").build(), HMAC_SECRET, true, null);
        JWK clientKey = KeyGeneration.generate(JWSAlgorithm.ES256);
        a.clients().create(new Client.Builder().clientId("pkjwt").tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                .jwks(Map.of("keys", List.of(clientKey.toPublicJWK().toJSONObject()))).build(), null, true, null);
        assertThat(sourceCli.run("keys", "rotate", "--alg", "RS256").exit()).isZero();
        assertThat(sourceCli.run("keys", "rotate", "--alg", "ES256").exit()).isZero();
        exported = dir.resolve("source.json");
        Cli.Result r = sourceCli.run("config", "export", "--out", exported.toString(), "--export-key", "${env:EK}");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("exported 2 scopes, 3 signing keys (public parts), 4 clients to " + exported + "\n");
    }

    @AfterAll
    static void stop() {
        source.close();
    }

    static Cli cli(Path data) {
        return new Cli(data).env("EK", EXPORT_KEY);
    }

    static Path fresh(String name) {
        return dir.resolve(name + "-" + UUID.randomUUID());
    }

    @Test
    void exportImportIntoAnEmptyInstanceAndExportAgainGivesTheSameBytes() throws Exception {
        Path empty = fresh("empty");
        Cli target = cli(empty);
        Cli.Result imported = target.run("config", "import", exported.toString(), "--export-key", "${env:EK}");
        assertThat(imported.exit()).as(imported.err()).isZero();
        assertThat(imported.out()).isEqualTo("imported " + exported + ": scopes 2 added, 0 updated; signing keys 3 added (public-only), "
                + "0 already here; clients 4 added, 0 replaced, 0 unchanged\n");
        assertThat(imported.err()).isEmpty();

        Path again = dir.resolve("again-" + UUID.randomUUID() + ".json");
        assertThat(target.run("config", "export", "--out", again.toString(), "--export-key", "${env:EK}").exit()).isZero();
        assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(exported));

        // and exporting the source twice gives the same bytes too (nothing random, no export time)
        Path twice = dir.resolve("twice-" + UUID.randomUUID() + ".json");
        assertThat(sourceCli.run("config", "export", "--out", twice.toString(), "--export-key", "${env:EK}").exit()).isZero();
        assertThat(Files.readAllBytes(twice)).isEqualTo(Files.readAllBytes(exported));
    }

    @Test
    void theExportHoldsNoPlaintextSecretAndNoPrivateKey() throws Exception {
        String text = Files.readString(exported);
        assertThat(text).doesNotContain(BASIC_SECRET).doesNotContain(HMAC_SECRET).doesNotContain("a-registration-access-token");
        JsonNode doc = Json.MAPPER.readTree(text);
        assertThat(doc.get("format").asText()).isEqualTo("latch-config-export");
        assertThat(doc.get("version").asInt()).isEqualTo(1);
        for (JsonNode key : doc.get("keys")) {
            assertThat(JWK.parse(Json.MAPPER.writeValueAsString(key.get("public_jwk"))).isPrivate()).isFalse();
            assertThat(key.get("public_jwk").has("d")).isFalse();
        }
        JsonNode basic = doc.get("clients").get(0);
        assertThat(basic.get("client_id").asText()).isEqualTo("basic");
        try (LatchInstance a = Instances.open(source.data())) {
            StoredClient stored = a.clients().find("basic").orElseThrow();
            assertThat(basic.get("secret_digest").asText()).isEqualTo(stored.secretDigest());
            StoredClient hmac = a.clients().find("hmac").orElseThrow();
            String wrapped = doc.get("clients").get(1).get("secret_wrapped").asText();
            assertThat(wrapped).startsWith("x1.").isNotEqualTo(hmac.secretEncrypted());
            assertThat(doc.get("clients")).extracting(c -> c.get("client_id").asText()).containsExactly("basic", "hmac", "pkjwt", "post");
            assertThat(doc.get("clients").get(3).get("registration_token_digest").asText())
                    .isEqualTo(a.clients().find("post").orElseThrow().registrationTokenDigest());
        }
        assertThat(doc.get("settings").get("tokens.signing-alg").asText()).isEqualTo("RS256");
        assertThat(doc.get("settings").get("tokens.default-profile").asText()).isEqualTo("rfc9068");
        assertThat(doc.get("scopes").get(0).get("description").asText()).isEqualTo("Read the things");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(exported))).isEqualTo("rw-------");
    }

    @Test
    void importedClientsAuthenticateWithTheirOldSecretsAndImportedKeysArePublishedButNeverSign() throws Exception {
        Path data = fresh("served");
        assertThat(cli(data).run("config", "import", exported.toString(), "--export-key", "${env:EK}").exit()).isZero();
        Cli.Result listed = cli(data).run("keys", "list");
        assertThat(listed.out().lines().skip(1)).hasSize(3).allMatch(l -> l.contains("public-only (published)"));

        try (TestServer target = TestServer.start(Map.of("data", data.toString()))) {
            HttpResponse<String> basic = target.postForm("/token", "grant_type=client_credentials&scope=read",
                    "Authorization", ClientsWithRunningServerTest.basic("basic", BASIC_SECRET));
            assertThat(basic.statusCode()).as(basic.body()).isEqualTo(200);
            SignedJWT token = SignedJWT.parse(Json.MAPPER.readTree(basic.body()).get("access_token").asText());

            // the client_secret_jwt secret was re-wrapped under the export key and again under this instance's master key
            HttpResponse<String> hmac = target.postForm("/token", "grant_type=client_credentials&client_id=hmac"
                    + "&client_assertion_type=" + URLEncoder.encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", StandardCharsets.UTF_8)
                    + "&client_assertion=" + hmacAssertion("hmac", target.issuer()));
            assertThat(hmac.statusCode()).as(hmac.body()).isEqualTo(200);

            HttpResponse<String> disabled = target.postForm("/token", "grant_type=client_credentials", "Authorization",
                    ClientsWithRunningServerTest.basic("post", "anything-at-all"));
            assertThat(disabled.statusCode()).isEqualTo(401);

            JWKSet jwks = JWKSet.parse(target.get(target.url("/jwks")).body());
            List<String> importedKids = new ArrayList<>();
            for (JsonNode k : Json.MAPPER.readTree(Files.readString(exported)).get("keys")) {
                importedKids.add(k.get("kid").asText());
            }
            for (String kid : importedKids) {
                assertThat(jwks.getKeyByKeyId(kid)).as("imported key %s published", kid).isNotNull();
            }
            // the target signs with a key of its own, created at start, never with a public-only one
            assertThat(importedKids).doesNotContain(token.getHeader().getKeyID());
            assertThat(jwks.getKeyByKeyId(token.getHeader().getKeyID())).isNotNull();

            String importedKid = importedKids.get(0);
            Cli.Result unpublished = cli(data).runWithId(importedKid, "keys", "unpublish");
            assertThat(unpublished.exit()).as(unpublished.err()).isZero();
            JWKSet after = Poll.until(Duration.ofSeconds(5), () -> {
                try {
                    JWKSet s = JWKSet.parse(target.get(target.url("/jwks")).body());
                    return s.getKeyByKeyId(importedKid) == null ? s : null;
                } catch (java.text.ParseException e) {
                    throw new AssertionError(e);
                }
            });
            assertThat(after).as("imported key leaves the JWKS").isNotNull();
        }
    }

    static String hmacAssertion(String clientId, String audience) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(clientId).subject(clientId).audience(audience)
                .expirationTime(new Date(System.currentTimeMillis() + 60_000)).jwtID(UUID.randomUUID().toString()).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(HMAC_SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    @Test
    void importingTheSameFileAgainChangesNothing() {
        Path data = fresh("twice");
        assertThat(cli(data).run("config", "import", exported.toString(), "--export-key", "${env:EK}").exit()).isZero();
        Cli.Result again = cli(data).run("config", "import", exported.toString(), "--export-key", "${env:EK}");
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.out()).isEqualTo("imported " + exported + ": scopes 0 added, 0 updated; signing keys 0 added (public-only), "
                + "3 already here; clients 0 added, 0 replaced, 4 unchanged\n");
    }

    @Test
    void importWhenAClientIdIsTakenWithOtherSettingsThenRefusedUnlessReplace() throws Exception {
        Path data = fresh("conflict");
        Cli target = cli(data);
        assertThat(target.run("clients", "add", "--client-id", "basic", "--name", "Someone else's").exit()).isZero();
        assertThat(target.run("clients", "add", "--client-id", "local-only").exit()).isZero();

        Cli.Result refused = target.run("config", "import", exported.toString(), "--export-key", "${env:EK}");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.errLine()).isEqualTo("latch: client basic is already registered here with other settings "
                + "(use --replace to overwrite with the export's); nothing was imported");
        try (LatchInstance c = Instances.open(data)) {
            assertThat(c.clients().store().list()).extracting(StoredClient::clientId).containsExactly("basic", "local-only");
            assertThat(c.scopes().all()).isEmpty();
        }

        Cli.Result replaced = target.run("config", "import", exported.toString(), "--export-key", "${env:EK}", "--replace");
        assertThat(replaced.exit()).as(replaced.err()).isZero();
        assertThat(replaced.out()).contains("clients 3 added, 1 replaced, 0 unchanged");
        try (LatchInstance c = Instances.open(data); LatchInstance a = Instances.open(source.data())) {
            StoredClient basic = c.clients().find("basic").orElseThrow();
            assertThat(basic.client().clientName()).isEqualTo("Basic");
            assertThat(basic.secretDigest()).isEqualTo(a.clients().find("basic").orElseThrow().secretDigest());
            assertThat(c.clients().find("local-only")).isPresent();
        }
    }

    @Test
    void importReportsSettingsThatDifferButDoesNotApplyThem() throws Exception {
        Path config = dir.resolve("es256-" + UUID.randomUUID() + ".yaml");
        Files.writeString(config, "tokens:\n  signing-alg: ES256\n  jwks-max-age: 5m\n");
        Cli.Result r = cli(fresh("settings")).run("config", "import", exported.toString(), "--export-key", "${env:EK}",
                "--config", config.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).isEqualTo(
                "latch: note: setting tokens.jwks-max-age is 300s here but 600s in the export (settings are not imported; set it in --config if wanted)\n"
                + "latch: note: setting tokens.signing-alg is ES256 here but RS256 in the export (settings are not imported; set it in --config if wanted)\n");
    }

    @Test
    void importWhenExportKeyWrongOrFileChangedThenNothingIsImported() throws Exception {
        Path data = fresh("wrong");
        Cli.Result wrong = new Cli(data).env("EK", "another-export-key-of-enough-length")
                .run("config", "import", exported.toString(), "--export-key", "${env:EK}");
        assertThat(wrong.exit()).isEqualTo(1);
        assertThat(wrong.errLine()).isEqualTo("latch: the export's MAC does not match: wrong --export-key, or the file was changed after export");

        ObjectNode doc = (ObjectNode) Json.MAPPER.readTree(Files.readString(exported));
        ((ObjectNode) doc.get("clients").get(0)).put("secret_digest", "sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        Path tampered = dir.resolve("tampered-" + UUID.randomUUID() + ".json");
        Files.writeString(tampered, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        Cli.Result changed = cli(data).run("config", "import", tampered.toString(), "--export-key", "${env:EK}");
        assertThat(changed.exit()).isEqualTo(1);
        assertThat(changed.errLine()).isEqualTo("latch: the export's MAC does not match: wrong --export-key, or the file was changed after export");
        try (LatchInstance c = Instances.open(data)) {
            assertThat(c.clients().store().list()).isEmpty();
            assertThat(c.keyRing().snapshot().keys()).isEmpty();
        }
    }

    @Test
    void importWhenFileIsNoExportOrAnotherVersionThenExit1() throws Exception {
        Cli target = cli(fresh("bad"));
        Path other = dir.resolve("other.json");
        Files.writeString(other, "{\"keys\": []}");
        assertThat(target.run("config", "import", other.toString(), "--export-key", "${env:EK}").errLine())
                .isEqualTo("latch: not a Latch configuration export (no \"format\": \"latch-config-export\")");
        Path notJson = dir.resolve("not.json");
        Files.writeString(notJson, "clients: []");
        assertThat(target.run("config", "import", notJson.toString(), "--export-key", "${env:EK}").errLine())
                .startsWith("latch: not a Latch configuration export (not JSON: ");
        ObjectNode doc = (ObjectNode) Json.MAPPER.readTree(Files.readString(exported));
        doc.put("version", 2);
        Path v2 = dir.resolve("v2.json");
        Files.writeString(v2, doc.toString());
        assertThat(target.run("config", "import", v2.toString(), "--export-key", "${env:EK}").errLine())
                .isEqualTo("latch: export format version 2 is not one this Latch reads (it reads version 1)");
        Path missing = dir.resolve("missing.json");
        assertThat(target.run("config", "import", missing.toString(), "--export-key", "${env:EK}").errLine())
                .isEqualTo("latch: " + missing + ": no such file");
    }

    @Test
    void exportKeyIsRequiredAndMustBeLong() {
        Cli.Result missing = sourceCli.run("config", "export", "--out", dir.resolve("x.json").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("latch: Missing required option: '--export-key=SECRET'\n"
                + "Try 'latch config export --help' for more information.\n");
        Cli.Result importMissing = sourceCli.run("config", "import", exported.toString());
        assertThat(importMissing.exit()).isEqualTo(2);
        assertThat(importMissing.err()).startsWith("latch: Missing required option: '--export-key=SECRET'\n");
        Cli.Result shortKey = sourceCli.stdin("too-short\n").run("config", "export", "--out", dir.resolve("y.json").toString(), "--export-key", "-");
        assertThat(shortKey.exit()).isEqualTo(1);
        assertThat(shortKey.errLine()).isEqualTo("latch: --export-key must be at least 16 characters (generate one with: openssl rand -base64 32)");
        assertThat(dir.resolve("y.json")).doesNotExist();
    }

    @Test
    void exportToStandardOutputPrintsTheFileAndTheSummaryOnStderr() throws Exception {
        Cli.Result r = sourceCli.run("config", "export", "--out", "-", "--export-key", "${env:EK}");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo(Files.readString(exported));
        assertThat(r.err()).isEqualTo("latch: exported 2 scopes, 3 signing keys (public parts), 4 clients\n");
    }

    @Test
    void exportWhenDataMissingThenExit1() {
        Path nowhere = dir.resolve("nowhere");
        Cli.Result r = cli(nowhere).run("config", "export", "--out", dir.resolve("z.json").toString(), "--export-key", "${env:EK}");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLine()).startsWith("latch: no Latch data in " + nowhere);
    }

    @Test
    void showPrintsTheEffectiveConfigurationWithSecretsRedacted() throws Exception {
        Path config = dir.resolve("show-" + UUID.randomUUID() + ".yaml");
        Files.writeString(config, """
                issuer: https://auth.example.com
                master-key: ${env:MK}
                registration:
                  initial-access-token: ${env:REG}
                scopes:
                  - name: read
                    description: Read things
                clients:
                  - client_id: from-yaml
                    client_secret: ${env:CS}
                """);
        Cli.Result r = new Cli(null).env("MK", "c2VjcmV0LW1hc3Rlci1rZXktYnl0ZXMtMDEyMzQ1Njc=").env("REG", "registration-token-value")
                .env("CS", "client-secret-value-that-is-long-enough").env("DBP", "database-password-value")
                .raw("config", "show", "--config", config.toString(), "--db", "jdbc:postgresql://127.0.0.1:5432/latch",
                        "--db-password", "${env:DBP}");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("issuer: https://auth.example.com\n")
                .contains("  url: jdbc:postgresql://127.0.0.1:5432/latch\n")
                .contains("  password: <redacted>\n")
                .contains("master-key: <redacted>\n")
                .contains("  initial-access-token: <redacted>\n")
                .contains("  client_secret: <redacted>\n")
                .contains("  signing-alg: RS256\n")
                .doesNotContain("registration-token-value").doesNotContain("client-secret-value").doesNotContain("database-password-value")
                .doesNotContain("c2VjcmV0");
    }
}
