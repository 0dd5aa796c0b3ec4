package dev.latch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import dev.latch.core.jose.KeyGeneration;
import dev.latch.server.LatchInstance;
import dev.latch.server.secret.Secrets;
import dev.latch.server.client.StoredClient;
import dev.latch.server.http.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientsCommandTest {

    @TempDir
    Path dir;
    Path data;
    Cli cli;

    @BeforeEach
    void setUp() {
        data = dir.resolve("data");
        cli = new Cli(data);
    }

    static JsonNode json(String text) throws Exception {
        return Json.MAPPER.readTree(text);
    }

    private StoredClient stored(String id) {
        try (LatchInstance latch = Instances.open(data)) {
            return latch.clients().find(id).orElseThrow();
        }
    }

    @Test
    void addPrintsClientJsonWithGeneratedSecretShownOnce() throws Exception {
        Cli.Result r = cli.run("clients", "add", "--client-id", "svc", "--name", "Service", "--scope", "read write");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode c = json(r.out());
        assertThat(c.get("client_id").asText()).isEqualTo("svc");
        assertThat(c.get("client_name").asText()).isEqualTo("Service");
        assertThat(c.get("token_endpoint_auth_method").asText()).isEqualTo("client_secret_basic");
        assertThat(c.get("scope").asText()).isEqualTo("read write");
        String secret = c.get("client_secret").asText();
        assertThat(secret).hasSize(86); // 512 bits, base64url
        assertThat(r.err()).contains("latch: the client_secret above is shown only this once; store it now");
        assertThat(Secrets.matches(secret, stored("svc").secretDigest())).isTrue();

        Cli.Result show = cli.run("clients", "show", "svc");
        assertThat(show.exit()).isZero();
        assertThat(json(show.out()).has("client_secret")).isFalse();
        assertThat(show.out()).doesNotContain(secret);
    }

    /** RP-initiated logout's return addresses, set, replaced and cleared from the CLI, checked as registration checks them. */
    @Test
    void postLogoutRedirectUrisAreAddedReplacedUnsetAndCheckedLikeRegistration() throws Exception {
        Cli.Result add = cli.run("clients", "add", "--client-id", "portal", "--grant-type", "authorization_code",
                "--redirect-uri", "https://portal.example/cb", "--post-logout-redirect-uri", "https://portal.example/bye",
                "--post-logout-redirect-uri", "https://portal.example/signed-out");
        assertThat(add.exit()).as(add.err()).isZero();
        assertThat(stored("portal").client().postLogoutRedirectUris()).containsExactly("https://portal.example/bye", "https://portal.example/signed-out");
        assertThat(json(cli.run("clients", "show", "portal").out()).get("post_logout_redirect_uris").get(0).asText())
                .isEqualTo("https://portal.example/bye");

        assertThat(cli.run("clients", "update", "portal", "--post-logout-redirect-uri", "https://portal.example/v2/bye").exit()).isZero();
        assertThat(stored("portal").client().postLogoutRedirectUris()).containsExactly("https://portal.example/v2/bye");
        assertThat(cli.run("clients", "update", "portal", "--unset", "post_logout_redirect_uris").exit()).isZero();
        assertThat(stored("portal").client().postLogoutRedirectUris()).isNullOrEmpty();

        Cli.Result bad = cli.run("clients", "update", "portal", "--post-logout-redirect-uri", "https://portal.example/bye#fragment");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.errLine()).contains("post_logout_redirect_uris");
    }

    @Test
    void addQuietPrintsClientIdThenSecret() {
        Cli.Result r = cli.run("clients", "add", "--client-id", "q1", "-q");
        assertThat(r.exit()).isZero();
        String[] lines = r.out().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).isEqualTo("q1");
        assertThat(Secrets.matches(lines[1], stored("q1").secretDigest())).isTrue();
    }

    @Test
    void addWithoutClientIdGeneratesOne() throws Exception {
        Cli.Result r = cli.run("clients", "add");
        assertThat(r.exit()).isZero();
        assertThat(json(r.out()).get("client_id").asText()).matches("[A-Za-z0-9_-]{22}");
    }

    @Test
    void addWithSecretFromFileStoresItsDigestAndDoesNotEchoIt() throws Exception {
        String secret = "a-secret-chosen-by-the-operator-0123456789";
        Files.writeString(dir.resolve("secret.txt"), secret + "\n");
        Cli.Result r = cli.run("clients", "add", "--client-id", "given", "--secret", "${file:" + dir.resolve("secret.txt") + "}");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain(secret).doesNotContain("\"client_secret\"");
        assertThat(r.err()).isEmpty();
        assertThat(Secrets.matches(secret, stored("given").secretDigest())).isTrue();
    }

    @Test
    void addWithSecretFromEnvironmentAndStandardInput() {
        String a = "secret-from-the-environment-0123456789";
        assertThat(cli.env("CLIENT_SECRET", a).run("clients", "add", "--client-id", "env", "--secret", "${env:CLIENT_SECRET}").exit()).isZero();
        assertThat(Secrets.matches(a, stored("env").secretDigest())).isTrue();
        String b = "secret-from-standard-input-0123456789";
        assertThat(cli.stdin(b + "\n").run("clients", "add", "--client-id", "stdin", "--secret", "-").exit()).isZero();
        assertThat(Secrets.matches(b, stored("stdin").secretDigest())).isTrue();
    }

    @Test
    void addWithLiteralSecretIsRefusedAsUsageError() {
        Cli.Result r = cli.run("clients", "add", "--client-id", "lit", "--secret", "a-literal-secret-on-the-command-line-0123");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLine()).isEqualTo("latch: --secret must be a reference (${env:NAME}, ${file:PATH} or - for standard input),"
                + " not the secret itself: a command line is visible in the process list and shell history (LATCH_ALLOW_LITERAL_SECRETS=true allows it)\n"
                + "Try 'latch clients add --help' for more information.");
    }

    @Test
    void dbPasswordGivenLiterallyIsRefusedBeforeAnythingConnects() {
        Cli.Result r = cli.run("clients", "list", "--db", "jdbc:postgresql://127.0.0.1:5432/test", "--db-password", "hunter2");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLine()).startsWith("latch: --db-password must be a reference (${env:NAME}, ${file:PATH} or - for standard input)");
    }

    @Test
    void addWithLiteralSecretWhenExplicitlyAllowedWorksButWarns() {
        String secret = "a-literal-secret-on-the-command-line-0123";
        Cli.Result r = cli.env("LATCH_ALLOW_LITERAL_SECRETS", "true").run("clients", "add", "--client-id", "lit", "--secret", secret);
        assertThat(r.exit()).isZero();
        assertThat(r.errLine()).isEqualTo("latch: warning: --secret was given literally, so it is visible in the process list"
                + " and shell history; prefer ${env:NAME}, ${file:PATH} or - (standard input)");
        assertThat(Secrets.matches(secret, stored("lit").secretDigest())).isTrue();
    }

    @Test
    void addWhenSecretReferenceResolvesToNothingThenExit1NamingIt() {
        Cli.Result r = cli.run("clients", "add", "--client-id", "x", "--secret", "${env:NOT_SET_ANYWHERE}");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLine()).isEqualTo("latch: --secret: environment variable NOT_SET_ANYWHERE is not set");
        Cli.Result f = cli.run("clients", "add", "--client-id", "x", "--secret", "${file:" + dir.resolve("missing") + "}");
        assertThat(f.errLine()).isEqualTo("latch: --secret: file " + dir.resolve("missing") + " does not exist");
    }

    @Test
    void addOrUpdateWithMalformedSmartScopeThenRefusedNamingIt() {
        Cli.Result add = cli.run("clients", "add", "--client-id", "ehr-app", "--scope", "openid patient/Observation.rs user/observation.rs");
        assertThat(add.exit()).isEqualTo(1);
        assertThat(add.errLine()).startsWith("latch: scope user/observation.rs is not a well-formed SMART scope: ");
        assertThat(cli.run("clients", "add", "--client-id", "ehr-app", "--scope", "openid patient/*.rs", "-q").exit()).isZero();
        Cli.Result update = cli.run("clients", "update", "ehr-app", "--scope", "patient/*.rs patient/Observation.rsc");
        assertThat(update.exit()).isEqualTo(1);
        assertThat(update.errLine()).startsWith("latch: scope patient/Observation.rsc is not a well-formed SMART scope: ");
    }

    @Test
    void addWhenSecretTooShortThenInvalidMetadataMessage() {
        Cli.Result r = cli.stdin("short\n").run("clients", "add", "--client-id", "x", "--secret", "-");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLine()).isEqualTo("latch: client_secret must be at least 32 characters (it is stored as a SHA-256 digest, "
                + "so it must not be guessable); omit it to have one generated");
    }

    /** RFC 7518 §3.2: an HMAC key at least as long as the hash, checked on add, update and rotate-secret. */
    @Test
    void clientSecretJwtWhenSecretShorterThanTheAlgorithmsHashThenExit1NamingBothLengths() {
        String short32 = "k".repeat(32);
        Cli.Result add = cli.env("S", short32).run("clients", "add", "--client-id", "hs512", "--auth-method", "client_secret_jwt",
                "--auth-signing-alg", "HS512", "--secret", "${env:S}");
        assertThat(add.exit()).isEqualTo(1);
        assertThat(add.errLine()).isEqualTo("latch: client_secret is too short for token_endpoint_auth_signing_alg HS512: "
                + "the secret is 32 bytes; HS512 needs at least 64 (RFC 7518 §3.2)");

        assertThat(cli.env("S", short32).run("clients", "add", "--client-id", "hs256", "--auth-method", "client_secret_jwt",
                "--auth-signing-alg", "HS256", "--secret", "${env:S}").exit()).isZero();
        Cli.Result update = cli.run("clients", "update", "hs256", "--auth-signing-alg", "HS384");
        assertThat(update.exit()).isEqualTo(1);
        assertThat(update.errLine()).contains("HS384 needs at least 48").contains("latch clients rotate-secret");
        Cli.Result rotate = cli.env("S", "r".repeat(31)).run("clients", "rotate-secret", "hs256", "--secret", "${env:S}");
        assertThat(rotate.exit()).isEqualTo(1);
        assertThat(stored("hs256").client().tokenEndpointAuthSigningAlg()).isEqualTo("HS256");
        try (LatchInstance latch = Instances.open(data)) {
            assertThat(latch.clients().find("hs512")).isEmpty();
        }
    }

    /** A jwks_uri the outbound policy would refuse at every fetch is refused when it is set. */
    @Test
    void jwksUriOnAPrivateAddressThenExit1WithTheReason() {
        Cli.Result r = cli.run("clients", "add", "--client-id", "internal", "--auth-method", "private_key_jwt",
                "--jwks-uri", "https://10.20.30.40/jwks");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLine()).startsWith("latch: jwks_uri https://10.20.30.40/jwks: ").contains("private, loopback or link-local")
                .contains("LATCH_OUTBOUND_ALLOW");
    }

    @Test
    void addWhenClientIdTakenThenExit1() {
        assertThat(cli.run("clients", "add", "--client-id", "dup").exit()).isZero();
        Cli.Result r = cli.run("clients", "add", "--client-id", "dup");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLine()).isEqualTo("latch: client_id dup is already registered");
    }

    @Test
    void addWhenMetadataInvalidThenTheInvalidClientMetadataDescription() {
        assertThat(cli.run("clients", "add", "--token-format", "xml").errLine())
                .isEqualTo("latch: access_token_format must be jwt or opaque");
        assertThat(cli.run("clients", "add", "--auth-method", "magic").errLine())
                .isEqualTo("latch: token_endpoint_auth_method must be one of client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt or none (public code-flow clients)");
        assertThat(cli.run("clients", "add", "--auth-method", "private_key_jwt").errLine())
                .isEqualTo("latch: private_key_jwt needs jwks or jwks_uri");
        assertThat(cli.run("clients", "add", "--auth-method", "client_secret_jwt", "--auth-signing-alg", "RS256").errLine())
                .isEqualTo("latch: token_endpoint_auth_signing_alg for client_secret_jwt must be one of HS256, HS384, HS512");
        assertThat(cli.run("clients", "add", "--grant-type", "password").errLine())
                .isEqualTo("latch: grant type password is not supported (supported: authorization_code, client_credentials, refresh_token)");
        assertThat(cli.run("clients", "add", "--resource", "not a uri").errLine())
                .isEqualTo("latch: allowed_resources: not a uri must be an absolute URI without fragment (RFC 8707)");
        assertThat(cli.run("clients", "add", "--token-lifetime", "2d").errLine())
                .isEqualTo("latch: access_token_lifetime must be 1-86400 seconds");
        assertThat(cli.run("clients", "add", "--token-lifetime", "soon").errLine())
                .isEqualTo("latch: --token-lifetime: not a duration such as 300s, 5m, 1h (was soon)");
        Cli.Result both = cli.run("clients", "add", "--jwks", "x.json", "--jwks-uri", "https://example.com/jwks");
        assertThat(both.exit()).isEqualTo(1);
        assertThat(both.errLine()).isEqualTo("latch: --jwks and --jwks-uri must not both be given (RFC 7591 §2)");
        try (LatchInstance latch = Instances.open(data)) {
            assertThat(latch.clients().store().list()).isEmpty();
        }
    }

    @Test
    void addPrivateKeyJwtClientWithJwksFileHasNoSecret() throws Exception {
        JWK key = KeyGeneration.generate(JWSAlgorithm.ES256);
        Path jwk = dir.resolve("client.jwk");
        Files.writeString(jwk, key.toPublicJWK().toJSONString());
        Cli.Result r = cli.run("clients", "add", "--client-id", "pk", "--auth-method", "private_key_jwt",
                "--auth-signing-alg", "ES256", "--jwks", jwk.toString(), "-q");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("pk\n");
        JsonNode shown = json(cli.run("clients", "show", "pk").out());
        assertThat(shown.get("jwks").get("keys").get(0).get("kid").asText()).isEqualTo(key.getKeyID());
        assertThat(shown.get("token_endpoint_auth_signing_alg").asText()).isEqualTo("ES256");
        assertThat(stored("pk").secretDigest()).isNull();
    }

    @Test
    void addWhenJwksFileHoldsPrivateKeyOrIsMissingThenExit1() throws Exception {
        JWK key = KeyGeneration.generate(JWSAlgorithm.ES256);
        Path jwk = dir.resolve("private.jwk");
        Files.writeString(jwk, key.toJSONString());
        Cli.Result r = cli.run("clients", "add", "--auth-method", "private_key_jwt", "--jwks", jwk.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLine()).isEqualTo("latch: jwks must hold public keys only (key " + key.getKeyID() + " has private parts)");
        Cli.Result missing = cli.run("clients", "add", "--auth-method", "private_key_jwt", "--jwks", dir.resolve("nope.json").toString());
        assertThat(missing.errLine()).isEqualTo("latch: --jwks " + dir.resolve("nope.json") + ": no such file");
        Files.writeString(dir.resolve("junk.json"), "{\"hello\": 1}");
        assertThat(cli.run("clients", "add", "--jwks", dir.resolve("junk.json").toString()).errLine())
                .isEqualTo("latch: --jwks " + dir.resolve("junk.json") + ": neither a JWK Set ({\"keys\": [...]}) nor a JWK");
    }

    @Test
    void listPrintsATableSortedByClientIdAndJsonOnRequest() throws Exception {
        cli.run("clients", "add", "--client-id", "zeta", "--scope", "b", "--token-format", "opaque", "--disabled");
        cli.run("clients", "add", "--client-id", "alpha", "--name", "First one", "--scope", "a b");
        Cli.Result r = cli.run("clients", "list");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo(
                "CLIENT_ID  AUTH_METHOD          GRANT_TYPES         SCOPE  FORMAT  ENABLED  NAME\n"
                + "alpha      client_secret_basic  client_credentials  a b    jwt     yes      First one\n"
                + "zeta       client_secret_basic  client_credentials  b      opaque  no       -\n");
        JsonNode list = json(cli.run("clients", "list", "--json").out());
        assertThat(list).hasSize(2);
        assertThat(list.get(0).get("client_id").asText()).isEqualTo("alpha");
        assertThat(list.get(1).get("enabled").asBoolean()).isFalse();
        assertThat(list.toString()).doesNotContain("secret\":");
    }

    @Test
    void commandsOnExistingDataWhenDataDirectoryHasNoDatabaseThenExit1() {
        Path elsewhere = dir.resolve("typo");
        Cli.Result r = new Cli(elsewhere).run("clients", "list");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLine()).isEqualTo("latch: no Latch data in " + elsewhere
                + " (check --data; `latch serve` or `latch clients add` creates it)");
        assertThat(elsewhere).doesNotExist();
    }

    @Test
    void showRemoveUpdateRotateWhenClientUnknownThenExit1() {
        cli.run("clients", "add", "--client-id", "exists");
        for (String[] args : new String[][] {{"clients", "show", "nope"}, {"clients", "remove", "nope"},
                {"clients", "update", "nope", "--name", "x"}, {"clients", "rotate-secret", "nope"}}) {
            Cli.Result r = cli.run(args);
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(1);
            assertThat(r.errLine()).isEqualTo("latch: no client nope");
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void idsThatLookLikeClusteredHelpOrVersionFlagsNeverPrintHelpAndExitZero() {
        // base64url ids and kids start with '-' one time in 64: any other dash id is taken as the id,
        // but "-h…"/"-V…" resemble the help/version options; they must be a usage error naming the id
        // (give the id after "--"), never the help text with exit 0 as if the command had run
        cli.run("clients", "add", "--client-id", "exists");
        for (String[] args : new String[][] {{"clients", "show", "-hXq2"}, {"clients", "show", "-Vabc"}, {"keys", "unpublish", "-hXq2"}}) {
            Cli.Result r = cli.run(args);
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err()).contains(args[2]);
            assertThat(r.out()).doesNotContain("Usage:");
        }
        assertThat(cli.run("clients", "show", "-Xq2").errLine()).isEqualTo("latch: no client -Xq2");
        // after "--", as docs/cli.md says, such an id is the id (what the tests do with generated kids: Cli.runWithId)
        assertThat(cli.runWithId("-hXq2", "clients", "show").errLine()).isEqualTo("latch: no client -hXq2");
        assertThat(cli.runWithId("-hXq2", "keys", "unpublish").errLine()).isEqualTo("latch: no key -hXq2");
        assertThat(cli.run("clients", "show", "-h").out()).contains("Usage: latch clients show");
    }


    @Test
    void updateChangesOnlyTheGivenFieldsAndKeepsTheSecret() throws Exception {
        cli.run("clients", "add", "--client-id", "u", "--name", "Before", "--scope", "read write", "--resource", "https://api.example.com");
        String digest = stored("u").secretDigest();
        Cli.Result r = cli.run("clients", "update", "u", "--token-lifetime", "5m", "--token-format", "opaque");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode c = json(r.out());
        assertThat(c.get("access_token_lifetime").asLong()).isEqualTo(300);
        assertThat(c.get("access_token_format").asText()).isEqualTo("opaque");
        assertThat(c.get("client_name").asText()).isEqualTo("Before");
        assertThat(c.get("scope").asText()).isEqualTo("read write");
        assertThat(c.get("allowed_resources").get(0).asText()).isEqualTo("https://api.example.com");
        assertThat(c.has("client_secret")).isFalse();
        assertThat(stored("u").secretDigest()).isEqualTo(digest);

        Cli.Result replaced = cli.run("clients", "update", "u", "--resource", "https://a.example", "--resource", "https://b.example",
                "--unset", "client_name,access_token_lifetime");
        JsonNode after = json(replaced.out());
        assertThat(after.get("allowed_resources")).hasSize(2);
        assertThat(after.has("client_name")).isFalse();
        assertThat(after.has("access_token_lifetime")).isFalse();
        assertThat(after.get("scope").asText()).isEqualTo("read write");
    }

    @Test
    void updateDisablesAndEnables() throws Exception {
        cli.run("clients", "add", "--client-id", "d");
        assertThat(json(cli.run("clients", "update", "d", "--disabled").out()).get("enabled").asBoolean()).isFalse();
        assertThat(json(cli.run("clients", "update", "d", "--enabled").out()).has("enabled")).isFalse();
        assertThat(stored("d").client().isEnabled()).isTrue();
        Cli.Result both = cli.run("clients", "update", "d", "--enabled", "--disabled");
        assertThat(both.exit()).isEqualTo(1);
        assertThat(both.errLine()).isEqualTo("latch: --enabled and --disabled contradict each other");
    }

    @Test
    void updateWhenUnsetFieldUnknownThenExit1() {
        cli.run("clients", "add", "--client-id", "x");
        Cli.Result r = cli.run("clients", "update", "x", "--unset", "client_id");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLine()).isEqualTo("latch: --unset client_id: not a field that can be cleared (one of access_token_format, "
                + "access_token_lifetime, access_token_signed_response_alg, allowed_resources, client_name, initiate_login_uri, jwks, jwks_uri, post_logout_redirect_uris, "
                + "redirect_uris, resource_uris, scope, token_endpoint_auth_signing_alg)");
    }

    @Test
    void updateToClientSecretJwtGeneratesAnHmacSecretShownOnce() throws Exception {
        cli.run("clients", "add", "--client-id", "m");
        Cli.Result r = cli.run("clients", "update", "m", "--auth-method", "client_secret_jwt", "--auth-signing-alg", "HS256");
        assertThat(r.exit()).as(r.err()).isZero();
        String secret = json(r.out()).get("client_secret").asText();
        try (LatchInstance latch = Instances.open(data)) {
            StoredClient c = latch.clients().find("m").orElseThrow();
            assertThat(c.secretDigest()).isNull();
            assertThat(latch.clients().hmacSecret(c)).isEqualTo(secret);
        }
    }

    @Test
    void updateWhenMetadataInvalidThenNothingChanges() throws Exception {
        cli.run("clients", "add", "--client-id", "v", "--name", "Kept");
        Cli.Result r = cli.run("clients", "update", "v", "--name", "Changed", "--token-alg", "HS256");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLine()).startsWith("latch: access_token_signed_response_alg must be one of RS256, RS384");
        assertThat(stored("v").client().clientName()).isEqualTo("Kept");
    }

    @Test
    void removeDeletesTheClient() {
        cli.run("clients", "add", "--client-id", "gone");
        Cli.Result r = cli.run("clients", "remove", "gone");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo("removed client gone\n");
        assertThat(cli.run("clients", "show", "gone").errLine()).isEqualTo("latch: no client gone");
    }

    @Test
    void rotateSecretReplacesTheSecret() throws Exception {
        cli.run("clients", "add", "--client-id", "r");
        String before = stored("r").secretDigest();
        Cli.Result r = cli.run("clients", "rotate-secret", "r", "-q");
        assertThat(r.exit()).isZero();
        String[] lines = r.out().split("\n");
        assertThat(lines[0]).isEqualTo("r");
        assertThat(stored("r").secretDigest()).isNotEqualTo(before);
        assertThat(Secrets.matches(lines[1], stored("r").secretDigest())).isTrue();

        String chosen = "the-new-secret-from-standard-input-01234";
        Cli.Result given = cli.stdin(chosen + "\n").run("clients", "rotate-secret", "r", "--secret", "-");
        assertThat(given.exit()).isZero();
        assertThat(given.out()).doesNotContain(chosen);
        assertThat(Secrets.matches(chosen, stored("r").secretDigest())).isTrue();
    }

    @Test
    void rotateSecretWhenClientHasNoSecretThenExit1() throws Exception {
        JWK key = KeyGeneration.generate(JWSAlgorithm.RS256);
        Path jwk = dir.resolve("k.json");
        Files.writeString(jwk, "{\"keys\":[" + key.toPublicJWK().toJSONString() + "]}");
        cli.run("clients", "add", "--client-id", "pk", "--auth-method", "private_key_jwt", "--jwks", jwk.toString());
        Cli.Result r = cli.run("clients", "rotate-secret", "pk");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLine()).isEqualTo("latch: client pk authenticates with private_key_jwt and has no secret");
    }

    @Test
    void clientIdsStartingWithADashAreIdsNotOptions() throws Exception {
        assertThat(cli.run("clients", "add", "--client-id", "-dash").exit()).isZero();
        assertThat(json(cli.run("clients", "show", "-dash").out()).get("client_id").asText()).isEqualTo("-dash");
        assertThat(json(cli.run("clients", "update", "-dash", "--name", "Dash").out()).get("client_name").asText()).isEqualTo("Dash");
        assertThat(cli.run("clients", "rotate-secret", "-dash", "-q").exit()).isZero();
        assertThat(cli.run("clients", "remove", "-dash").out()).isEqualTo("removed client -dash\n");
    }

    @Test
    void usageErrorsExit2WithOneLineAndAHint() {
        Cli.Result unknown = cli.run("clients", "add", "--bogus");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).isEqualTo("latch: Unknown option: '--bogus'\nTry 'latch clients add --help' for more information.\n");
        Cli.Result noSub = cli.raw("clients");
        assertThat(noSub.exit()).isEqualTo(2);
        assertThat(noSub.err()).startsWith("latch: Missing required subcommand\n");
        Cli.Result noId = cli.run("clients", "show");
        assertThat(noId.exit()).isEqualTo(2);
        assertThat(noId.err()).startsWith("latch: Missing required parameter: 'CLIENT_ID'\n");
        Cli.Result noValue = cli.raw("clients", "add", "--name");
        assertThat(noValue.exit()).isEqualTo(2);
        assertThat(noValue.err()).startsWith("latch: Missing required parameter for option '--name' (NAME)\n");
    }

    @Test
    void helpDescribesSecretReferencesLiterally() {
        Cli.Result r = cli.raw("clients", "add", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("${env:NAME}, ${file:PATH}").contains("--client-id=ID").contains("-q, --quiet");
    }
}
