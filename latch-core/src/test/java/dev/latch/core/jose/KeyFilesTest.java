package dev.latch.core.jose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFilesTest {

    @TempDir
    Path dir;

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    private static String pem(Object o) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(o);
        }
        return w.toString();
    }

    private static X509Certificate selfSigned(KeyPair kp, String sigAlg) throws Exception {
        X500Name name = new X500Name("CN=latch-test");
        var builder = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, new Date(), new Date(System.currentTimeMillis() + 86_400_000L),
                name, kp.getPublic());
        return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(sigAlg).build(kp.getPrivate())));
    }

    @Test
    void pkcs1RsaPemIsRead() throws Exception {
        KeyPair kp = rsa();
        Path f = dir.resolve("k.pem");
        Files.writeString(f, pem(kp)); // JcaPEMWriter writes a KeyPair as PKCS#1 "RSA PRIVATE KEY"
        assertThat(Files.readString(f)).contains("BEGIN RSA PRIVATE KEY");
        JWK jwk = KeyFiles.readPrivateKey(f, null);
        assertThat(jwk).isInstanceOf(RSAKey.class);
        assertThat(jwk.isPrivate()).isTrue();
        assertThat(jwk.getKeyID()).isEqualTo(jwk.computeThumbprint().toString());
    }

    @Test
    void pkcs8AndEncryptedPkcs8AreRead() throws Exception {
        KeyPair kp = rsa();
        Path plain = dir.resolve("p8.pem");
        Files.writeString(plain, pem(new JcaPKCS8Generator(kp.getPrivate(), null)));
        assertThat(KeyFiles.readPrivateKey(plain, null).toRSAKey().getModulus())
                .isEqualTo(com.nimbusds.jose.util.Base64URL.encode(((java.security.interfaces.RSAPublicKey) kp.getPublic()).getModulus()));

        var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(org.bouncycastle.openssl.PKCS8Generator.AES_256_CBC).setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider()).setPassword("pw".toCharArray()).build();
        Path enc = dir.resolve("enc.pem");
        Files.writeString(enc, pem(new JcaPKCS8Generator(kp.getPrivate(), encryptor)));
        assertThat(Files.readString(enc)).contains("ENCRYPTED PRIVATE KEY");
        assertThat(KeyFiles.readPrivateKey(enc, "pw".toCharArray()).isPrivate()).isTrue();
        assertThatThrownBy(() -> KeyFiles.readPrivateKey(enc, null)).hasMessageContaining("encrypted");
        assertThatThrownBy(() -> KeyFiles.readPrivateKey(enc, "wrong".toCharArray())).isInstanceOf(IOException.class);
    }

    @Test
    void sec1EcPemWithCertificateCarriesX5cAndThumbprint() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC", new org.bouncycastle.jce.provider.BouncyCastleProvider()); // as openssl writes it: SEC1 with named curve and public point
        g.initialize(new ECGenParameterSpec("secp521r1"));
        KeyPair kp = g.generateKeyPair();
        X509Certificate cert = selfSigned(kp, "SHA512withECDSA");
        Path f = dir.resolve("ec.pem");
        Files.writeString(f, pem(kp) + pem(cert));
        JWK jwk = KeyFiles.readPrivateKey(f, null);
        assertThat(jwk).isInstanceOf(ECKey.class);
        assertThat(((ECKey) jwk).getCurve().getName()).isEqualTo("P-521");
        assertThat(jwk.getX509CertChain()).hasSize(1);
        assertThat(jwk.getX509CertSHA256Thumbprint().decode()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
    }

    @Test
    void pkcs12WithCertificateIsRead() throws Exception {
        KeyPair kp = rsa();
        X509Certificate cert = selfSigned(kp, "SHA256withRSA");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("k", kp.getPrivate(), "pw".toCharArray(), new X509Certificate[] {cert});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ks.store(out, "pw".toCharArray());
        Path f = dir.resolve("k.p12");
        Files.write(f, out.toByteArray());
        JWK jwk = KeyFiles.readPrivateKey(f, "pw".toCharArray());
        assertThat(jwk.isPrivate()).isTrue();
        assertThat(jwk.getX509CertSHA256Thumbprint()).isNotNull();
        assertThatThrownBy(() -> KeyFiles.readPrivateKey(f, "bad".toCharArray())).isInstanceOf(IOException.class);
    }

    @Test
    void jksWithCertificateIsReadAndWrongPasswordSaysSo() throws Exception {
        KeyPair kp = rsa();
        X509Certificate cert = selfSigned(kp, "SHA256withRSA");
        KeyStore ks = KeyStore.getInstance("JKS");
        ks.load(null, null);
        ks.setKeyEntry("k", kp.getPrivate(), "changeit".toCharArray(), new X509Certificate[] {cert});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ks.store(out, "changeit".toCharArray());
        JWK jwk = KeyFiles.readPrivateKey(out.toByteArray(), "changeit".toCharArray());
        assertThat(jwk.isPrivate()).isTrue();
        assertThat(jwk.getX509CertChain()).hasSize(1);
        assertThatThrownBy(() -> KeyFiles.readPrivateKey(out.toByteArray(), "wrong".toCharArray()))
                .isInstanceOf(IOException.class).hasMessage("wrong password for the JKS file");
    }

    @Test
    void ed25519Pkcs8IsRead() throws Exception {
        KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Path f = dir.resolve("ed.pem");
        Files.writeString(f, pem(new JcaPKCS8Generator(kp.getPrivate(), null)));
        JWK jwk = KeyFiles.readPrivateKey(f, null);
        assertThat(jwk).isInstanceOf(OctetKeyPair.class);
        assertThat(JwsAlgorithms.fits(jwk.toPublicJWK(), com.nimbusds.jose.JWSAlgorithm.Ed25519)).isTrue();
    }

    @Test
    void garbageIsRefusedNamingTheFile() throws Exception {
        Path f = dir.resolve("junk.pem");
        Files.writeString(f, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> KeyFiles.readPrivateKey(f, null)).isInstanceOf(IOException.class).hasMessageContaining(f.toString());
    }

    static java.util.stream.Stream<JWK> everyKeyType() {
        return java.util.stream.Stream.of(KeyGeneration.rsa(2048), KeyGeneration.ec(com.nimbusds.jose.jwk.Curve.P_256),
                KeyGeneration.ec(com.nimbusds.jose.jwk.Curve.P_521), KeyGeneration.ed25519());
    }

    private Path write(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    private static X509Certificate certificate(JWK key) {
        java.time.Instant now = java.time.Instant.now();
        return KeyGeneration.selfSignedCertificate(key, "CN=latch-test", now.minusSeconds(60), now.plusSeconds(86_400));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("everyKeyType")
    void privateKeyPemWrittenHereIsReadBackAsTheSameKey(JWK key) throws Exception {
        String pem = KeyFiles.privateKeyPem(key, null);
        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n");
        JWK read = KeyFiles.readPrivateKey(write("k.pem", pem), null);
        assertThat(read.computeThumbprint()).isEqualTo(key.computeThumbprint());
        assertThat(read.toJSONObject()).containsAllEntriesOf(withoutMeta(key.toJSONObject()));
    }

    private static java.util.Map<String, Object> withoutMeta(java.util.Map<String, Object> json) {
        json.keySet().removeAll(java.util.Set.of("kid", "alg", "use", "iat"));
        return json;
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("everyKeyType")
    void encryptedPrivateKeyPemOpensOnlyWithItsPassword(JWK key) throws Exception {
        String pem = KeyFiles.privateKeyPem(key, "correct horse".toCharArray());
        assertThat(pem).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n");
        Path f = write("enc.pem", pem);
        assertThat(KeyFiles.readPrivateKey(f, "correct horse".toCharArray()).computeThumbprint()).isEqualTo(key.computeThumbprint());
        assertThatThrownBy(() -> KeyFiles.readPrivateKey(f, "wrong".toCharArray()))
                .isInstanceOf(IOException.class).hasMessage(f + ": cannot decrypt the private key: wrong password?");
        assertThatThrownBy(() -> KeyFiles.readPrivateKey(f, null))
                .isInstanceOf(IOException.class).hasMessage(f + ": the private key is encrypted: give its password (--key-password)");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("everyKeyType")
    void publicKeyPemIsReadAsAPublicKeyButNotAsAPrivateOne(JWK key) throws Exception {
        Path f = write("pub.pem", KeyFiles.publicKeyPem(key));
        assertThat(Files.readString(f)).startsWith("-----BEGIN PUBLIC KEY-----\n");
        JWK read = KeyFiles.readKey(f, null);
        assertThat(read.isPrivate()).isFalse();
        assertThat(read.getKeyID()).isEqualTo(key.computeThumbprint().toString());
        assertThat(read.computeThumbprint()).isEqualTo(key.computeThumbprint());
        assertThatThrownBy(() -> KeyFiles.readPrivateKey(f, null))
                .isInstanceOf(IOException.class).hasMessage(f + ": no private key found in the PEM data");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("everyKeyType")
    void certificateAloneIsReadAsItsPublicKeyWithX5cInPemAndDer(JWK key) throws Exception {
        X509Certificate cert = certificate(key);
        for (Path f : List.of(write("c.pem", KeyFiles.certificatesPem(List.of(cert))), write("c.der", cert.getEncoded()))) {
            JWK read = KeyFiles.readKey(f, null);
            assertThat(read.isPrivate()).isFalse();
            assertThat(read.computeThumbprint()).isEqualTo(key.computeThumbprint());
            assertThat(KeyFiles.certificates(read)).containsExactly(cert);
            assertThat(read.getX509CertSHA256Thumbprint()).isEqualTo(KeyFiles.x5tS256(cert));
        }
    }

    @Test
    void certificateThumbprintsAreTheDigestsOfItsDerEncoding() throws Exception {
        X509Certificate cert = certificate(KeyGeneration.ec(com.nimbusds.jose.jwk.Curve.P_256));
        assertThat(KeyFiles.x5t(cert).decode()).isEqualTo(MessageDigest.getInstance("SHA-1").digest(cert.getEncoded()));
        assertThat(KeyFiles.x5tS256(cert).decode()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("everyKeyType")
    void pkcs12WrittenHereIsReadBackWithItsCertificate(JWK key) throws Exception {
        X509Certificate cert = certificate(key);
        JWK certified = KeyFiles.withCertificateChain(KeyGeneration.withKeyId(key, "my-kid"), List.of(cert));
        assertThat(certified.getKeyID()).isEqualTo("my-kid");
        Path f = write("k.p12", KeyFiles.pkcs12(certified, "latch", "pw".toCharArray()));
        JWK read = KeyFiles.readPrivateKey(f, "pw".toCharArray());
        assertThat(read.isPrivate()).isTrue();
        assertThat(read.computeThumbprint()).isEqualTo(key.computeThumbprint());
        assertThat(KeyFiles.certificates(read)).containsExactly(cert);
        assertThatThrownBy(() -> KeyFiles.readPrivateKey(f, "bad".toCharArray()))
                .isInstanceOf(IOException.class).hasMessage(f + ": wrong password for the PKCS#12 file");
        assertThatThrownBy(() -> KeyFiles.readKey(f, null))
                .isInstanceOf(IOException.class).hasMessage(f + ": the PKCS#12 file is protected by a password: give it (--key-password)");
    }

    @Test
    void pkcs12NeedsACertificateAndAPassword() {
        JWK key = KeyGeneration.ec(com.nimbusds.jose.jwk.Curve.P_256);
        assertThatThrownBy(() -> KeyFiles.pkcs12(key, "latch", "pw".toCharArray()))
                .hasMessage("a PKCS#12 file needs a certificate for the key, and the key has none");
        assertThatThrownBy(() -> KeyFiles.pkcs12(KeyFiles.withCertificateChain(key, List.of(certificate(key))), "latch", null))
                .hasMessage("a PKCS#12 file needs a password");
    }

    @Test
    void pkcs12OfCertificatesOnlyIsReadAsAPublicKey() throws Exception {
        JWK key = KeyGeneration.rsa(2048);
        X509Certificate cert = certificate(key);
        Path f = write("certs.p12", KeyFiles.pkcs12Certificates(List.of(cert), "latch", "pw".toCharArray()));
        JWK read = KeyFiles.readKey(f, "pw".toCharArray());
        assertThat(read.isPrivate()).isFalse();
        assertThat(read.computeThumbprint()).isEqualTo(key.computeThumbprint());
        assertThatThrownBy(() -> KeyFiles.readPrivateKey(f, "pw".toCharArray()))
                .isInstanceOf(IOException.class).hasMessage(f + ": the PKCS#12 file holds no private key");
    }

    @Test
    void certificateOfAnotherKeyIsRefused() {
        JWK key = KeyGeneration.ec(com.nimbusds.jose.jwk.Curve.P_256);
        X509Certificate other = certificate(KeyGeneration.ec(com.nimbusds.jose.jwk.Curve.P_256));
        assertThatThrownBy(() -> KeyFiles.withCertificateChain(key, List.of(other)))
                .hasMessage("the certificate (CN=latch-test) is for another key than the private key");
    }

    @Test
    void emptyAndUnreadableFilesAreRefusedNamingTheFile() throws Exception {
        Path empty = write("empty.pem", "");
        assertThatThrownBy(() -> KeyFiles.readKey(empty, null)).isInstanceOf(IOException.class).hasMessage(empty + ": the key data is empty");
        Path junk = write("junk.bin", new byte[] {1, 2, 3, 4});
        assertThatThrownBy(() -> KeyFiles.readKey(junk, null)).isInstanceOf(IOException.class)
                .hasMessage(junk + ": not a key file: neither PEM, JWK/JWKS JSON, PKCS#12 nor JKS");
        Path badJson = write("bad.json", "{\"kty\":\"RSA\"");
        assertThatThrownBy(() -> KeyFiles.readKey(badJson, null)).isInstanceOf(IOException.class).hasMessageStartingWith(badJson + ": ");
    }

    @Test
    void textThatIsNoKeyFileThoughItStartsLikeDerThenSaysNotAKeyFile() throws Exception {
        Path text = write("numbers.txt", "0123456789 is not a key\n");
        assertThatThrownBy(() -> KeyFiles.readKey(text, null)).isInstanceOf(IOException.class)
                .hasMessage(text + ": not a key file: neither PEM, JWK/JWKS JSON, PKCS#12 nor JKS");
    }

    @Test
    void corruptPemThenSaysWhichBlockIsCorruptBeforeTheParserDetail() throws Exception {
        String pem = KeyFiles.privateKeyPem(KeyGeneration.ec(com.nimbusds.jose.jwk.Curve.P_256), null);
        String[] lines = pem.split("\n");
        lines[1] = lines[1].substring(0, 8) + lines[1].substring(16); // base64 still, DER no longer
        Path corrupt = write("corrupt.pem", String.join("\n", lines) + "\n");
        assertThatThrownBy(() -> KeyFiles.readKey(corrupt, null)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(corrupt + ": the PEM PRIVATE KEY block is corrupt (")
                .hasMessageNotContaining("problem parsing");
    }

    @Test
    void derThatIsNoPkcs12ThenSaysSoWithTheDetailInParentheses() throws Exception {
        Path der = write("seq.der", new byte[] {0x30, 0x03, 0x02, 0x01, 0x07});
        assertThatThrownBy(() -> KeyFiles.readPrivateKey(der, null)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(der + ": not a readable PKCS#12 file (");
    }
}
