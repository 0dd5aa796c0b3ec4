package dev.latch.core.jose;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
 * Reading key files for {@link KeyFiles}: PEM (PKCS#1, PKCS#8, encrypted PKCS#8, SEC1, public keys,
 * certificates), DER, PKCS#12, JKS and JWK/JWKS, told apart by their content rather than their name.
 */
final class KeyFileReader {

    private KeyFileReader() {}

    static JWK read(Path file, char[] password, boolean publicAllowed) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            return parse(bytes, password, publicAllowed);
        } catch (GeneralSecurityException | JOSEException | java.text.ParseException | PKCSException | IOException
                 | IllegalArgumentException | ClassCastException e) {
            throw new IOException(file + ": " + readable(e), e);
        }
    }

    static JWK readPrivateKey(byte[] bytes, char[] password) throws IOException {
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
                    return KeyConversion.toPublicJwk(certificate.getPublicKey(), List.of(certificate));
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
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider(KeyFiles.BOUNCY_CASTLE);
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            Object object;
            while ((object = parser.readObject()) != null) {
                if (object instanceof PEMEncryptedKeyPair encrypted) {
                    requirePassword(password);
                    KeyPair pair = converter.getKeyPair(encrypted.decryptKeyPair(
                            new JcePEMDecryptorProviderBuilder().setProvider(KeyFiles.BOUNCY_CASTLE).build(password)));
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
                                new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(KeyFiles.BOUNCY_CASTLE).build(password));
                    } catch (PKCSException e) {
                        throw new GeneralSecurityException("cannot decrypt the private key: wrong password?", e);
                    }
                    privateKey = converter.getPrivateKey(info);
                    publicKey = publicFromInfo(info, converter);
                } else if (object instanceof PrivateKeyInfo info) {
                    privateKey = converter.getPrivateKey(info);
                    publicKey = publicFromInfo(info, converter);
                } else if (object instanceof X509CertificateHolder holder) {
                    chain.add(new JcaX509CertificateConverter().setProvider(KeyFiles.BOUNCY_CASTLE).getCertificate(holder));
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
                return KeyConversion.toPublicJwk(publicKey != null ? publicKey : chain.get(0).getPublicKey(), chain);
            }
            throw new GeneralSecurityException(publicAllowed ? "no key or certificate found in the PEM data"
                    : "no private key found in the PEM data");
        }
        if (publicKey == null && !chain.isEmpty()) {
            publicKey = chain.get(0).getPublicKey();
        }
        return KeyConversion.toJwk(privateKey, publicKey, chain);
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
                return KeyConversion.toJwk(privateKey, chain.isEmpty() ? null : chain.get(0).getPublicKey(), chain);
            }
        }
        if (publicAllowed) {
            for (String alias : Collections.list(store.aliases())) {
                if (store.getCertificate(alias) instanceof X509Certificate certificate) {
                    return KeyConversion.toPublicJwk(certificate.getPublicKey(), List.of(certificate));
                }
            }
        }
        throw new GeneralSecurityException("the " + name + " file holds no private key");
    }

    /** A key file whose password is missing or wrong (not a file of another format). */
    static final class WrongPasswordException extends GeneralSecurityException {
        WrongPasswordException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
