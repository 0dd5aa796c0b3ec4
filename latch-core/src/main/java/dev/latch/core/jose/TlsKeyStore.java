package dev.latch.core.jose;

import com.nimbusds.jose.JOSEException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** A TLS server's key and certificate chain, from the PEM files people have, as an in-memory key store. */
public final class TlsKeyStore {

    /** The alias and password of the entry in the returned key store. */
    public static final String ALIAS = "latch";
    public static final char[] PASSWORD = "latch".toCharArray();

    private TlsKeyStore() {}

    /**
     * @param cert PEM certificate chain, leaf first
     * @param key  PEM private key (PKCS#1, PKCS#8 or SEC1), RSA or EC
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static KeyStore fromPem(Path cert, Path key) {
        try {
            List<X509Certificate> chain = KeyFiles.readCertificates(Files.readString(cert));
            if (chain.isEmpty()) {
                throw new IllegalArgumentException(cert + ": no certificate found");
            }
            var jwk = KeyFiles.readPrivateKey(key, null);
            PrivateKey privateKey = switch (jwk.getKeyType().getValue()) {
                case "RSA" -> jwk.toRSAKey().toPrivateKey();
                case "EC" -> jwk.toECKey().toPrivateKey();
                default -> throw new IllegalArgumentException(key + ": only RSA and EC keys serve TLS");
            };
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry(ALIAS, privateKey, PASSWORD, chain.toArray(new X509Certificate[0]));
            return ks;
        } catch (IOException | GeneralSecurityException | JOSEException e) {
            throw new IllegalArgumentException(cert + " / " + key + ": " + e.getMessage(), e);
        }
    }
}
