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
}
