package dev.latch.core.jose;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

/** Writing key files for {@link KeyFiles}: PKCS#8 PEM (optionally encrypted), public-key PEM, certificate PEM, PKCS#12. */
final class KeyFileWriter {

    private KeyFileWriter() {}

    static String privateKeyPem(JWK key, char[] password) throws GeneralSecurityException, JOSEException {
        PrivateKey privateKey = KeyConversion.privateKey(key);
        byte[] encoded = key instanceof OctetKeyPair okp ? KeyConversion.pkcs8(okp) : privateKey.getEncoded();
        try {
            org.bouncycastle.operator.OutputEncryptor encryptor = null;
            if (password != null && password.length > 0) {
                encryptor = new org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder(org.bouncycastle.openssl.PKCS8Generator.AES_256_CBC)
                        .setProvider(KeyFiles.BOUNCY_CASTLE).setPRF(org.bouncycastle.openssl.PKCS8Generator.PRF_HMACSHA256)
                        .setIterationCount(PBKDF2_ITERATIONS).setPassword(password).build();
            }
            return pem(new org.bouncycastle.openssl.PKCS8Generator(PrivateKeyInfo.getInstance(encoded), encryptor).generate());
        } catch (org.bouncycastle.operator.OperatorCreationException | IOException e) {
            throw new GeneralSecurityException("cannot encode the private key: " + e.getMessage(), e);
        }
    }

    /** PBKDF2 rounds for keys this class encrypts (OpenSSL 3 uses 2048; reading a key file is rare, so more). */
    static final int PBKDF2_ITERATIONS = 100_000;

    static String publicKeyPem(JWK key) throws GeneralSecurityException, JOSEException {
        return pem(new org.bouncycastle.util.io.pem.PemObject("PUBLIC KEY", KeyConversion.publicKey(key).getEncoded()));
    }

    static String certificatesPem(List<X509Certificate> chain) throws GeneralSecurityException {
        StringBuilder out = new StringBuilder();
        for (X509Certificate c : chain) {
            out.append(pem(new org.bouncycastle.util.io.pem.PemObject("CERTIFICATE", c.getEncoded())));
        }
        return out.toString();
    }

    private static String pem(org.bouncycastle.util.io.pem.PemObject object) {
        java.io.StringWriter out = new java.io.StringWriter();
        try (org.bouncycastle.util.io.pem.PemWriter writer = new org.bouncycastle.util.io.pem.PemWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    static byte[] pkcs12(JWK key, String alias, char[] password) throws GeneralSecurityException, JOSEException {
        requireStorePassword(password);
        List<X509Certificate> chain = Certificates.certificates(key);
        if (chain.isEmpty()) {
            throw new GeneralSecurityException("a PKCS#12 file needs a certificate for the key, and the key has none");
        }
        PrivateKey privateKey = KeyConversion.privateKey(key);
        KeyStore store = emptyPkcs12();
        store.setKeyEntry(alias, privateKey, password, chain.toArray(new X509Certificate[0]));
        return store(store, password);
    }

    static byte[] pkcs12Certificates(List<X509Certificate> certificates, String alias, char[] password) throws GeneralSecurityException {
        requireStorePassword(password);
        if (certificates.isEmpty()) {
            throw new GeneralSecurityException("a PKCS#12 file needs a certificate, and there is none");
        }
        KeyStore store = emptyPkcs12();
        for (int i = 0; i < certificates.size(); i++) {
            store.setCertificateEntry(i == 0 ? alias : alias + "-" + i, certificates.get(i));
        }
        return store(store, password);
    }

    private static void requireStorePassword(char[] password) throws GeneralSecurityException {
        if (password == null || password.length == 0) {
            throw new GeneralSecurityException("a PKCS#12 file needs a password");
        }
    }

    private static KeyStore emptyPkcs12() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        return store;
    }

    private static byte[] store(KeyStore store, char[] password) throws GeneralSecurityException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            store.store(out, password);
        } catch (IOException e) {
            throw new GeneralSecurityException("cannot write the PKCS#12 file: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }
}
