package dev.latch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import dev.latch.server.client.ClientRegistry;
import dev.latch.server.http.Json;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code latch keys} against the data of a running server, checked through its /jwks and /token. */
class KeysCommandTest {

    static final Duration WITHIN = Duration.ofSeconds(5);

    @TempDir
    Path dir;
    TestServer server;
    Cli cli;

    @BeforeEach
    void start() {
        server = TestServer.start();
        cli = new Cli(server.data());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    JWKSet jwks() {
        try {
            return JWKSet.parse(server.get(server.url("/jwks")).body());
        } catch (java.text.ParseException e) {
            throw new AssertionError(e);
        }
    }

    /** Waits until the served JWKS has (or, with {@code present} false, lacks) {@code kid}. */
    JWK awaitJwks(String kid, boolean present) {
        JWKSet set = Poll.until(WITHIN, () -> {
            JWKSet s = jwks();
            return (s.getKeyByKeyId(kid) != null) == present ? s : null;
        });
        assertThat(set).as("JWKS %s %s within %s", present ? "has" : "lacks", kid, WITHIN).isNotNull();
        return set.getKeyByKeyId(kid);
    }

    SignedJWT token(ClientRegistry.Registered client) {
        HttpResponse<String> r = server.postForm("/token", "grant_type=client_credentials",
                "Authorization", ClientsWithRunningServerTest.basic(client.stored().clientId(), client.clientSecret()));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        try {
            return SignedJWT.parse(Json.MAPPER.readTree(r.body()).get("access_token").asText());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Checks the token's signature with the key the JWKS publishes under its kid. */
    void verifiedByJwks(SignedJWT jwt) throws Exception {
        JWK key = jwks().getKeyByKeyId(jwt.getHeader().getKeyID());
        assertThat(key).isNotNull();
        assertThat(jwt.verify(JwsAlgorithms.verifier(key, jwt.getHeader().getAlgorithm()))).isTrue();
    }

    static Instant issuedAt(SignedJWT jwt) {
        try {
            return jwt.getJWTClaimsSet().getIssueTime().toInstant();
        } catch (java.text.ParseException e) {
            throw new AssertionError(e);
        }
    }

    static JsonNode byKid(JsonNode keys, String kid) {
        for (JsonNode k : keys) {
            if (k.get("kid").asText().equals(kid)) {
                return k;
            }
        }
        throw new AssertionError("no key " + kid + " in " + keys);
    }

    String write(String name, String content) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p.toString();
    }

    String write(String name, byte[] content) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p.toString();
    }

    String passwordFile(String password) throws Exception {
        return "${file:" + write("password-" + password.hashCode(), password) + "}";
    }

    @Test
    void listShowsTheServersActiveKey() throws Exception {
        String kid = jwks().getKeys().get(0).getKeyID();
        Cli.Result r = cli.run("keys", "list");
        assertThat(r.exit()).as(r.err()).isZero();
        String[] lines = r.out().split("\n");
        assertThat(lines[0]).matches("KID +ALG +STATE +CREATED +SIGNS_FROM +RETIRED +UNPUBLISH +CERT");
        assertThat(lines[1]).matches(kid + " +RS256 +active +\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ +\\S+Z +- +- +no");
        JsonNode json = Json.MAPPER.readTree(cli.run("keys", "list", "--json").out());
        assertThat(json).hasSize(1);
        assertThat(json.get(0).get("kid").asText()).isEqualTo(kid);
        assertThat(json.get(0).get("state").asText()).isEqualTo("active");
        assertThat(json.get(0).get("public_jwk").has("d")).isFalse();
    }

    @Test
    void rotatePublishesTheNewKeyAtOnceButTokensKeepTheOldKidUntilActivation() throws Exception {
        ClientRegistry.Registered client = server.basicClient("rs", null);
        String oldKid = token(client).getHeader().getKeyID();

        Cli.Result r = cli.run("keys", "rotate", "--alg", "RS256");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).matches("new RS256 key (\\S+): published now, signs from \\S+Z\n");
        String newKid = r.out().split(" ")[3].replace(":", "");
        Instant signsFrom = Instant.parse(r.out().substring(r.out().lastIndexOf(' ') + 1).strip());

        JWK published = awaitJwks(newKid, true);
        assertThat(published.getAlgorithm().getName()).isEqualTo("RS256");
        assertThat(published.getKeyUse().identifier()).isEqualTo("sig");
        assertThat(published.isPrivate()).isFalse();
        assertThat(jwks().getKeyByKeyId(oldKid)).isNotNull();
        for (int i = 0; i < 3; i++) {
            SignedJWT jwt = token(client);
            assertThat(jwt.getHeader().getKeyID()).isEqualTo(oldKid);
            verifiedByJwks(jwt);
        }

        JsonNode keys = Json.MAPPER.readTree(cli.run("keys", "list", "--json").out());
        assertThat(keys).hasSize(2);
        JsonNode old = byKid(keys, oldKid);
        JsonNode fresh = byKid(keys, newKid);
        assertThat(fresh.get("state").asText()).isEqualTo("next");
        // the JWKS max-age (600 s by default) passes, after the 2 s in which every node reloads its keys, before the new key signs
        assertThat(Instant.parse(fresh.get("activate_at").asText()))
                .isEqualTo(Instant.parse(fresh.get("created_at").asText()).plusSeconds(602)).isEqualTo(signsFrom);
        assertThat(old.get("state").asText()).isEqualTo("active");
        assertThat(old.get("retired_at").asText()).isEqualTo(fresh.get("activate_at").asText());
        // ... and the old key stays published until every token it signed has expired (max lifetime 24 h)
        assertThat(Instant.parse(old.get("unpublish_at").asText())).isEqualTo(signsFrom.plus(Duration.ofHours(24)));

        Cli.Result again = cli.run("keys", "rotate", "--alg", "RS256");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.errLine()).isEqualTo("latch: a rotation of RS256 is already scheduled: key " + newKid + " signs from " + signsFrom);
    }

    /** With a short JWKS max-age the activation comes within the test: the switch of signing key happens exactly then. */
    @Test
    void rotatedKeyStartsSigningAtItsActivationTimeAndNotBefore() throws Exception {
        server.close();
        server = TestServer.start(Map.of("tokens.jwks-max-age", "3s"));
        cli = new Cli(server.data());
        String config = write("short-max-age.yaml", "tokens:\n  jwks-max-age: 3s\n");
        ClientRegistry.Registered client = server.basicClient("switch", null);
        String oldKid = token(client).getHeader().getKeyID();
        Cli.Result r = cli.run("keys", "rotate", "--alg", "RS256", "--config", config, "-q");
        assertThat(r.exit()).as(r.err()).isZero();
        String newKid = r.out().strip();
        JsonNode fresh = byKid(Json.MAPPER.readTree(cli.run("keys", "list", "--json").out()), newKid);
        Instant activation = Instant.parse(fresh.get("activate_at").asText());
        assertThat(activation).isEqualTo(Instant.parse(fresh.get("created_at").asText()).plusSeconds(3 + 2)); // max-age + node reload

        SignedJWT switched = Poll.until(Duration.ofSeconds(10), () -> {
            SignedJWT t = token(client);
            Instant issued = issuedAt(t);
            if (t.getHeader().getKeyID().equals(oldKid)) {
                assertThat(issued).as("old key signs only before the activation").isBefore(activation);
                return null;
            }
            return t;
        });
        assertThat(switched).as("the new key signs after its activation").isNotNull();
        assertThat(switched.getHeader().getKeyID()).isEqualTo(newKid);
        // iat is taken a moment before the key is picked, so it may fall in the second before the activation
        assertThat(issuedAt(switched)).isAfterOrEqualTo(activation.minusSeconds(1));
        verifiedByJwks(switched);
        // the old key is still published: tokens it signed stay verifiable
        assertThat(jwks().getKeyByKeyId(oldKid)).isNotNull();
    }

    @Test
    void rotateImmediatelySignsWithTheNewKeyAndWithdrawsTheOld() throws Exception {
        ClientRegistry.Registered client = server.basicClient("now", null);
        String oldKid = token(client).getHeader().getKeyID();
        Cli.Result r = cli.run("keys", "rotate", "--alg", "RS256", "--immediately", "-q");
        assertThat(r.exit()).as(r.err()).isZero();
        String newKid = r.out().strip();
        SignedJWT jwt = Poll.until(WITHIN, () -> {
            SignedJWT t = token(client);
            return t.getHeader().getKeyID().equals(newKid) ? t : null;
        });
        assertThat(jwt).as("tokens signed by the new key within %s", WITHIN).isNotNull();
        verifiedByJwks(jwt);
        awaitJwks(oldKid, false);
    }

    @Test
    void rotateOfAnAlgorithmWithoutKeysSignsAtOnce() {
        Cli.Result r = cli.run("keys", "rotate", "--alg", "ES384");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).matches("new ES384 key \\S+: published now, signs now\n");
    }

    @Test
    void rotateWhenAlgorithmUnknownOrMissingThenError() {
        Cli.Result bad = cli.run("keys", "rotate", "--alg", "HS256");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.errLine()).isEqualTo("latch: unsupported signing algorithm: HS256 (supported: RS256, RS384, RS512, "
                + "PS256, PS384, PS512, ES256, ES384, ES512, Ed25519, EdDSA)");
        Cli.Result missing = cli.run("keys", "rotate");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("latch: Missing required option: '--alg=ALG'\nTry 'latch keys rotate --help' for more information.\n");
    }

    @Test
    void importEncryptedPkcs8IsScheduledLikeARotation() throws Exception {
        KeyPair pair = TestKeys.rsa(2048);
        X509Certificate cert = TestKeys.selfSigned(pair, "encrypted-pkcs8");
        String file = write("key.pem", TestKeys.encryptedPkcs8Pem(pair.getPrivate(), "correct horse") + TestKeys.traditionalPem(null, cert));
        assertThat(Files.readString(Path.of(file))).contains("-----BEGIN ENCRYPTED PRIVATE KEY-----").contains("-----BEGIN CERTIFICATE-----");

        Cli.Result noPassword = cli.run("keys", "import", file, "--alg", "RS256");
        assertThat(noPassword.exit()).isEqualTo(1);
        assertThat(noPassword.errLine()).isEqualTo("latch: " + file + ": the private key is encrypted: give its password (--key-password)");
        Cli.Result wrong = cli.run("keys", "import", file, "--alg", "RS256", "--key-password", passwordFile("battery staple"));
        assertThat(wrong.exit()).isEqualTo(1);
        assertThat(wrong.errLine()).isEqualTo("latch: " + file + ": cannot decrypt the private key: wrong password?");

        Cli.Result r = cli.run("keys", "import", file, "--alg", "RS256", "--key-password", passwordFile("correct horse"));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).matches("imported RS256 key \\S+ with its certificate: published now, signs from \\S+Z\n");
        String kid = r.out().split(" ")[3];
        JWK published = awaitJwks(kid, true);
        assertThat(published.toRSAKey().getModulus().decodeToBigInteger())
                .isEqualTo(((java.security.interfaces.RSAPublicKey) pair.getPublic()).getModulus());
        assertThat(published.getAlgorithm().getName()).isEqualTo("RS256");
        assertThat(published.getX509CertChain().get(0).toString()).isEqualTo(Base64.getEncoder().encodeToString(cert.getEncoded()));
        assertThat(published.getX509CertSHA256Thumbprint())
                .isEqualTo(Base64URL.encode(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded())));
    }

    @Test
    void importPkcs12WithCertificatePublishesX5cAndX5tS256AndSigns() throws Exception {
        KeyPair pair = TestKeys.ec("secp256r1");
        X509Certificate cert = TestKeys.selfSigned(pair, "latch-signing");
        String file = write("key.p12", TestKeys.pkcs12(pair.getPrivate(), cert, "p12-password"));

        Cli.Result wrong = cli.run("keys", "import", file, "--alg", "ES256", "--key-password", passwordFile("not-it"));
        assertThat(wrong.exit()).isEqualTo(1);
        assertThat(wrong.errLine()).startsWith("latch: " + file + ": wrong password for the PKCS#12 file");

        Cli.Result r = cli.run("keys", "import", file, "--alg", "ES256", "--key-password", passwordFile("p12-password"));
        assertThat(r.exit()).as(r.err()).isZero();
        // ES256 had no key yet: the imported one signs at once
        assertThat(r.out()).matches("imported ES256 key \\S+ with its certificate: published now, signs now\n");
        String kid = r.out().split(" ")[3];

        JWK published = awaitJwks(kid, true);
        assertThat(published.getX509CertChain()).hasSize(1);
        assertThat(published.getX509CertChain().get(0).toString()).isEqualTo(Base64.getEncoder().encodeToString(cert.getEncoded()));
        assertThat(published.getX509CertSHA256Thumbprint())
                .isEqualTo(Base64URL.encode(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded())));

        ClientRegistry.Registered client = server.register(new Client.Builder().clientId("es").accessTokenSignedResponseAlg("ES256").build());
        SignedJWT jwt = token(client);
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(kid);
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThat(jwt.verify(new com.nimbusds.jose.crypto.ECDSAVerifier((java.security.interfaces.ECPublicKey) cert.getPublicKey()))).isTrue();
    }

    @Test
    void importPkcs1PemWithItsCertificateInTheSameFile() throws Exception {
        KeyPair pair = TestKeys.rsa(2048);
        X509Certificate cert = TestKeys.selfSigned(pair, "pkcs1");
        String pem = TestKeys.traditionalPem(pair.getPrivate(), cert);
        assertThat(pem).contains("-----BEGIN RSA PRIVATE KEY-----").contains("-----BEGIN CERTIFICATE-----");
        Cli.Result r = cli.run("keys", "import", write("pkcs1.pem", pem), "--alg", "PS256", "-q");
        assertThat(r.exit()).as(r.err()).isZero();
        JWK published = awaitJwks(r.out().strip(), true);
        assertThat(published.getAlgorithm().getName()).isEqualTo("PS256");
        assertThat(published.getX509CertSHA256Thumbprint()).isNotNull();
    }

    @Test
    void importUnencryptedPkcs8Ed25519() throws Exception {
        KeyPair pair = TestKeys.ed25519();
        String pem = TestKeys.pkcs8Pem(pair.getPrivate());
        assertThat(pem).contains("-----BEGIN PRIVATE KEY-----");
        Cli.Result r = cli.run("keys", "import", write("ed.pem", pem), "--alg", "Ed25519", "-q");
        assertThat(r.exit()).as(r.err()).isZero();
        JWK published = awaitJwks(r.out().strip(), true);
        assertThat(published.getKeyType().getValue()).isEqualTo("OKP");
        assertThat(published.getX509CertChain()).isNull();
        assertThat(published.getX509CertSHA256Thumbprint()).isNull();
    }

    /** Key files as OpenSSL 3 writes them (PBES2/PBKDF2-HMAC-SHA256/AES-256-CBC PKCS#8; AES-encrypted PKCS#12), when openssl is installed. */
    @Test
    void importKeyFilesMadeByOpenssl() throws Exception {
        dev.latch.server.RealPart.require(openssl("version") == 0, "openssl is not installed (Debian: apt-get install openssl)");
        Path pem = dir.resolve("openssl.pem");
        assertThat(openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-aes-256-cbc",
                "-pass", "pass:from openssl", "-out", pem.toString())).isZero();
        assertThat(Files.readString(pem)).contains("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        Cli.Result rsa = cli.run("keys", "import", pem.toString(), "--alg", "RS512", "--key-password", passwordFile("from openssl"), "-q");
        assertThat(rsa.exit()).as(rsa.err()).isZero();
        awaitJwks(rsa.out().strip(), true);

        Path ecKey = dir.resolve("ec.pem");
        Path ecCert = dir.resolve("ec.crt");
        Path p12 = dir.resolve("ec.p12");
        assertThat(openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-nodes", "-keyout", ecKey.toString(),
                "-out", ecCert.toString(), "-subj", "/CN=openssl-ec", "-days", "2")).isZero();
        assertThat(openssl("pkcs12", "-export", "-inkey", ecKey.toString(), "-in", ecCert.toString(), "-out", p12.toString(),
                "-passout", "pass:p12 pass")).isZero();
        Cli.Result ec = cli.run("keys", "import", p12.toString(), "--alg", "ES384", "--key-password", passwordFile("p12 pass"), "-q");
        assertThat(ec.exit()).as(ec.err()).isZero();
        JWK published = awaitJwks(ec.out().strip(), true);
        X509Certificate cert = dev.latch.core.jose.KeyFiles.readCertificates(Files.readString(ecCert)).get(0);
        assertThat(published.getX509CertSHA256Thumbprint())
                .isEqualTo(Base64URL.encode(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded())));
    }

    static int openssl(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Test
    void importWhenKeyDoesNotFitTheAlgorithmThenExit1() throws Exception {
        String rsa = write("rsa.pem", TestKeys.pkcs8Pem(TestKeys.rsa(2048).getPrivate()));
        Cli.Result r = cli.run("keys", "import", rsa, "--alg", "ES256");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLine()).isEqualTo("latch: " + rsa + ": the key is an RSA key of 2048 bits and does not fit ES256 (needs an EC key on P-256)");
        String small = write("small.pem", TestKeys.pkcs8Pem(TestKeys.rsa(1024).getPrivate()));
        assertThat(cli.run("keys", "import", small, "--alg", "RS256").errLine())
                .isEqualTo("latch: " + small + ": the key is an RSA key of 1024 bits and does not fit RS256 (needs an RSA key of at least 2048 bits)");
        String p384 = write("p384.pem", TestKeys.traditionalPem(TestKeys.ec("secp384r1").getPrivate()));
        assertThat(cli.run("keys", "import", p384, "--alg", "ES256").errLine())
                .isEqualTo("latch: " + p384 + ": the key is an EC key on P-384 and does not fit ES256 (needs an EC key on P-256)");
        assertThat(jwks().getKeys()).hasSize(1);
    }

    @Test
    void importWhenCertificateIsForAnotherKeyThenExit1() throws Exception {
        KeyPair pair = TestKeys.rsa(2048);
        X509Certificate other = TestKeys.selfSigned(TestKeys.rsa(2048), "someone-else");
        String file = write("mismatch.pem", TestKeys.traditionalPem(pair.getPrivate(), other));
        Cli.Result r = cli.run("keys", "import", file, "--alg", "RS256");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLine()).isEqualTo("latch: " + file + ": the certificate (CN=someone-else) is for another key than the private key in the file");
    }

    @Test
    void importWhenFileMissingOrNotAKeyThenExit1() throws Exception {
        Path missing = dir.resolve("missing.pem");
        Cli.Result r = cli.run("keys", "import", missing.toString(), "--alg", "RS256");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLine()).isEqualTo("latch: " + missing + ": no such file");
        String certOnly = write("cert.pem", TestKeys.traditionalPem(TestKeys.rsa(2048).getPrivate())
                .replaceAll("(?s)-----BEGIN RSA PRIVATE KEY-----.*-----END RSA PRIVATE KEY-----\\s*", "")
                + "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(TestKeys.rsa(2048).getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
        assertThat(cli.run("keys", "import", certOnly, "--alg", "RS256").errLine())
                .isEqualTo("latch: " + certOnly + ": no private key found in the PEM data");
    }

    @Test
    void unpublishRefusesKeysThatSignOrWillSign() {
        String active = jwks().getKeys().get(0).getKeyID();
        Cli.Result r = cli.runWithId(active, "keys", "unpublish");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLine()).isEqualTo("latch: key " + active + " signs RS256 tokens now; replace it first with: latch keys rotate --alg RS256 --immediately");
        String next = cli.run("keys", "rotate", "--alg", "RS256", "-q").out().strip();
        assertThat(cli.runWithId(next, "keys", "unpublish").errLine()).startsWith("latch: key " + next + " is scheduled to sign RS256 tokens from ");
        assertThat(cli.run("keys", "unpublish", "no-such-kid").errLine()).isEqualTo("latch: no key no-such-kid");
    }

    @Test
    void unpublishWithdrawsARetiredKeyFromTheJwks() throws Exception {
        // with a JWKS max-age of 0 the rotated-out key is retired once every node has reloaded its keys (2 s), but stays published
        String config = write("latch.yaml", "tokens:\n  jwks-max-age: 0s\n");
        String old = jwks().getKeys().get(0).getKeyID();
        assertThat(cli.run("keys", "rotate", "--alg", "RS256", "--config", config).exit()).isZero();
        List<String> states = Poll.until(Duration.ofSeconds(10), () -> {
            List<String> now;
            try {
                now = Json.MAPPER.readTree(cli.run("keys", "list", "--json").out()).findValuesAsText("state");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return now.contains("next") ? null : now;
        });
        assertThat(states).containsExactlyInAnyOrder("retired (published)", "active");
        Cli.Result r = cli.runWithId(old, "keys", "unpublish");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("unpublished key " + old + "\n");
        awaitJwks(old, false);
        assertThat(cli.run("keys", "list").out()).contains(old + "  RS256  retired ");
        assertThat(cli.runWithId(old, "keys", "unpublish").errLine()).isEqualTo("latch: key " + old + " is not published");
    }

}
