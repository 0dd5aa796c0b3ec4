package dev.latch.cli.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.latch.cli.Cli;
import dev.latch.core.jose.KeyGeneration;
import java.net.ServerSocket;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code latch doctor ISSUER} against a local provider broken one way at a time: each break must
 * produce its own finding (and FAIL exits 1), while the healthy provider produces none.
 */
class DoctorCommandTest {

    FakeProvider provider;
    Cli cli;

    @BeforeEach
    void start() {
        provider = new FakeProvider();
        cli = new Cli(null).clock(Clock.fixed(FakeProvider.NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void stop() {
        provider.close();
    }

    Cli.Result doctor(String... extra) {
        String[] args = new String[extra.length + 3];
        args[0] = "doctor";
        args[1] = provider.issuer;
        args[2] = "--insecure-localhost";
        System.arraycopy(extra, 0, args, 3, extra.length);
        return cli.raw(args);
    }

    static void assertFailsWith(Cli.Result r, String finding) {
        assertThat(r.out()).as(r.out()).contains("[FAIL] " + finding);
        assertThat(r.exit()).as(r.out()).isEqualTo(1);
        assertThat(r.err()).isEmpty();
    }

    @Test
    void healthyProviderThenOnlyOkAndExitZero() {
        Cli.Result r = doctor("--client-auth", "private_key_jwt", "--alg", "ES256", "--grant", "client_credentials");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).doesNotContain("[FAIL]").doesNotContain("[WARN]")
                .contains("[OK]   issuer: the metadata names exactly the issuer you gave: " + provider.issuer)
                .contains("[OK]   clock: the server's clock is within 5 s of this machine's")
                .contains("[OK]   token endpoint: answers a request without credentials with 401 invalid_client")
                .contains("[OK]   client auth: private_key_jwt is supported")
                .contains("[OK]   client auth: client assertions signed with ES256 are accepted")
                .contains("[OK]   grant: client_credentials is supported")
                .contains("latch doctor: nothing that would stop clients (0 FAIL, 0 WARN, ");
        assertThat(r.out().lines().filter(l -> l.startsWith("[OK]   key ")).count()).isEqualTo(2);
    }

    @Test
    void issuerDiffersByTrailingSlashThenFailNamingBoth() {
        provider.metadata.put("issuer", provider.issuer + "/");
        Cli.Result r = doctor();
        assertFailsWith(r, "issuer: the metadata names issuer \"" + provider.issuer + "/\" but you gave \"" + provider.issuer
                + "\": they differ by a trailing slash");
        assertThat(r.out()).contains("fix: configure clients with exactly \"" + provider.issuer + "/\"");
    }

    @Test
    void issuerDifferentThenFail() {
        provider.metadata.put("issuer", "https://login.example.com");
        assertFailsWith(doctor(), "issuer: the metadata names issuer \"https://login.example.com\" but you gave \"" + provider.issuer
                + "\": they are different URLs");
    }

    @Test
    void relativeEndpointThenFailWithTheFullUrlAsFix() {
        provider.metadata.put("token_endpoint", "/token");
        Cli.Result r = doctor();
        assertFailsWith(r, "endpoints: token_endpoint \"/token\" is a relative URL");
        assertThat(r.out()).contains("fix: publish \"" + provider.issuer + "/token\" (the full URL)");
    }

    @Test
    void plainHttpEndpointOutsideLocalhostThenFail() {
        provider.metadata.put("userinfo_endpoint", "http://api.example.com/userinfo");
        assertFailsWith(doctor(), "endpoints: userinfo_endpoint \"http://api.example.com/userinfo\" is plain http outside localhost");
    }

    @Test
    void plainHttpOnLocalhostWithoutTheFlagThenWarnOnly() {
        Cli.Result r = cli.raw("doctor", provider.issuer);
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("[WARN] issuer URL: the issuer " + provider.issuer + " is plain http: acceptable on localhost for development only");
    }

    @Test
    void es512KeyOnP256ThenFailNamingTheCurve() throws Exception {
        JWK key = new ECKeyGenerator(Curve.P_256).keyID("k-es512").algorithm(JWSAlgorithm.ES512).keyUse(KeyUse.SIGNATURE).generate();
        provider.addKey(key);
        Cli.Result r = doctor();
        assertFailsWith(r, "key k-es512: says alg ES512, which needs curve P-521, but the key is on P-256: signatures will not verify");
        assertThat(r.out()).contains("fix: set alg to ES256 (what a P-256 key signs with), or replace the key with one on P-521");
    }

    @Test
    void duplicateKidThenFailOnce() throws Exception {
        provider.addKey(new ECKeyGenerator(Curve.P_256).keyID("dup").algorithm(JWSAlgorithm.ES256).generate());
        provider.addKey(new ECKeyGenerator(Curve.P_256).keyID("dup").algorithm(JWSAlgorithm.ES256).generate());
        Cli.Result r = doctor();
        assertFailsWith(r, "key dup: kid \"dup\" is used by 2 keys: a verifier cannot tell which one signed a token");
        assertThat(r.out().lines().filter(l -> l.contains("is used by 2 keys")).count()).isEqualTo(1);
    }

    @Test
    void rsa1024ThenFail() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(1024);
        JWK weak = new RSAKey.Builder((RSAPublicKey) g.generateKeyPair().getPublic()).keyID("weak").algorithm(JWSAlgorithm.RS256).build();
        provider.keys.add(FakeProvider.JSON.valueToTree(weak.toJSONObject()));
        assertFailsWith(doctor(), "key weak: is an RSA key of 1024 bits: too short");
    }

    @Test
    void privateKeyInJwksThenCriticalFail() {
        JWK leaked = KeyGeneration.generate(JWSAlgorithm.ES384);
        provider.keys.add(FakeProvider.JSON.valueToTree(leaked.toJSONObject()));
        Cli.Result r = doctor();
        assertFailsWith(r, "key " + leaked.getKeyID() + ": CRITICAL: the public JWK Set contains the PRIVATE key (members d)");
        assertThat(r.out()).contains("fix: remove the key from the JWK Set now, treat it as compromised and replace it");
    }

    @Test
    void symmetricKeyInJwksThenCriticalFail() {
        provider.keys.add(FakeProvider.JSON.createObjectNode().put("kty", "oct").put("kid", "hmac").put("k", "c2VjcmV0LXNlY3JldC1zZWNyZXQ"));
        assertFailsWith(doctor(), "key hmac: CRITICAL: the public JWK Set contains a symmetric secret (members k)");
    }

    @Test
    void encryptionKeyThenWarn() throws Exception {
        provider.addKey(new ECKeyGenerator(Curve.P_256).keyID("enc").keyUse(KeyUse.ENCRYPTION).generate());
        Cli.Result r = doctor();
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("[WARN] key enc: has use \"enc\", not \"sig\": verifiers skip it for token signatures");
    }

    @Test
    void keyWithoutKidThenWarn() throws Exception {
        ObjectNode k = FakeProvider.JSON.valueToTree(new ECKeyGenerator(Curve.P_256).generate().toPublicJWK().toJSONObject());
        provider.keys.add(k);
        Cli.Result r = doctor();
        assertThat(r.out()).contains("[WARN] key #3: has no kid");
    }

    @Test
    void serverClockTenMinutesAheadThenFail() {
        provider.serverTime = FakeProvider.NOW.plus(Duration.ofMinutes(10));
        Cli.Result r = doctor();
        assertFailsWith(r, "clock: the server's clock is 10 min 0 s ahead of this machine's");
        assertThat(r.out()).contains("fix: synchronise both clocks with NTP");
    }

    @Test
    void serverClockThirtySecondsBehindThenWarn() {
        provider.serverTime = FakeProvider.NOW.minus(Duration.ofSeconds(30));
        Cli.Result r = doctor();
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("[WARN] clock: the server's clock is 30 s behind this machine's");
    }

    @Test
    void jwksNotFoundThenFail() {
        provider.answer("/jwks", 404, "text/html", "<html><body>Not Found</body></html>");
        Cli.Result r = doctor();
        assertFailsWith(r, "jwks: jwks_uri " + provider.issuer + "/jwks answered 404");
        assertThat(r.out()).contains("fix: publish the JWK Set at jwks_uri, or correct jwks_uri in the metadata");
    }

    @Test
    void jwksUriNotHttpThenFindingsGoOnToTheSummary() {
        provider.metadata.put("jwks_uri", "ftp://127.0.0.1/jwks");
        Cli.Result r = doctor();
        assertThat(r.exit()).as(r.out()).isEqualTo(1);
        assertThat(r.err()).as(r.err()).isEmpty();
        assertThat(r.out()).contains("[FAIL] endpoints:", "ftp://127.0.0.1/jwks", "latch doctor: problems found");
    }

    @Test
    void jwksWithoutKeysThenFail() {
        provider.answer("/jwks", 200, "application/json", "{\"keys\":[]}");
        assertFailsWith(doctor(), "jwks: the JWK Set at " + provider.issuer + "/jwks has no keys");
    }

    @Test
    void htmlInsteadOfMetadataThenFailSayingItIsAWebPage() {
        String page = "<!DOCTYPE html><html><head><title>Sign in</title></head><body>Welcome</body></html>";
        provider.answer("/.well-known/openid-configuration", 200, "text/html; charset=utf-8", page);
        Cli.Result r = doctor();
        assertFailsWith(r, "discovery: no metadata: " + provider.issuer + "/.well-known/openid-configuration answered 200 with"
                + " text/html; charset=utf-8, which is not a JSON object (starts \"<!DOCTYPE html>");
        assertThat(r.out()).contains("fix: the URL points at a web page");
        assertThat(r.out()).doesNotContain("[OK]   jwks");
    }

    @Test
    void metadataOnlyAtRfc8414LocationThenFoundThere() {
        provider.answer("/.well-known/oauth-authorization-server", 200, "application/json", provider.metadata.toString());
        provider.answer("/.well-known/openid-configuration", 404, "text/plain", "");
        Cli.Result r = doctor();
        assertThat(r.out()).contains("[OK]   discovery: RFC 8414 authorization server metadata at " + provider.issuer
                + "/.well-known/oauth-authorization-server");
    }

    @Test
    void unreachablePortThenOneFailAndNothingElseFetched() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Cli.Result r = cli.raw("doctor", "http://127.0.0.1:" + port, "--insecure-localhost");
        assertFailsWith(r, "discovery: no metadata: cannot reach http://127.0.0.1:" + port + ": connection refused");
        assertThat(r.out()).contains("fix: check that the server runs and that the issuer's scheme, host and port are right");
        assertThat(r.out().lines().filter(l -> l.startsWith("[")).count()).isEqualTo(2); // issuer URL OK, discovery FAIL
    }

