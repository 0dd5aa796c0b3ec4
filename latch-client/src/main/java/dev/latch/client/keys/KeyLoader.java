package dev.latch.client.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.core.jose.KeyFiles;
import dev.latch.core.secret.SecretReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.net.URI;
import java.util.Base64;
import java.util.List;

/**
 * Loads a private signing key as a private JWK (with its certificate chain as {@code x5c} when the
 * source has one) from a file path or a reference: {@code ${file:PATH}}, or {@code ${env:NAME}} where
 * the variable holds the key itself (PEM text, JWK/JWKS JSON, or base64 of a PKCS#12/JKS file).
 * Formats are those of {@link KeyFiles}: PEM (PKCS#1, PKCS#8, encrypted PKCS#8, SEC1 EC), PKCS#12,
 * JKS and JWK/JWKS holding one key. The key must be usable for signing by some algorithm of
 * {@link JwsAlgorithms#ASYMMETRIC} (RSA ≥ 2048 bits, EC on P-256/384/521, Ed25519).
 *
 * <p>Every failure is a {@link KeyLoadingException} with a one-line message.
 */
public final class KeyLoader {

    private final SecretReference references;

    public KeyLoader(SecretReference references) {
        this.references = references;
    }

    /** A loader reading the process environment. */
    public static KeyLoader system() {
        return new KeyLoader(SecretReference.system());
    }

    /** {@link #loadPrivateKey(String, char[])} with the process environment. */
    public static JWK load(String pathOrReference, char[] password) {
        return system().loadPrivateKey(pathOrReference, password);
    }

    /** Loads a private key from a file path, {@code ${file:PATH}} or {@code ${env:NAME}}. */
    public JWK loadPrivateKey(String pathOrReference, char[] password) {
        if (pathOrReference == null || pathOrReference.isBlank()) {
            throw new KeyLoadingException("no key given");
        }
        Source source = read(pathOrReference, "key");
        JWK key;
        try {
            key = KeyFiles.readPrivateKey(source.bytes(), password);
        } catch (IOException e) {
            throw new KeyLoadingException(source.name() + ": " + oneLine(e.getMessage()), e);
        }
        return requireSigningKey(key, source.name());
    }

    /** Loads a private key from a file. */
    public JWK loadPrivateKey(Path file, char[] password) {
        return loadPrivateKey(file.toString(), password);
    }

    /**
     * Loads X.509 certificates (PEM or DER), the first being the signing key's own, from a file path,
     * {@code ${file:PATH}} or {@code ${env:NAME}} (PEM text or base64 DER).
     */
    public List<X509Certificate> loadCertificates(String pathOrReference) {
        Source source = read(pathOrReference, "certificate");
        try {
            return KeyFiles.readCertificates(source.bytes());
        } catch (GeneralSecurityException e) {
            throw new KeyLoadingException(source.name() + ": not a readable X.509 certificate (" + oneLine(e.getMessage()) + ")", e);
        }
    }

    /** {@code key} carrying {@code chain} (x5c, x5t#S256), for a key file that has no certificate; refused when the certificate is for another key. */
    public static JWK withCertificates(JWK key, List<X509Certificate> chain) {
        try {
            return KeyFiles.withCertificateChain(key, chain);
        } catch (GeneralSecurityException | JOSEException e) {
            throw new KeyLoadingException(oneLine(e.getMessage()), e);
        }
    }

    /**
     * Reads a Google service-account JSON key file (path, {@code ${file:PATH}} or {@code ${env:NAME}}
     * holding the JSON): {@code client_email}, {@code private_key} (PKCS#8 PEM), {@code private_key_id},
     * {@code token_uri}.
     */
    public GoogleServiceAccountKey loadGoogleServiceAccount(String pathOrReference) {
        Source source = read(pathOrReference, "service-account key");
        java.util.Map<String, Object> json;
        try {
            json = com.nimbusds.jose.util.JSONObjectUtils.parse(new String(source.bytes(), StandardCharsets.UTF_8));
        } catch (java.text.ParseException e) {
            throw new KeyLoadingException(source.name() + ": not a service-account JSON key file (" + oneLine(e.getMessage()) + ")", e);
        }
        if (json.containsKey("type") && !"service_account".equals(json.get("type"))) {
            throw new KeyLoadingException(source.name() + ": type is " + json.get("type") + ", not service_account");
        }
        String email = member(json, "client_email", source.name());
        String pem = member(json, "private_key", source.name());
        String keyId = member(json, "private_key_id", source.name());
        String tokenUri = member(json, "token_uri", source.name());
        JWK key;
        try {
            key = KeyFiles.readPrivateKey(pem.getBytes(StandardCharsets.UTF_8), null);
        } catch (IOException e) {
            throw new KeyLoadingException(source.name() + ": private_key: " + oneLine(e.getMessage()), e);
        }
        requireSigningKey(key, source.name());
        if (!(key instanceof RSAKey)) {
            throw new KeyLoadingException(source.name() + ": private_key is not an RSA key (Google service accounts sign RS256)");
        }
        URI uri;
        try {
            uri = new URI(tokenUri);
        } catch (java.net.URISyntaxException e) {
            throw new KeyLoadingException(source.name() + ": token_uri is not a URL: " + tokenUri);
        }
        if (!uri.isAbsolute() || uri.getHost() == null) {
            throw new KeyLoadingException(source.name() + ": token_uri is not an absolute URL: " + tokenUri);
        }
        return new GoogleServiceAccountKey(email, key, keyId, uri);
    }

