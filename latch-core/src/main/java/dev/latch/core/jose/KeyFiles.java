package dev.latch.core.jose;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.Base64URL;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * Reads private keys and certificates as integrators have them: PEM (PKCS#1, PKCS#8, encrypted
 * PKCS#8, SEC1 EC, Ed25519 PKCS#8, with or without certificates in the same file), PKCS#12, and
 * JWK/JWKS. The result is a private JWK; with a certificate it carries {@code x5c} and
 * {@code x5t#S256} (RFC 7517 §4.7–4.9). {@link #readKey} also reads public keys and certificates.
 * The writers are the inverse: PKCS#8 PEM (optionally encrypted), public-key PEM, certificate PEM
 * and PKCS#12, plus the JCA keys and certificate thumbprints ({@code x5t}, {@code x5t#S256}).
 *
 * <p>This class is the one public door; the work is split by responsibility behind it:
 * {@link KeyFileReader} (formats in), {@link KeyFileWriter} (formats out), {@link KeyConversion}
 * (JWK ⇄ JCA keys, certificates checked against the key) and {@link Certificates} (X.509, thumbprints).
 */
public final class KeyFiles {

    /**
     * Used only for key files (the JDK lacks PBES2 by OID) and certificates, never registered as a
     * global provider.
     */
    static final java.security.Provider BOUNCY_CASTLE = new org.bouncycastle.jce.provider.BouncyCastleProvider();

    private KeyFiles() {}

    /** Reads a private key (and any certificate chain) from a file of any supported format. */
    public static JWK readPrivateKey(Path file, char[] password) throws IOException {
        return KeyFileReader.read(file, password, false);
    }

    /**
     * Reads a key from a file of any supported format: private when the file holds a private key
     * (as {@link #readPrivateKey}), otherwise public — from a {@code PUBLIC KEY} PEM, a certificate
     * (PEM or DER; the JWK then carries {@code x5c} and {@code x5t#S256}), a public JWK, a JWKS of
     * one key, or a PKCS#12 file holding only certificates.
     */
    public static JWK readKey(Path file, char[] password) throws IOException {
        return KeyFileReader.read(file, password, true);
    }

    /** The public half of {@link #readKey}: what a verifier needs from any key file. */
    public static JWK readPublicKey(Path file, char[] password) throws IOException {
        return readKey(file, password).toPublicJWK();
    }

    /**
     * Reads a private key from the bytes of a key file of any supported format (PEM, JWK/JWKS JSON,
     * PKCS#12, JKS), e.g. one held in an environment variable.
     *
     * @throws IOException whose message says in one line why the data holds no usable private key
     */
    public static JWK readPrivateKey(byte[] bytes, char[] password) throws IOException {
        return KeyFileReader.readPrivateKey(bytes, password);
    }

    /**
     * {@code key} with {@code chain} attached as {@code x5c} and {@code x5t#S256} (RFC 7517 §4.7–4.9),
     * its {@code kid} and other members kept; refused when the first certificate is for another key.
     */
    public static JWK withCertificateChain(JWK key, List<X509Certificate> chain) throws GeneralSecurityException, JOSEException {
        return KeyConversion.withCertificateChain(key, chain);
    }

    /** Reads X.509 certificates from PEM text or DER bytes. */
    public static List<X509Certificate> readCertificates(byte[] pemOrDer) throws GeneralSecurityException {
        return Certificates.readCertificates(pemOrDer);
    }

    /**
     * Builds a private JWK from JCA keys; {@code kid} is the RFC 7638 thumbprint; {@code use} is sig.
     *
     * @param publicKey a public key found beside the private one, or null; checked, never trusted
     * @param chain     certificates, the first for this key (checked), published as x5c and x5t#S256
     */
    public static JWK toJwk(PrivateKey privateKey, PublicKey publicKey, List<X509Certificate> chain)
            throws GeneralSecurityException, JOSEException {
        return KeyConversion.toJwk(privateKey, publicKey, chain);
    }

    /** Reads X.509 certificates from PEM text. */
    public static List<X509Certificate> readCertificates(String pem) throws GeneralSecurityException {
        return Certificates.readCertificates(pem);
    }

    /**
     * Builds a public JWK from a JCA public key; {@code kid} is the RFC 7638 thumbprint, {@code use} is
     * sig; with certificates (the first for this key, checked) it carries {@code x5c} and {@code x5t#S256}.
     */
    public static JWK toPublicJwk(PublicKey publicKey, List<X509Certificate> chain) throws GeneralSecurityException, JOSEException {
        return KeyConversion.toPublicJwk(publicKey, chain);
    }

    /** The certificates of a JWK's {@code x5c}, the key's own first; empty without one. */
    public static List<X509Certificate> certificates(JWK key) throws GeneralSecurityException {
        return Certificates.certificates(key);
    }

    /** RFC 7515 §4.1.7 {@code x5t}: base64url SHA-1 of the certificate's DER encoding. */
    public static Base64URL x5t(X509Certificate certificate) throws GeneralSecurityException {
        return Certificates.x5t(certificate);
    }

    /** RFC 7515 §4.1.8 {@code x5t#S256}: base64url SHA-256 of the certificate's DER encoding. */
    public static Base64URL x5tS256(X509Certificate certificate) throws GeneralSecurityException {
        return Certificates.x5tS256(certificate);
    }

    /** The JCA private key of a private RSA, EC or Ed25519 JWK. */
    public static PrivateKey privateKey(JWK key) throws GeneralSecurityException, JOSEException {
        return KeyConversion.privateKey(key);
    }

    /** The JCA public key of an RSA, EC or Ed25519 JWK. */
    public static PublicKey publicKey(JWK key) throws GeneralSecurityException, JOSEException {
        return KeyConversion.publicKey(key);
    }

    /**
     * The private key as PKCS#8 PEM ({@code PRIVATE KEY}), or with a password as encrypted PKCS#8
     * ({@code ENCRYPTED PRIVATE KEY}: PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC), as OpenSSL 3 writes it.
     */
    public static String privateKeyPem(JWK key, char[] password) throws GeneralSecurityException, JOSEException {
        return KeyFileWriter.privateKeyPem(key, password);
    }

    /** The public key as an X.509 SubjectPublicKeyInfo PEM ({@code PUBLIC KEY}). */
    public static String publicKeyPem(JWK key) throws GeneralSecurityException, JOSEException {
        return KeyFileWriter.publicKeyPem(key);
    }

    /** Certificates as concatenated {@code CERTIFICATE} PEM blocks. */
    public static String certificatesPem(List<X509Certificate> chain) throws GeneralSecurityException {
        return KeyFileWriter.certificatesPem(chain);
    }

    /**
     * A PKCS#12 file holding the private key under {@code alias} with its certificate chain (the JWK's
     * {@code x5c}, which PKCS#12 needs), protected by {@code password} (the JDK's defaults: PBES2 with
     * AES-256 and an HMAC-SHA256 MAC).
     */
    public static byte[] pkcs12(JWK key, String alias, char[] password) throws GeneralSecurityException, JOSEException {
        return KeyFileWriter.pkcs12(key, alias, password);
    }

    /** A PKCS#12 file holding only certificates (as trusted entries), protected by {@code password}. */
    public static byte[] pkcs12Certificates(List<X509Certificate> certificates, String alias, char[] password) throws GeneralSecurityException {
        return KeyFileWriter.pkcs12Certificates(certificates, alias, password);
    }
}