    @Test
    void tokenEndpointAnswering404ThenFail() {
        provider.answer("/token", 404, "text/html", "<html>nope</html>");
        assertFailsWith(doctor(), "token endpoint: " + provider.issuer + "/token answered a request without credentials with 404");
    }

    @Test
    void clientAuthMethodNotSupportedThenFailListingWhatIs() {
        Cli.Result r = doctor("--client-auth", "client_secret_post");
        assertFailsWith(r, "client auth: your client uses client_secret_post but the provider supports only client_secret_basic, private_key_jwt");
    }

    @Test
    void assertionAlgorithmNotAcceptedThenFail() {
        assertFailsWith(doctor("--alg", "PS384"), "client auth: your client signs assertions with PS384 but the provider accepts only RS256, ES256");
    }

    @Test
    void hmacAlgorithmWithPrivateKeyJwtThenFail() {
        assertFailsWith(doctor("--client-auth", "private_key_jwt", "--alg", "HS256"),
                "client auth: private_key_jwt is signed with a private key, but HS256 is an HMAC algorithm");
    }

    @Test
    void grantNotOfferedThenFail() {
        assertFailsWith(doctor("--grant", "refresh_token"), "grant: the provider does not offer refresh_token");
    }

    @Test
    void everyProblemIsReportedNotJustTheFirst() throws Exception {
        provider.metadata.put("issuer", provider.issuer + "/");
        provider.metadata.put("token_endpoint", "/token");
        provider.addKey(new ECKeyGenerator(Curve.P_256).keyID("k-es512").algorithm(JWSAlgorithm.ES512).generate());
        provider.serverTime = FakeProvider.NOW.plus(Duration.ofHours(2));
        Cli.Result r = doctor();
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("[FAIL] issuer:", "[FAIL] endpoints:", "[FAIL] key k-es512:", "[FAIL] clock:")
                .contains("latch doctor: problems found (4 FAIL");
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(cli.raw("doctor").exit()).isEqualTo(2);
        Cli.Result notUrl = cli.raw("doctor", "login.example.com");
        assertThat(notUrl.exit()).isEqualTo(2);
        assertThat(notUrl.err()).startsWith("latch: the issuer must be an absolute https:// (or http://localhost) URL, not 'login.example.com'");
        Cli.Result method = cli.raw("doctor", provider.issuer, "--client-auth", "secret");
        assertThat(method.exit()).isEqualTo(2);
        assertThat(method.err()).startsWith("latch: --client-auth: unknown method secret");
        assertThat(cli.raw("doctor", provider.issuer, "--alg", "RS999").exit()).isEqualTo(2);
        assertThat(cli.raw("doctor", provider.issuer, "--timeout", "soon").exit()).isEqualTo(2);
    }
}