    private static String member(java.util.Map<String, Object> json, String name, String source) {
        Object value = json.get(name);
        if (!(value instanceof String s) || s.isBlank()) {
            throw new KeyLoadingException(source + ": " + name + " is missing");
        }
        return s;
    }

    /** The private key must exist and fit at least one supported asymmetric algorithm. */
    static JWK requireSigningKey(JWK key, String source) {
        if (!(key instanceof RSAKey || key instanceof ECKey || key instanceof OctetKeyPair)) {
            throw new KeyLoadingException(source + ": a " + key.getKeyType() + " key cannot sign client assertions (RSA, EC or Ed25519 needed)");
        }
        if (!key.isPrivate()) {
            throw new KeyLoadingException(source + ": no private key (only a public key)");
        }
        for (JWSAlgorithm alg : JwsAlgorithms.ASYMMETRIC) {
            if (JwsAlgorithms.fits(key, alg)) {
                return key;
            }
        }
        if (key instanceof ECKey ec) {
            throw new KeyLoadingException(source + ": unsupported curve " + ec.getCurve() + " (supported: P-256, P-384, P-521)");
        }
        if (key instanceof OctetKeyPair okp) {
            throw new KeyLoadingException(source + ": unsupported curve " + okp.getCurve() + " (supported: Ed25519)");
        }
        throw new KeyLoadingException(source + ": RSA key of " + ((RSAKey) key).size() + " bits is too short (at least 2048)");
    }

    private record Source(String name, byte[] bytes) {}

    private Source read(String value, String what) {
        SecretReference.Parsed reference = SecretReference.parse(value);
        return switch (reference.kind()) {
            case ENVIRONMENT_VARIABLE -> fromEnvironment(value, reference.name(), what);
            case FILE -> readFile(Path.of(reference.name()), what);
            case UNKNOWN_REFERENCE -> throw new KeyLoadingException("unknown reference " + value + " (use a path, ${file:PATH} or ${env:NAME})");
            case STANDARD_INPUT, LITERAL -> readFile(Path.of(value), what); // a path ("-" included: no key is read from standard input here)
        };
    }

    /** A key held in an environment variable: PEM or JWK JSON as text, or a PKCS#12/JKS file in base64. */
    private Source fromEnvironment(String value, String name, String what) {
        String text;
        try {
            text = references.resolve(what, value);
        } catch (SecretReference.SecretResolutionException e) {
            throw new KeyLoadingException(e.getMessage(), e);
        }
        String label = "environment variable " + name;
        String stripped = text.strip();
        if (stripped.startsWith("{") || stripped.contains("-----BEGIN")) {
            return new Source(label, stripped.getBytes(StandardCharsets.UTF_8));
        }
        try {
            return new Source(label, Base64.getMimeDecoder().decode(stripped));
        } catch (IllegalArgumentException e) {
            throw new KeyLoadingException(label + ": neither PEM, JWK JSON nor base64 of a PKCS#12/JKS file");
        }
    }

    private static Source readFile(Path file, String what) {
        try {
            return new Source(file.toString(), Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new KeyLoadingException(what + " file " + file + " does not exist", e);
        } catch (AccessDeniedException e) {
            throw new KeyLoadingException(what + " file " + file + " cannot be read: permission denied", e);
        } catch (IOException e) {
            throw new KeyLoadingException(what + " file " + file + " cannot be read: " + oneLine(e.getMessage()), e);
        }
    }

    static String oneLine(String message) {
        return message == null ? "unreadable" : message.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
