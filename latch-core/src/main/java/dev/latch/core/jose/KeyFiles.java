package dev.latch.core.jose;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jose.util.Base64URL;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;

/**
 * Reads private keys and certificates as integrators have them: PEM (PKCS#1, PKCS#8, encrypted
 * PKCS#8, SEC1 EC, Ed25519 PKCS#8, with or without certificates in the same file), PKCS#12, and
 * JWK/JWKS. The result is a private JWK; with a certificate it carries {@code x5c} and
 * {@code x5t#S256} (RFC 7517 §4.7–4.9). {@link #readKey} also reads public keys and certificates.
 * The writers are the inverse: PKCS#8 PEM (optionally encrypted), public-key PEM, certificate PEM
 * and PKCS#12, plus the JCA keys and certificate thumbprints ({@code x5t}, {@code x5t#S256}).
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
        return read(file, password, false);
    }

    /**
     * Reads a key from a file of any supported format: private when the file holds a private key
     * (as {@link #readPrivateKey}), otherwise public — from a {@code PUBLIC KEY} PEM, a certificate
     * (PEM or DER; the JWK then carries {@code x5c} and {@code x5t#S256}), a public JWK, a JWKS of
     * one key, or a PKCS#12 file holding only certificates.
     */
    public static JWK readKey(Path file, char[] password) throws IOException {
        return read(file, password, true);
    }

    /** The public half of {@link #readKey}: what a verifier needs from any key file. */
    public static JWK readPublicKey(Path file, char[] password) throws IOException {
        return readKey(file, password).toPublicJWK();
    }

    private static JWK read(Path file, char[] password, boolean publicAllowed) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            return parse(bytes, password, publicAllowed);
        } catch (GeneralSecurityException | JOSEException | java.text.ParseException | PKCSException | IOException
                 | IllegalArgumentException | ClassCastException e) {
            throw new IOException(file + ": " + readable(e), e);
        }
    }

    /**
     * Reads a private key from the bytes of a key file of any supported format (PEM, JWK/JWKS JSON,
     * PKCS#12, JKS), e.g. one held in an environment variable.
     *
     * @throws IOException whose message says in one line why the data holds no usable private key
     */
    public static JWK readPrivateKey(byte[] bytes, char[] password) throws IOException {
        try {
            return parse(bytes, password, false);
        } catch (GeneralSecurityException | JOSEException | java.text.ParseException | PKCSException
                 | IllegalArgumentException | ClassCastException e) {
            throw new IOException(readable(e), e);
        }
    }

    private static JWK parse(byte[] bytes, char[] password, boolean publicAllowed)
            throws IOException, GeneralSecurityException, JOSEException, java.text.ParseException, PKCSException {
        String text = new String(bytes, StandardCharsets.UTF_8).strip();
        if (text.startsWith("{")) {
            return fromJson(text);
        }
        if (text.contains("-----BEGIN")) {
            return fromPem(text, password, publicAllowed);
        }
        if (bytes.length >= 4 && (bytes[0] & 0xff) == 0xFE && (bytes[1] & 0xff) == 0xED && (bytes[2] & 0xff) == 0xFE && (bytes[3] & 0xff) == 0xED) {
            return fromKeyStore("JKS", bytes, password, publicAllowed); // the JKS magic number 0xFEEDFEED
        }
        if (text.isEmpty()) {
            throw new GeneralSecurityException("the key data is empty");
        }
        if (!isDerSequence(bytes)) { // e.g. text that happens to start with '0' (0x30, a DER SEQUENCE tag)
            throw new GeneralSecurityException("not a key file: neither PEM, JWK/JWKS JSON, PKCS#12 nor JKS");
        }
        return fromBinary(bytes, password, publicAllowed);
    }

    /**
     * True when {@code bytes} are exactly one DER (or BER indefinite-length) SEQUENCE: tag 0x30 and a
     * length that covers the rest, as PKCS#12 files and certificates are.
     */
    static boolean isDerSequence(byte[] bytes) {
        if (bytes.length < 2 || (bytes[0] & 0xff) != 0x30) {
            return false;
        }
        int first = bytes[1] & 0xff;
        long length;
        int header;
        if (first < 0x80) {
            length = first;
            header = 2;
        } else {
            int n = first & 0x7f;
            if (n == 0) { // BER indefinite length, as some PKCS#12 writers use: ends with two zero bytes
                return bytes.length >= 4 && bytes[bytes.length - 1] == 0 && bytes[bytes.length - 2] == 0;
            }
            if (n > 4 || bytes.length < 2 + n) {
                return false;
            }
            length = 0;
            for (int i = 0; i < n; i++) {
                length = (length << 8) | (bytes[2 + i] & 0xff);
            }
            header = 2 + n;
        }
        return header + length == bytes.length;
    }

    /** A library's message without the Java class names it embeds ("java.lang.IllegalArgumentException: …"). */
    private static String readable(Exception e) {
        return readable(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }

    private static String readable(String message) {
        return message.replaceAll("(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error): ", "");
    }

    /** PKCS#12, or (for public keys) a DER certificate. */
    private static JWK fromBinary(byte[] bytes, char[] password, boolean publicAllowed)
            throws IOException, GeneralSecurityException, JOSEException {
        try {
            return fromKeyStore("PKCS12", bytes, password, publicAllowed);
        } catch (GeneralSecurityException pkcs12Failure) {
            if (publicAllowed && !(pkcs12Failure instanceof WrongPasswordException)) {
                try {
                    X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                            .generateCertificate(new ByteArrayInputStream(bytes));
                    return toPublicJwk(certificate.getPublicKey(), List.of(certificate));
                } catch (java.security.cert.CertificateException notACertificate) {
                    // report what the file most likely was meant to be
                }
            }
            throw pkcs12Failure;
        }
    }

    private static JWK fromJson(String text) throws java.text.ParseException {
        if (text.contains("\"keys\"")) {
            List<JWK> keys = JWKSet.parse(text).getKeys();
            if (keys.size() != 1) {
                throw new java.text.ParseException("a JWKS key file must hold exactly one key (holds " + keys.size() + ")", 0);
            }
            return keys.get(0);
        }
        return JWK.parse(text);
    }

    static JWK fromPem(String text, char[] password) throws IOException, GeneralSecurityException, JOSEException, PKCSException {
        return fromPem(text, password, false);
    }

    static JWK fromPem(String text, char[] password, boolean publicAllowed)
            throws IOException, GeneralSecurityException, JOSEException, PKCSException {
        PrivateKey privateKey = null;
        PublicKey publicKey = null;
        List<X509Certificate> chain = new ArrayList<>();
        // BouncyCastle's own provider converts and decrypts here: the JDK lacks PBES2 by OID, and a
        // native provider may refuse some valid encodings. Not a hot path, and not installed globally.
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider(BOUNCY_CASTLE);
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            Object object;
            while ((object = parser.readObject()) != null) {
                if (object instanceof PEMEncryptedKeyPair encrypted) {
                    requirePassword(password);
                    KeyPair pair = converter.getKeyPair(encrypted.decryptKeyPair(
                            new JcePEMDecryptorProviderBuilder().setProvider(BOUNCY_CASTLE).build(password)));
                    privateKey = pair.getPrivate();
                    publicKey = pair.getPublic();
                } else if (object instanceof PEMKeyPair pair) {
                    // SEC1 "EC PRIVATE KEY" may omit its public point; it is derived from the private key then
                    privateKey = converter.getPrivateKey(pair.getPrivateKeyInfo());
                    publicKey = pair.getPublicKeyInfo() == null ? null : converter.getPublicKey(pair.getPublicKeyInfo());
                } else if (object instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
                    requirePassword(password);
                    PrivateKeyInfo info;
                    try {
                        // PBES2 key derivation as OpenSSL writes it ("PBKDF2with8BIT") exists only in BouncyCastle's provider
                        info = encrypted.decryptPrivateKeyInfo(
                                new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BOUNCY_CASTLE).build(password));
                    } catch (PKCSException e) {
                        throw new GeneralSecurityException("cannot decrypt the private key: wrong password?", e);
                    }
                    privateKey = converter.getPrivateKey(info);
                    publicKey = publicFromInfo(info, converter);
                } else if (object instanceof PrivateKeyInfo info) {
                    privateKey = converter.getPrivateKey(info);
                    publicKey = publicFromInfo(info, converter);
                } else if (object instanceof X509CertificateHolder holder) {
                    chain.add(new JcaX509CertificateConverter().setProvider(BOUNCY_CASTLE).getCertificate(holder));
                } else if (object instanceof SubjectPublicKeyInfo info) {
                    publicKey = converter.getPublicKey(info);
                }
            }
        } catch (org.bouncycastle.openssl.PEMException e) {
            if (e instanceof org.bouncycastle.openssl.EncryptionException) {
                throw new GeneralSecurityException("cannot decrypt the private key: wrong password?", e);
            }
            // BouncyCastle says "problem parsing TYPE: detail"
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("problem parsing ([A-Z0-9 ]+): ?(.*)", java.util.regex.Pattern.DOTALL)
                    .matcher(e.getMessage() == null ? "" : e.getMessage());
            throw m.matches()
                    ? new GeneralSecurityException("the PEM " + m.group(1) + " block is corrupt (" + readable(m.group(2)) + ")", e)
                    : new GeneralSecurityException("the PEM data is corrupt (" + readable(e) + ")", e);
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException("cannot decrypt the private key: " + e.getMessage(), e);
        }
        if (privateKey == null) {
            if (publicAllowed && (publicKey != null || !chain.isEmpty())) {
                return toPublicJwk(publicKey != null ? publicKey : chain.get(0).getPublicKey(), chain);
            }
            throw new GeneralSecurityException(publicAllowed ? "no key or certificate found in the PEM data"
                    : "no private key found in the PEM data");
        }
        if (publicKey == null && !chain.isEmpty()) {
            publicKey = chain.get(0).getPublicKey();
        }
        return toJwk(privateKey, publicKey, chain);
    }

    private static PublicKey publicFromInfo(PrivateKeyInfo info, JcaPEMKeyConverter converter) throws IOException {
        if (EdECObjectIdentifiers.id_Ed25519.equals(info.getPrivateKeyAlgorithm().getAlgorithm())) {
            Ed25519PrivateKeyParameters params = new Ed25519PrivateKeyParameters(
                    org.bouncycastle.asn1.ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets(), 0);
            return converter.getPublicKey(SubjectPublicKeyInfo.getInstance(
                    new org.bouncycastle.asn1.x509.SubjectPublicKeyInfo(
                            new org.bouncycastle.asn1.x509.AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519),
                            params.generatePublicKey().getEncoded())));
        }
        return null;
    }

    private static void requirePassword(char[] password) throws GeneralSecurityException {
        if (password == null || password.length == 0) {
            throw new GeneralSecurityException("the private key is encrypted: give its password (--key-password)");
        }
    }

    static JWK fromPkcs12(byte[] bytes, char[] password) throws IOException, GeneralSecurityException, JOSEException {
        return fromKeyStore("PKCS12", bytes, password, false);
    }

    /**
     * The first private-key entry of a PKCS#12 or JKS key store (its key password is the store
     * password); with {@code publicAllowed}, a store of certificates only gives the first one's public key.
     */
    static JWK fromKeyStore(String type, byte[] bytes, char[] password, boolean publicAllowed)
            throws IOException, GeneralSecurityException, JOSEException {
        String name = type.equals("JKS") ? "JKS" : "PKCS#12";
        char[] pw = password == null ? new char[0] : password;
        KeyStore store = KeyStore.getInstance(type);
        try {
            store.load(new ByteArrayInputStream(bytes), pw);
        } catch (IOException e) {
            if (e.getCause() instanceof java.security.UnrecoverableKeyException) {
                throw new WrongPasswordException(pw.length == 0
                        ? "the " + name + " file is protected by a password: give it (--key-password)"
                        : "wrong password for the " + name + " file", e);
            }
            throw new GeneralSecurityException("not a readable " + name + " file" + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"), e);
        }
        for (String alias : Collections.list(store.aliases())) {
            if (store.isKeyEntry(alias)) {
                java.security.Key key;
                try {
                    key = store.getKey(alias, pw);
                } catch (java.security.UnrecoverableKeyException e) {
                    throw new WrongPasswordException("wrong password for the private key in the " + name + " file", e);
                }
                if (!(key instanceof PrivateKey privateKey)) {
                    continue; // a secret-key entry
                }
                List<X509Certificate> chain = new ArrayList<>();
                Certificate[] certificates = store.getCertificateChain(alias);
                if (certificates != null) {
                    for (Certificate c : certificates) {
                        chain.add((X509Certificate) c);
                    }
                }
                return toJwk(privateKey, chain.isEmpty() ? null : chain.get(0).getPublicKey(), chain);
            }
        }
        if (publicAllowed) {
            for (String alias : Collections.list(store.aliases())) {
                if (store.getCertificate(alias) instanceof X509Certificate certificate) {
                    return toPublicJwk(certificate.getPublicKey(), List.of(certificate));
                }
            }
        }
        throw new GeneralSecurityException("the " + name + " file holds no private key");
    }

    /**
     * {@code key} with {@code chain} attached as {@code x5c} and {@code x5t#S256} (RFC 7517 §4.7–4.9),
     * its {@code kid} and other members kept; refused when the first certificate is for another key.
     */
    public static JWK withCertificateChain(JWK key, List<X509Certificate> chain) throws GeneralSecurityException, JOSEException {
        if (chain.isEmpty()) {
            return key;
        }
        PublicKey certified = chain.get(0).getPublicKey();
        boolean same;
        if (key instanceof RSAKey rsa) {
            same = certified instanceof RSAPublicKey r && r.getModulus().equals(rsa.toRSAPublicKey().getModulus())
                    && r.getPublicExponent().equals(rsa.toRSAPublicKey().getPublicExponent());
        } else if (key instanceof ECKey ec) {
            same = certified instanceof ECPublicKey e && e.getW().equals(ec.toECPublicKey().getW());
        } else if (key instanceof OctetKeyPair okp) {
            byte[] spki = certified.getEncoded();
            byte[] x = okp.getDecodedX();
            same = spki != null && spki.length >= x.length
                    && java.util.Arrays.equals(java.util.Arrays.copyOfRange(spki, spki.length - x.length, spki.length), x);
        } else {
            throw new GeneralSecurityException("a certificate cannot be attached to a " + key.getKeyType() + " key");
        }
        if (!same) {
            throw new GeneralSecurityException("the certificate (" + chain.get(0).getSubjectX500Principal().getName()
                    + ") is for another key than the private key");
        }
        Map<String, Object> json = new java.util.LinkedHashMap<>(key.toJSONObject());
        List<String> x5c = new ArrayList<>();
        for (X509Certificate c : chain) {
            x5c.add(Base64.encode(c.getEncoded()).toString());
        }
        json.put("x5c", x5c);
        json.put("x5t#S256", Base64URL.encode(MessageDigest.getInstance("SHA-256").digest(chain.get(0).getEncoded())).toString());
        json.remove("x5t");
        return KeyGeneration.parseUnchecked(json);
    }

    /** Reads X.509 certificates from PEM text or DER bytes. */
    public static List<X509Certificate> readCertificates(byte[] pemOrDer) throws GeneralSecurityException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        for (Certificate c : factory.generateCertificates(new ByteArrayInputStream(pemOrDer))) {
            out.add((X509Certificate) c);
        }
        if (out.isEmpty()) {
            throw new GeneralSecurityException("no certificate found");
        }
        return out;
    }

    /** A key file whose password is missing or wrong (not a file of another format). */
    static final class WrongPasswordException extends GeneralSecurityException {
        WrongPasswordException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Builds a private JWK from JCA keys; {@code kid} is the RFC 7638 thumbprint; {@code use} is sig.
     *
     * @param publicKey a public key found beside the private one, or null; checked, never trusted
     * @param chain     certificates, the first for this key (checked), published as x5c and x5t#S256
     */
    public static JWK toJwk(PrivateKey privateKey, PublicKey publicKey, List<X509Certificate> chain)
            throws GeneralSecurityException, JOSEException {
        List<Base64> x5c = new ArrayList<>();
        for (X509Certificate c : chain) {
            x5c.add(Base64.encode(c.getEncoded()));
        }
        Base64URL x5tS256 = chain.isEmpty() ? null
                : Base64URL.encode(MessageDigest.getInstance("SHA-256").digest(chain.get(0).getEncoded()));
        // The public half is always derived from the private key: a public key or certificate found
        // beside it in the file is only trusted once it is shown to be the same key.
        JWK jwk;
        if (privateKey instanceof RSAPrivateCrtKey rsa) {
            RSAPublicKey pub = (RSAPublicKey) java.security.KeyFactory.getInstance("RSA").generatePublic(
                    new java.security.spec.RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
            requireMatches(chain, publicKey, c -> c instanceof RSAPublicKey r && r.getModulus().equals(pub.getModulus())
                    && r.getPublicExponent().equals(pub.getPublicExponent()));
            jwk = new RSAKey.Builder(pub).privateKey(rsa).keyUse(KeyUse.SIGNATURE)
                    .x509CertChain(x5c.isEmpty() ? null : x5c).x509CertSHA256Thumbprint(x5tS256).build();
        } else if (privateKey instanceof ECPrivateKey ec) {
            if (Curve.forECParameterSpec(ec.getParams()) == null) {
                throw new GeneralSecurityException("unsupported EC curve (supported: P-256, P-384, P-521)");
            }
            ECPublicKey pub = ecPublic(ec);
            requireMatches(chain, publicKey, c -> c instanceof ECPublicKey e && e.getW().equals(pub.getW()));
            jwk = new ECKey.Builder(Curve.forECParameterSpec(ec.getParams()), pub).privateKey(ec)
                    .keyUse(KeyUse.SIGNATURE).x509CertChain(x5c.isEmpty() ? null : x5c).x509CertSHA256Thumbprint(x5tS256).build();
        } else if ("Ed25519".equals(privateKey.getAlgorithm()) || "EdDSA".equals(privateKey.getAlgorithm())) {
            byte[] d = rawEd25519(privateKey.getEncoded());
            byte[] x = new Ed25519PrivateKeyParameters(d, 0).generatePublicKey().getEncoded();
            // an Ed25519 SubjectPublicKeyInfo ends with the 32-byte public key (RFC 8410 §4)
            requireMatches(chain, publicKey, c -> {
                byte[] spki = c.getEncoded();
                return spki != null && spki.length >= x.length
                        && java.util.Arrays.equals(java.util.Arrays.copyOfRange(spki, spki.length - x.length, spki.length), x);
            });
            jwk = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).d(Base64URL.encode(d))
                    .keyUse(KeyUse.SIGNATURE).x509CertChain(x5c.isEmpty() ? null : x5c).x509CertSHA256Thumbprint(x5tS256).build();
        } else {
            throw new GeneralSecurityException("unsupported key algorithm " + privateKey.getAlgorithm());
        }
        return KeyGeneration.withThumbprintKid(jwk);
    }

    /**
     * The certificate a key is published with (x5c, x5t#S256) must certify that very key, and a public
     * key given beside it must be its own.
     */
    private static void requireMatches(List<X509Certificate> chain, PublicKey given, java.util.function.Predicate<PublicKey> sameKey)
            throws GeneralSecurityException {
        if (!chain.isEmpty() && !sameKey.test(chain.get(0).getPublicKey())) {
            throw new GeneralSecurityException("the certificate (" + chain.get(0).getSubjectX500Principal().getName()
                    + ") is for another key than the private key in the file");
        }
        if (given != null && !sameKey.test(given)) {
            throw new GeneralSecurityException("the public key in the file does not belong to its private key");
        }
    }

    /** Q = d·G: the public point of an EC private key (PKCS#8 and SEC1 need not carry it). */
    private static ECPublicKey ecPublic(ECPrivateKey ec) throws GeneralSecurityException {
        org.bouncycastle.jce.spec.ECParameterSpec spec =
                org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util.convertSpec(ec.getParams());
        org.bouncycastle.math.ec.ECPoint q = spec.getG().multiply(ec.getS()).normalize();
        java.security.spec.ECPoint w = new java.security.spec.ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
        return (ECPublicKey) java.security.KeyFactory.getInstance("EC").generatePublic(new java.security.spec.ECPublicKeySpec(w, ec.getParams()));
    }

    private static byte[] rawEd25519(byte[] pkcs8) throws GeneralSecurityException {
        try {
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(pkcs8);
            return org.bouncycastle.asn1.ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
        } catch (IOException e) {
            throw new GeneralSecurityException("unreadable Ed25519 key", e);
        }
    }

    /** Reads X.509 certificates from PEM text. */
    public static List<X509Certificate> readCertificates(String pem) throws GeneralSecurityException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        for (Certificate c : factory.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
            out.add((X509Certificate) c);
        }
        return out;
    }

    /**
     * Builds a public JWK from a JCA public key; {@code kid} is the RFC 7638 thumbprint, {@code use} is
     * sig; with certificates (the first for this key, checked) it carries {@code x5c} and {@code x5t#S256}.
     */
    public static JWK toPublicJwk(PublicKey publicKey, List<X509Certificate> chain) throws GeneralSecurityException, JOSEException {
        if (!chain.isEmpty() && !chain.get(0).getPublicKey().equals(publicKey)
                && !java.util.Arrays.equals(chain.get(0).getPublicKey().getEncoded(), publicKey.getEncoded())) {
            throw new GeneralSecurityException("the certificate (" + chain.get(0).getSubjectX500Principal().getName()
                    + ") is for another key than the public key in the file");
        }
        List<Base64> x5c = new ArrayList<>();
        for (X509Certificate c : chain) {
            x5c.add(Base64.encode(c.getEncoded()));
        }
        Base64URL x5tS256 = chain.isEmpty() ? null : x5tS256(chain.get(0));
        List<Base64> x5cOrNull = x5c.isEmpty() ? null : x5c;
        JWK jwk;
        if (publicKey instanceof RSAPublicKey rsa) {
            jwk = new RSAKey.Builder(rsa).keyUse(KeyUse.SIGNATURE).x509CertChain(x5cOrNull).x509CertSHA256Thumbprint(x5tS256).build();
        } else if (publicKey instanceof ECPublicKey ec) {
            if (Curve.forECParameterSpec(ec.getParams()) == null) {
                throw new GeneralSecurityException("unsupported EC curve (supported: P-256, P-384, P-521)");
            }
            jwk = new ECKey.Builder(Curve.forECParameterSpec(ec.getParams()), ec).keyUse(KeyUse.SIGNATURE)
                    .x509CertChain(x5cOrNull).x509CertSHA256Thumbprint(x5tS256).build();
        } else if ("Ed25519".equals(publicKey.getAlgorithm()) || "EdDSA".equals(publicKey.getAlgorithm())) {
            SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(publicKey.getEncoded());
            if (!EdECObjectIdentifiers.id_Ed25519.equals(info.getAlgorithm().getAlgorithm())) {
                throw new GeneralSecurityException("unsupported EdDSA curve " + info.getAlgorithm().getAlgorithm() + " (only Ed25519)");
            }
            jwk = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(info.getPublicKeyData().getBytes()))
                    .keyUse(KeyUse.SIGNATURE).x509CertChain(x5cOrNull).x509CertSHA256Thumbprint(x5tS256).build();
        } else {
            throw new GeneralSecurityException("unsupported key algorithm " + publicKey.getAlgorithm());
        }
        return KeyGeneration.withThumbprintKid(jwk);
    }

    /** The certificates of a JWK's {@code x5c}, the key's own first; empty without one. */
    public static List<X509Certificate> certificates(JWK key) throws GeneralSecurityException {
        List<X509Certificate> out = new ArrayList<>();
        if (key.getX509CertChain() != null) {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Base64 der : key.getX509CertChain()) {
                out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der.decode())));
            }
        }
        return out;
    }

    /** RFC 7515 §4.1.7 {@code x5t}: base64url SHA-1 of the certificate's DER encoding. */
    public static Base64URL x5t(X509Certificate certificate) throws GeneralSecurityException {
        return Base64URL.encode(MessageDigest.getInstance("SHA-1").digest(certificate.getEncoded()));
    }

    /** RFC 7515 §4.1.8 {@code x5t#S256}: base64url SHA-256 of the certificate's DER encoding. */
    public static Base64URL x5tS256(X509Certificate certificate) throws GeneralSecurityException {
        return Base64URL.encode(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    }

    /** The JCA private key of a private RSA, EC or Ed25519 JWK. */
    public static PrivateKey privateKey(JWK key) throws GeneralSecurityException, JOSEException {
        if (!key.isPrivate()) {
            throw new GeneralSecurityException("the key " + describe(key) + " is public only; a private key is needed");
        }
        if (key instanceof RSAKey rsa) return rsa.toPrivateKey();
        if (key instanceof ECKey ec) return ec.toPrivateKey();
        if (key instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
            return java.security.KeyFactory.getInstance("Ed25519", BOUNCY_CASTLE)
                    .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(pkcs8(okp)));
        }
        throw new GeneralSecurityException("unsupported key " + describe(key));
    }

    /** The JCA public key of an RSA, EC or Ed25519 JWK. */
    public static PublicKey publicKey(JWK key) throws GeneralSecurityException, JOSEException {
        if (key instanceof RSAKey rsa) return rsa.toPublicKey();
        if (key instanceof ECKey ec) return ec.toPublicKey();
        if (key instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
            byte[] spki;
            try {
                spki = new SubjectPublicKeyInfo(new org.bouncycastle.asn1.x509.AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519),
                        okp.getDecodedX()).getEncoded();
            } catch (IOException e) {
                throw new GeneralSecurityException("cannot encode the Ed25519 key", e);
            }
            return java.security.KeyFactory.getInstance("Ed25519", BOUNCY_CASTLE).generatePublic(new java.security.spec.X509EncodedKeySpec(spki));
        }
        throw new GeneralSecurityException("unsupported key " + describe(key));
    }

    private static byte[] pkcs8(OctetKeyPair okp) throws GeneralSecurityException {
        try {
            // RFC 8410 §7: OneAsymmetricKey v1, the private key as an OCTET STRING inside the OCTET STRING
            return new PrivateKeyInfo(new org.bouncycastle.asn1.x509.AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519),
                    new org.bouncycastle.asn1.DEROctetString(okp.getDecodedD())).getEncoded();
        } catch (IOException e) {
            throw new GeneralSecurityException("cannot encode the Ed25519 key", e);
        }
    }

    private static String describe(JWK key) {
        return key.getKeyType() + (key.getKeyID() == null ? "" : " kid=" + key.getKeyID());
    }

    /**
     * The private key as PKCS#8 PEM ({@code PRIVATE KEY}), or with a password as encrypted PKCS#8
     * ({@code ENCRYPTED PRIVATE KEY}: PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC), as OpenSSL 3 writes it.
     */
    public static String privateKeyPem(JWK key, char[] password) throws GeneralSecurityException, JOSEException {
        PrivateKey privateKey = privateKey(key);
        byte[] encoded = key instanceof OctetKeyPair okp ? pkcs8(okp) : privateKey.getEncoded();
        try {
            org.bouncycastle.operator.OutputEncryptor encryptor = null;
            if (password != null && password.length > 0) {
                encryptor = new org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder(org.bouncycastle.openssl.PKCS8Generator.AES_256_CBC)
                        .setProvider(BOUNCY_CASTLE).setPRF(org.bouncycastle.openssl.PKCS8Generator.PRF_HMACSHA256)
                        .setIterationCount(PBKDF2_ITERATIONS).setPassword(password).build();
            }
            return pem(new org.bouncycastle.openssl.PKCS8Generator(PrivateKeyInfo.getInstance(encoded), encryptor).generate());
        } catch (org.bouncycastle.operator.OperatorCreationException | IOException e) {
            throw new GeneralSecurityException("cannot encode the private key: " + e.getMessage(), e);
        }
    }

    /** PBKDF2 rounds for keys this class encrypts (OpenSSL 3 uses 2048; reading a key file is rare, so more). */
    static final int PBKDF2_ITERATIONS = 100_000;

    /** The public key as an X.509 SubjectPublicKeyInfo PEM ({@code PUBLIC KEY}). */
    public static String publicKeyPem(JWK key) throws GeneralSecurityException, JOSEException {
        return pem(new org.bouncycastle.util.io.pem.PemObject("PUBLIC KEY", publicKey(key).getEncoded()));
    }

    /** Certificates as concatenated {@code CERTIFICATE} PEM blocks. */
    public static String certificatesPem(List<X509Certificate> chain) throws GeneralSecurityException {
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

    /**
     * A PKCS#12 file holding the private key under {@code alias} with its certificate chain (the JWK's
     * {@code x5c}, which PKCS#12 needs), protected by {@code password} (the JDK's defaults: PBES2 with
     * AES-256 and an HMAC-SHA256 MAC).
     */
    public static byte[] pkcs12(JWK key, String alias, char[] password) throws GeneralSecurityException, JOSEException {
        requireStorePassword(password);
        List<X509Certificate> chain = certificates(key);
        if (chain.isEmpty()) {
            throw new GeneralSecurityException("a PKCS#12 file needs a certificate for the key, and the key has none");
        }
        PrivateKey privateKey = privateKey(key);
        KeyStore store = emptyPkcs12();
        store.setKeyEntry(alias, privateKey, password, chain.toArray(new X509Certificate[0]));
        return store(store, password);
    }

    /** A PKCS#12 file holding only certificates (as trusted entries), protected by {@code password}. */
    public static byte[] pkcs12Certificates(List<X509Certificate> certificates, String alias, char[] password) throws GeneralSecurityException {
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
