package dev.latch.cli;

import java.io.ByteArrayOutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.openssl.PKCS8Generator;

/** Key material as integrators have it (PEM in its variants, PKCS#12), made with the JDK and BouncyCastle. */
final class TestKeys {

    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    private TestKeys() {}

    static KeyPair rsa(int bits) throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(bits);
        return g.generateKeyPair();
    }

    /** BouncyCastle's EC keys encode as OpenSSL's do (curve OID and public key inside the private key). */
    static KeyPair ec(String curve) throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC", BC);
        g.initialize(new ECGenParameterSpec(curve));
        return g.generateKeyPair();
    }

    static KeyPair ed25519() throws GeneralSecurityException {
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    /** A self-signed certificate for {@code pair}, valid for a day. */
    static X509Certificate selfSigned(KeyPair pair, String cn) throws Exception {
        String sigAlg = switch (pair.getPrivate().getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> "Ed25519";
        };
        Instant now = Instant.now();
        X500Principal name = new X500Principal("CN=" + cn);
        var builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(1, ChronoUnit.HOURS)), Date.from(now.plus(1, ChronoUnit.DAYS)), name, pair.getPublic());
        return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(sigAlg).build(pair.getPrivate())));
    }

    /** Traditional OpenSSL PEM: PKCS#1 ({@code RSA PRIVATE KEY}) for RSA, SEC1 for EC (none when {@code key} is null); certificates appended. */
    static String traditionalPem(PrivateKey key, X509Certificate... certificates) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            if (key != null) {
                w.writeObject(key);
            }
            for (X509Certificate c : certificates) {
                w.writeObject(c);
            }
        }
        return out.toString();
    }

    /** PKCS#8 PEM ({@code PRIVATE KEY}). */
    static String pkcs8Pem(PrivateKey key) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(new JcaPKCS8Generator(key, null));
        }
        return out.toString();
    }

    /** Encrypted PKCS#8 PEM ({@code ENCRYPTED PRIVATE KEY}, PBES2 with AES-256-CBC). */
    static String encryptedPkcs8Pem(PrivateKey key, String password) throws Exception {
        StringWriter out = new StringWriter();
        var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC).setProvider(BC)
                .setPassword(password.toCharArray()).build();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(new JcaPKCS8Generator(key, encryptor));
        }
        return out.toString();
    }

    static byte[] pkcs12(PrivateKey key, X509Certificate certificate, String password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("signing", key, password.toCharArray(), new X509Certificate[] {certificate});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.store(out, password.toCharArray());
        return out.toByteArray();
    }
}
