package dev.latch.cli.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import dev.latch.cli.Cli;
import dev.latch.core.jose.KeyFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code latch keys generate|convert|thumbprint}: key files without a Latch instance. */
class KeyFileCommandsTest {

    static final Instant NOW = Instant.parse("2031-05-06T07:08:09Z");

    @TempDir
    Path dir;

    final Cli cli = new Cli(null).clock(Clock.fixed(NOW, ZoneOffset.UTC)).env("PW", "correct horse battery").env("WRONG", "nope");

    Path file(String name) {
        return dir.resolve(name);
    }

    String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    static JWK jwk(String json) throws Exception {
        return JWK.parse(json);
    }

    Cli.Result ok(String... args) {
        Cli.Result r = cli.raw(args);
        assertThat(r.exit()).as("%s\nstdout: %s\nstderr: %s", String.join(" ", args), r.out(), r.err()).isZero();
        return r;
    }

    // ---------------------------------------------------------------- generate

    @Test
    void generateWritesPemJwkAndJwksOfOneKeyWithPrivateFilesOwnerOnly() throws Exception {
        String prefix = file("client").toString();
        Cli.Result r = ok("keys", "generate", "--type", "ec", "--curve", "P-384", "--out", prefix);
        JWK privateJwk = jwk(Files.readString(file("client.jwk.json")));
        assertThat(r.out()).startsWith("kid " + privateJwk.getKeyID() + " (EC P-384)\n")
                .contains("wrote " + prefix + ".key.pem: private key (PKCS#8 PEM), mode 0600\n")
                .contains("wrote " + prefix + ".jwks.json: public JWK Set\n");
        assertThat(privateJwk.isPrivate()).isTrue();
        assertThat(((ECKey) privateJwk).getCurve()).isEqualTo(Curve.P_384);
        assertThat(privateJwk.getKeyID()).isEqualTo(privateJwk.computeThumbprint().toString());
        assertThat(privateJwk.getAlgorithm()).isNull();

        assertThat(mode(file("client.key.pem"))).isEqualTo("rw-------");
        assertThat(mode(file("client.jwk.json"))).isEqualTo("rw-------");
        assertThat(mode(file("client.pub.pem"))).isEqualTo("rw-r--r--");
        assertThat(mode(file("client.jwks.json"))).isEqualTo("rw-r--r--");
        assertThat(file("client.crt.pem")).doesNotExist();

        assertThat(Files.readString(file("client.key.pem"))).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(KeyFiles.readPrivateKey(file("client.key.pem"), null).computeThumbprint()).isEqualTo(privateJwk.computeThumbprint());
        assertThat(KeyFiles.readKey(file("client.pub.pem"), null).computeThumbprint()).isEqualTo(privateJwk.computeThumbprint());
        String jwks = Files.readString(file("client.jwks.json"));
        assertThat(jwks).doesNotContain("\"d\"");
        JWKSet set = JWKSet.parse(jwks);
        assertThat(set.getKeys()).hasSize(1);
        assertThat(set.getKeys().get(0).isPrivate()).isFalse();
        assertThat(set.getKeys().get(0).getKeyID()).isEqualTo(privateJwk.getKeyID());
    }

    @ParameterizedTest
    @CsvSource({"--type,rsa,RSA 2048", "--alg,RS384,RSA 2048", "--alg,ES256,EC P-256", "--alg,ES512,EC P-521",
            "--type,ed25519,OKP Ed25519", "--alg,EdDSA,OKP Ed25519"})
    void generatePrintsThePrivateJwkOfTheRequestedType(String option, String value, String described) throws Exception {
        JWK key = jwk(ok("keys", "generate", option, value, "--format", "jwk").out());
        assertThat(key.isPrivate()).isTrue();
        assertThat(dev.latch.core.jose.KeyGeneration.describe(key)).isEqualTo(described);
        assertThat(key.getAlgorithm() == null ? null : key.getAlgorithm().getName()).isEqualTo(option.equals("--alg") ? value : null);
    }

    @Test
    void generateRsaOfEachSizeAndCustomKid() throws Exception {
        RSAKey rsa = (RSAKey) jwk(ok("keys", "generate", "--type", "rsa", "--size", "3072", "--kid", "my-key", "--alg", "PS256",
                "--format", "jwk").out());
        assertThat(rsa.size()).isEqualTo(3072);
        assertThat(rsa.getKeyID()).isEqualTo("my-key");
        assertThat(rsa.getAlgorithm().getName()).isEqualTo("PS256");
    }

