package dev.latch.core.jose;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The JWS algorithms Latch signs and verifies with (RFC 7518 §3, RFC 8037, RFC 9864), and the one
 * place that maps an algorithm to the key type and curve it needs. Verifiers are built only for a
 * key whose type fits the algorithm, so {@code alg: none} and HMAC-with-a-public-key cannot happen:
 * there is no path from an asymmetric key to a MAC verifier.
 */
public final class JwsAlgorithms {

    /** Asymmetric signature algorithms, in the order they are advertised. */
    public static final List<JWSAlgorithm> ASYMMETRIC = List.of(
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512,
            JWSAlgorithm.Ed25519, JWSAlgorithm.EdDSA);

    /** HMAC algorithms, used only for {@code client_secret_jwt} assertions. */
    public static final List<JWSAlgorithm> HMAC = List.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);

    private JwsAlgorithms() {}

    public static List<String> asymmetricNames() {
        return ASYMMETRIC.stream().map(JWSAlgorithm::getName).toList();
    }

    public static List<String> hmacNames() {
        return HMAC.stream().map(JWSAlgorithm::getName).toList();
    }

    /** All algorithm names accepted for client assertions. */
    public static List<String> clientAssertionNames() {
        Set<String> all = new LinkedHashSet<>(asymmetricNames());
        all.addAll(hmacNames());
        return List.copyOf(all);
    }

    /** Parses a supported asymmetric algorithm name, exactly as spelled (JOSE names are case-sensitive). */
    public static JWSAlgorithm asymmetric(String name) {
        for (JWSAlgorithm alg : ASYMMETRIC) {
            if (alg.getName().equals(name)) {
                return alg;
            }
        }
        throw new IllegalArgumentException("unsupported signing algorithm: " + name
                + " (supported: " + String.join(", ", asymmetricNames()) + ")");
    }

    /**
     * Parses any supported algorithm name, asymmetric or HMAC, exactly as spelled; {@code none} and
     * unknown names are refused.
     */
    public static JWSAlgorithm parse(String name) {
        for (JWSAlgorithm alg : HMAC) {
            if (alg.getName().equals(name)) {
                return alg;
            }
        }
        for (JWSAlgorithm alg : ASYMMETRIC) {
            if (alg.getName().equals(name)) {
                return alg;
            }
        }
        throw new IllegalArgumentException("unsupported algorithm: " + name
                + " (supported: " + String.join(", ", clientAssertionNames()) + ")");
    }

    /** The algorithms a key can sign or verify with, in {@link #ASYMMETRIC} order. */
    public static List<JWSAlgorithm> fitting(JWK key) {
        return ASYMMETRIC.stream().filter(alg -> fits(key, alg)).toList();
    }

    public static boolean isHmac(JWSAlgorithm alg) {
        return HMAC.contains(alg);
    }

    public static boolean isSupported(JWSAlgorithm alg) {
        return ASYMMETRIC.contains(alg) || HMAC.contains(alg);
    }

    /** {@code EdDSA} and {@code Ed25519} name the same signature over an Ed25519 key. */
    public static boolean isEd25519(JWSAlgorithm alg) {
        return JWSAlgorithm.Ed25519.equals(alg) || JWSAlgorithm.EdDSA.equals(alg);
    }

    /** The key type an algorithm needs. */
    public static KeyType keyType(JWSAlgorithm alg) {
        if (JWSAlgorithm.Family.RSA.contains(alg)) {
            return KeyType.RSA;
        }
        if (JWSAlgorithm.Family.EC.contains(alg)) {
            return KeyType.EC;
        }
        if (isEd25519(alg)) {
            return KeyType.OKP;
        }
        if (isHmac(alg)) {
            return KeyType.OCT;
        }
        throw new IllegalArgumentException("unsupported algorithm " + alg);
    }

    /** The curve an EC or OKP algorithm needs; null for RSA. */
    public static Curve curve(JWSAlgorithm alg) {
        if (JWSAlgorithm.ES256.equals(alg)) return Curve.P_256;
        if (JWSAlgorithm.ES384.equals(alg)) return Curve.P_384;
        if (JWSAlgorithm.ES512.equals(alg)) return Curve.P_521;
        if (isEd25519(alg)) return Curve.Ed25519;
        return null;
    }

    /** True when {@code key} can sign or verify with {@code alg} (type and, for EC/OKP, curve). */
    public static boolean fits(JWK key, JWSAlgorithm alg) {
        if (!isSupported(alg) || isHmac(alg) || !keyType(alg).equals(key.getKeyType())) {
            return false;
        }
        Curve wanted = curve(alg);
        if (key instanceof ECKey ec) {
            return wanted.equals(ec.getCurve());
        }
        if (key instanceof OctetKeyPair okp) {
            // RFC 8037 §2: an Ed25519 public key is 32 bytes; Nimbus does not check the length
            return wanted.equals(okp.getCurve()) && okp.getDecodedX().length == 32;
        }
        if (key instanceof RSAKey rsa) {
            return rsa.size() >= 2048;
        }
        return false;
    }

    /** A signer for a private asymmetric key. */
    public static JWSSigner signer(JWK key, JWSAlgorithm alg) throws JOSEException {
        if (!fits(key, alg) || !key.isPrivate()) {
            throw new JOSEException("key " + key.getKeyID() + " cannot sign " + alg);
        }
        if (key instanceof RSAKey rsa) return new RSASSASigner(rsa);
        if (key instanceof ECKey ec) return new ECDSASigner(ec);
        return new Ed25519Signer((OctetKeyPair) key);
    }

    /** A verifier for a public asymmetric key, only when the key fits the algorithm. */
    public static JWSVerifier verifier(JWK key, JWSAlgorithm alg) throws JOSEException {
        if (!fits(key, alg)) {
            throw new JOSEException("key " + key.getKeyID() + " does not fit " + alg);
        }
        if (key instanceof RSAKey rsa) return new RSASSAVerifier(rsa.toRSAPublicKey());
        if (key instanceof ECKey ec) return new ECDSAVerifier(ec.toECPublicKey());
        return new Ed25519Verifier(((OctetKeyPair) key).toPublicJWK());
    }

    /**
     * A MAC signer for an HMAC algorithm over {@code secret}'s UTF-8 bytes (RFC 7518 §3.2: the secret
     * must be at least as long as the hash, 32/48/64 bytes).
     */
    public static JWSSigner macSigner(JWSAlgorithm alg, String secret) throws JOSEException {
        if (!isHmac(alg)) {
            throw new JOSEException(alg + " is not an HMAC algorithm");
        }
        requireMacLength(alg, secret);
        return new com.nimbusds.jose.crypto.MACSigner(secret.getBytes(StandardCharsets.UTF_8));
    }

    /** Refuses a secret shorter than the hash of {@code alg} (RFC 7518 §3.2), with a message that says so. */
    public static void requireMacLength(JWSAlgorithm alg, String secret) throws JOSEException {
        int bits = Integer.parseInt(alg.getName().substring(2));
        int length = secret.getBytes(StandardCharsets.UTF_8).length;
        if (length * 8 < bits) {
            throw new com.nimbusds.jose.KeyLengthException("the secret is " + length + " bytes; " + alg
                    + " needs at least " + bits / 8 + " (RFC 7518 §3.2)");
        }
    }

    /** A MAC verifier for a {@code client_secret_jwt} secret (RFC 7523 §2.2 with RFC 7518 §3.2). */
    public static JWSVerifier macVerifier(String secret) throws JOSEException {
        return new MACVerifier(secret.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * OIDC Core §3.1.3.6 ({@code at_hash}; also {@code c_hash}): base64url of the left half of the hash of
     * {@code token}'s ASCII octets, with the hash of the JWS algorithm (SHA-256 for *256, SHA-384, SHA-512;
     * Ed25519 signs with SHA-512 inside, so SHA-512).
     */
    public static String accessTokenHash(String token, JWSAlgorithm alg) {
        String name = alg.getName();
        String hash = isEd25519(alg) || name.endsWith("512") ? "SHA-512" : name.endsWith("384") ? "SHA-384" : "SHA-256";
        try {
            byte[] digest = java.security.MessageDigest.getInstance(hash).digest(token.getBytes(StandardCharsets.US_ASCII));
            return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, digest.length / 2));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