    @Test
    void generateWithoutOutPrintsPkcs8PemByDefaultAndAPublicSetForJwks() throws Exception {
        String pem = ok("keys", "generate", "--type", "ed25519").out();
        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        Path f = file("printed.pem");
        Files.writeString(f, pem);
        assertThat(KeyFiles.readPrivateKey(f, null)).isInstanceOf(OctetKeyPair.class);
        JWKSet set = JWKSet.parse(ok("keys", "generate", "--type", "ec", "--format", "jwks").out());
        assertThat(set.getKeys().get(0).isPrivate()).isFalse();
    }

    @Test
    void generateWithCertMakesASelfSignedCertificateWithSubjectAndValidity() throws Exception {
        String prefix = file("entra").toString();
        Cli.Result r = ok("keys", "generate", "--alg", "PS256", "--cert", "--subject", "CN=my-client,O=Example", "--days", "730",
                "--out", prefix);
        assertThat(r.out()).contains("wrote " + prefix + ".crt.pem: self-signed certificate (PEM)\n")
                .contains("certificate CN=my-client,O=Example, valid until 2033-05-05T07:08:09Z\n");
        X509Certificate cert = KeyFiles.readCertificates(Files.readString(file("entra.crt.pem"))).get(0);
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=my-client,O=Example");
        assertThat(cert.getNotBefore().toInstant()).isEqualTo(NOW);
        assertThat(cert.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(730)));
        assertThat(cert.getSigAlgName()).isEqualTo("SHA256withRSA");
        JWK privateJwk = jwk(Files.readString(file("entra.jwk.json")));
        cert.verify(KeyFiles.publicKey(privateJwk));
        assertThat(KeyFiles.certificates(privateJwk)).containsExactly(cert);
        JWK published = JWKSet.parse(Files.readString(file("entra.jwks.json"))).getKeys().get(0);
        assertThat(published.getX509CertSHA256Thumbprint()).isEqualTo(KeyFiles.x5tS256(cert));
        assertThat(published.getX509CertChain()).hasSize(1);
    }

    @Test
    void generateWithCertDefaultsToCnOfTheKidForAYear() throws Exception {
        String out = ok("keys", "generate", "--type", "ec", "--cert").out();
        Path f = file("k.pem");
        Files.writeString(f, out);
        JWK key = KeyFiles.readPrivateKey(f, null);
        X509Certificate cert = KeyFiles.certificates(key).get(0);
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=" + key.getKeyID());
        assertThat(cert.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(365)));
        assertThat(cert.getSigAlgName()).isEqualTo("SHA256withECDSA");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--type rsa --size 1024|latch: unsupported RSA key size 1024 (supported: 2048, 3072, 4096)",
            "--type ec --curve secp256k1|latch: unsupported curve secp256k1 (supported: P-256, P-384, P-521)",
            "--type ec --curve P-192|latch: unsupported curve P-192 (supported: P-256, P-384, P-521)",
            "--type ed25519 --size 2048|latch: --size applies to RSA keys only (this is ed25519)",
            "--type rsa --curve P-256|latch: --curve applies to EC keys only (this is rsa)",
            "--type ec --curve P-256 --alg ES384|latch: --alg ES384 does not fit a EC P-256 key (it fits: ES256)",
            "--type rsa --alg ES256|latch: --alg ES256 needs a ec key, not rsa",
            "--alg HS256|latch: --alg HS256 is HMAC, which uses a shared secret, not a key pair: generate a random secret of at least 32 bytes instead",
            "--alg none|latch: --alg: unsupported algorithm: none (supported: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, Ed25519, EdDSA, HS256, HS384, HS512)",
            "--type dsa|latch: Invalid value for option '--type': expected one of [rsa, ec, ed25519] (case-sensitive) but was 'dsa'",
            "--type ec --subject CN=x|latch: --subject applies only with --cert",
            "--type ec --cert --days 0|latch: --days must be at least 1",
            "--type ec --format pem,jwk|latch: without --out only one --format can be printed",
            "--curve secp256k1|latch: unsupported curve secp256k1 (supported: P-256, P-384, P-521)",
            "--kid=|latch: --kid must not be empty (leave it out for the RFC 7638 thumbprint)",
            "--type ec --cert --subject not-a-dn|latch: --subject: invalid certificate subject 'not-a-dn': give a distinguished name such as CN=my-client",
            "--type ec --format pkcs12|latch: Invalid value for option '--format' (FORMAT): expected one of [pem, jwk, jwks] (case-sensitive) but was 'pkcs12'"})
    void generateRefusesUnsupportedChoicesAsUsageErrors(String args, String message) {
        Cli.Result r = cli.raw(("keys generate " + args).split(" "));
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().lines().toList()).containsExactly(message, "Try 'latch keys generate --help' for more information.");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void generateWithCurveAloneThenAnEcKeyOnThatCurve() throws Exception {
        JWK key = JWK.parse(ok("keys", "generate", "--curve", "P-521", "--format", "jwk").out());
        assertThat(dev.latch.core.jose.KeyGeneration.describe(key)).isEqualTo("EC P-521");
    }

    @Test
    void generateRefusesToOverwriteAnyExistingFileUnlessForced() throws Exception {
        String prefix = file("k").toString();
        Files.writeString(file("k.jwks.json"), "keep me");
        Cli.Result r = cli.raw("keys", "generate", "--type", "ec", "--out", prefix);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLine()).isEqualTo("latch: " + prefix + ".jwks.json exists; not overwritten (use --force to replace it)");
        assertThat(file("k.key.pem")).as("nothing is written when one file is refused").doesNotExist();
        assertThat(Files.readString(file("k.jwks.json"))).isEqualTo("keep me");

        Files.writeString(file("k.key.pem"), "old");
        Files.setPosixFilePermissions(file("k.key.pem"), PosixFilePermissions.fromString("rw-r--r--"));
        ok("keys", "generate", "--type", "ec", "--out", prefix, "--force");
        assertThat(Files.readString(file("k.jwks.json"))).contains("\"keys\"");
        assertThat(mode(file("k.key.pem"))).as("a replaced private file is 0600 too").isEqualTo("rw-------");
    }

    @Test
    void generateIntoAMissingDirectoryFailsInOneLine() {
        Cli.Result r = cli.raw("keys", "generate", "--type", "ec", "--out", file("no/such/dir/k").toString(), "--format", "jwk");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLine()).isEqualTo("latch: " + file("no/such/dir/k.jwk.json") + ": directory " + file("no/such/dir") + " does not exist");
    }

    // ---------------------------------------------------------------- convert

    Path generated(String name, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("keys", "generate", "--out", file(name).toString()));
        args.addAll(List.of(extra));
        ok(args.toArray(String[]::new));
        return file(name);
    }

    @Test
    void convertPemToJwkAndBackKeepsTheKey() throws Exception {
        Path base = generated("c", "--type", "ec", "--curve", "P-521");
        JWK original = jwk(Files.readString(file("c.jwk.json")));
        JWK fromPem = jwk(ok("keys", "convert", base + ".key.pem", "--to", "jwk").out());
        assertThat(fromPem.toJSONObject()).isEqualTo(original.toJSONObject());

        ok("keys", "convert", base + ".jwk.json", "--to", "pem", "--out", file("back.pem").toString());
        assertThat(mode(file("back.pem"))).isEqualTo("rw-------");
        assertThat(KeyFiles.readPrivateKey(file("back.pem"), null).toJSONObject()).isEqualTo(original.toJSONObject());
    }

    @Test
    void convertToEncryptedPemNeedsThePasswordToReadBack() throws Exception {
        Path base = generated("e", "--type", "rsa", "--format", "jwk");
        Cli.Result r = ok("keys", "convert", base + ".jwk.json", "--to", "pem", "--out-password", "${env:PW}",
                "--out", file("enc.pem").toString());
        assertThat(r.out()).isEqualTo("wrote " + file("enc.pem") + ": encrypted private key (PKCS#8 PEM), mode 0600\n");
        assertThat(Files.readString(file("enc.pem"))).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        JWK back = jwk(ok("keys", "convert", file("enc.pem").toString(), "--to", "jwk", "--key-password", "${env:PW}").out());
        assertThat(back.computeThumbprint()).isEqualTo(jwk(Files.readString(file("e.jwk.json"))).computeThumbprint());

        Cli.Result wrong = cli.raw("keys", "convert", file("enc.pem").toString(), "--to", "jwk", "--key-password", "${env:WRONG}");
        assertThat(wrong.exit()).isEqualTo(1);
        assertThat(wrong.errLine()).isEqualTo("latch: " + file("enc.pem") + ": cannot decrypt the private key: wrong password?");
        Cli.Result none = cli.raw("keys", "convert", file("enc.pem").toString(), "--to", "jwk");
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.errLine()).isEqualTo("latch: " + file("enc.pem") + ": the private key is encrypted: give its password (--key-password)");
    }

    @Test
    void convertToPkcs12AndBackToPemCarriesTheCertificate() throws Exception {
        Path base = generated("p", "--type", "ec", "--cert", "--subject", "CN=p12-client");
        Path pem = file("with-cert.pem");
        Files.writeString(pem, Files.readString(Path.of(base + ".key.pem")) + Files.readString(Path.of(base + ".crt.pem")));
        Cli.Result r = ok("keys", "convert", pem.toString(), "--to", "pkcs12", "--out", file("p.p12").toString(), "--out-password", "${env:PW}");
        assertThat(r.out()).isEqualTo("wrote " + file("p.p12") + ": PKCS#12 with the private key and 1 certificate(s), mode 0600\n");

        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(file("p.p12"))) {
            store.load(in, "correct horse battery".toCharArray());
        }
        JWK original = jwk(Files.readString(file("p.jwk.json")));
        assertThat(java.util.Collections.list(store.aliases())).containsExactly(original.getKeyID().toLowerCase(java.util.Locale.ROOT));

        String back = ok("keys", "convert", file("p.p12").toString(), "--key-password", "${env:PW}", "--to", "pem").out();
        assertThat(back).startsWith("-----BEGIN PRIVATE KEY-----").contains("-----BEGIN CERTIFICATE-----");
        Files.writeString(file("back.pem"), back);
        assertThat(KeyFiles.certificates(KeyFiles.readPrivateKey(file("back.pem"), null)).get(0).getSubjectX500Principal().getName())
                .isEqualTo("CN=p12-client");

        Cli.Result wrong = cli.raw("keys", "convert", file("p.p12").toString(), "--key-password", "${env:WRONG}", "--to", "jwk");
        assertThat(wrong.exit()).isEqualTo(1);
        assertThat(wrong.errLine()).isEqualTo("latch: " + file("p.p12") + ": wrong password for the PKCS#12 file");
    }

    @Test
    void convertToPkcs12WithoutACertificateSaysOneIsNeededOrMakesOneWhenAsked() throws Exception {
        Path base = generated("n", "--type", "ed25519", "--format", "jwk");
        Cli.Result r = cli.raw("keys", "convert", base + ".jwk.json", "--to", "pkcs12", "--out", file("n.p12").toString(),
                "--out-password", "${env:PW}");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLine()).isEqualTo("latch: PKCS#12 needs a certificate for the key and " + base + ".jwk.json has none: "
                + "add --self-signed [--subject DN] to make one, or give a PEM file holding the key and its certificate");
        assertThat(file("n.p12")).doesNotExist();

        ok("keys", "convert", base + ".jwk.json", "--to", "pkcs12", "--out", file("n.p12").toString(), "--out-password", "${env:PW}",
                "--self-signed", "--subject", "CN=made-here", "--days", "10");
        JWK read = KeyFiles.readPrivateKey(file("n.p12"), "correct horse battery".toCharArray());
        assertThat(read.computeThumbprint()).isEqualTo(jwk(Files.readString(file("n.jwk.json"))).computeThumbprint());
        X509Certificate cert = KeyFiles.certificates(read).get(0);
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=made-here");
        assertThat(cert.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(10)));
        assertThat(cert.getSigAlgName()).isIn("Ed25519", "EdDSA");
    }

    @Test
    void convertOfPublicInputsGivesPublicOutputs() throws Exception {
        Path base = generated("pub", "--type", "rsa", "--cert");
        JWK original = jwk(Files.readString(file("pub.jwk.json")));
        JWK fromPublicPem = jwk(ok("keys", "convert", base + ".pub.pem", "--to", "jwk").out());
        assertThat(fromPublicPem.isPrivate()).isFalse();
        assertThat(fromPublicPem.computeThumbprint()).isEqualTo(original.computeThumbprint());

        JWK fromCert = jwk(ok("keys", "convert", base + ".crt.pem", "--to", "jwk").out());
        assertThat(fromCert.isPrivate()).isFalse();
        assertThat(fromCert.getX509CertChain()).hasSize(1);

        String pem = ok("keys", "convert", base + ".jwks.json", "--to", "pem").out();
        assertThat(pem).startsWith("-----BEGIN PUBLIC KEY-----").contains("-----BEGIN CERTIFICATE-----").doesNotContain("PRIVATE");

        JWKSet set = JWKSet.parse(ok("keys", "convert", base + ".key.pem", "--to", "jwks").out());
        assertThat(set.getKeys().get(0).isPrivate()).as("jwks is always public").isFalse();

        ok("keys", "convert", base + ".crt.pem", "--to", "pkcs12", "--out", file("trust.p12").toString(), "--out-password", "${env:PW}");
        assertThat(mode(file("trust.p12"))).isEqualTo("rw-r--r--");
        assertThat(KeyFiles.readKey(file("trust.p12"), "correct horse battery".toCharArray()).computeThumbprint())
                .isEqualTo(original.computeThumbprint());

        Cli.Result noCert = cli.raw("keys", "convert", base + ".pub.pem", "--to", "pkcs12", "--out", file("x.p12").toString(),
                "--out-password", "${env:PW}");
        assertThat(noCert.exit()).isEqualTo(1);
        assertThat(noCert.errLine()).isEqualTo("latch: PKCS#12 holds certificates, and " + base + ".pub.pem is a public key without one");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--to pkcs12 --out-password ${env:PW}|latch: --to pkcs12 writes a binary file: give --out FILE",
            "--to pkcs12 --out x.p12|latch: --to pkcs12 needs --out-password",
            "--to jwk --out-password ${env:PW}|latch: --out-password applies to --to pem and pkcs12 (a JWK cannot be encrypted here)",
            "--to pem --subject CN=x|latch: --subject applies only with --self-signed",
            "--to der|latch: Invalid value for option '--to': expected one of [pem, jwk, jwks, pkcs12] (case-sensitive) but was 'der'",
            "--to pem --key-password literal|latch: --key-password must be a reference (${env:NAME}, ${file:PATH} or - for standard input), not the secret itself: a command line is visible in the process list and shell history (LATCH_ALLOW_LITERAL_SECRETS=true allows it)"})
    void convertUsageErrors(String args, String message) throws Exception {
        Path base = generated("u", "--type", "ec", "--format", "jwk");
        List<String> all = new java.util.ArrayList<>(List.of("keys", "convert", base + ".jwk.json"));
        all.addAll(List.of(args.split(" ")));
        Cli.Result r = cli.raw(all.toArray(String[]::new));
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().lines().findFirst().orElse("")).isEqualTo(message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"missing.pem", "garbage.pem", "garbage.bin", "dir"})
    void unreadableInputIsOneLineAndExit1(String name) throws Exception {
        Files.writeString(file("garbage.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        Files.write(file("garbage.bin"), new byte[] {0x30, 0x03, 0x02, 0x01, 0x00});
        Files.createDirectories(file("dir"));
        for (String command : List.of("convert", "thumbprint")) {
            Cli.Result r = command.equals("convert") ? cli.raw("keys", "convert", file(name).toString(), "--to", "jwk")
                    : cli.raw("keys", "thumbprint", file(name).toString());
            assertThat(r.exit()).as(r.err()).isEqualTo(1);
            assertThat(r.err().lines()).hasSize(1);
            assertThat(r.errLine()).startsWith("latch: " + file(name) + ": ").doesNotContain("Exception");
            if (name.equals("missing.pem")) assertThat(r.errLine()).endsWith(": no such file");
            if (name.equals("dir")) assertThat(r.errLine()).endsWith(": is a directory");
        }
    }

    // ---------------------------------------------------------------- thumbprint

    @Test
    void thumbprintOfAKeyIsItsRfc7638Thumbprint() throws Exception {
        Path base = generated("t", "--type", "ec", "--kid", "custom");
        JWK key = jwk(Files.readString(file("t.jwk.json")));
        assertThat(ok("keys", "thumbprint", base + ".jwk.json").out())
                .isEqualTo("jwk-thumbprint: " + key.computeThumbprint() + "\nkid: custom\n");
        assertThat(ok("keys", "thumbprint", base + ".pub.pem").out()).isEqualTo("jwk-thumbprint: " + key.computeThumbprint() + "\n");
    }

    @Test
    void thumbprintOfACertificateAddsX5tAndX5tS256() throws Exception {
        Path base = generated("tc", "--type", "rsa", "--cert", "--subject", "CN=thumb");
        X509Certificate cert = KeyFiles.readCertificates(Files.readString(Path.of(base + ".crt.pem"))).get(0);
        JWK key = jwk(Files.readString(file("tc.jwk.json")));
        java.util.Base64.Encoder b64url = java.util.Base64.getUrlEncoder().withoutPadding();
        String sha1 = b64url.encodeToString(MessageDigest.getInstance("SHA-1").digest(cert.getEncoded()));
        String sha256 = b64url.encodeToString(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        assertThat(ok("keys", "thumbprint", base + ".crt.pem").out()).isEqualTo(
                "jwk-thumbprint: " + key.computeThumbprint() + "\nx5t: " + sha1 + "\nx5t#S256: " + sha256 + "\ncertificate: CN=thumb\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"generate", "convert", "thumbprint"})
    void everyKeyFileCommandHasHelpWithExitCodes(String command) {
        Cli.Result r = ok("keys", command, "--help");
        assertThat(r.out()).contains("Usage: latch keys " + command).contains("Exit codes: 0");
    }
}
