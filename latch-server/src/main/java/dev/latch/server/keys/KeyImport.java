package dev.latch.server.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.X509CertUtils;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.core.jose.KeyGeneration;
import java.security.cert.X509Certificate;
import java.text.ParseException;
import java.util.Arrays;
import java.util.Map;

/**
 * Checks a private key brought in by {@code latch keys import} before it may sign: it must be private,
 * fit the algorithm it is imported for (RFC 7518 §3.1 key type and curve, RSA ≥ 2048 bits), and when
 * it comes with a certificate the certificate must be for this key — the certificate is published as
 * {@code x5c}/{@code x5t#S256} (RFC 7517 §4.7, §4.9), and a resource server pinning it must find the key
 * that really signs. The result carries {@code kid}, {@code alg} and {@code use}, as every published key does.
 */
public final class KeyImport {

    private KeyImport() {}

    /**
     * @throws IllegalArgumentException naming what does not fit
     */
    public static JWK prepare(JWK key, JWSAlgorithm alg) {
        if (!key.isPrivate()) {
            throw new IllegalArgumentException("the file holds a public key only; a signing key needs its private part");
        }
        if (!JwsAlgorithms.fits(key, alg)) {
            throw new IllegalArgumentException("the key is " + describe(key) + " and does not fit " + alg.getName()
                    + " (needs " + needs(alg) + ")");
        }
        if (key.getAlgorithm() != null && !key.getAlgorithm().getName().equals(alg.getName())) {
            throw new IllegalArgumentException("the key is marked alg " + key.getAlgorithm() + ", not " + alg.getName());
        }
        if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
            throw new IllegalArgumentException("the key is marked use " + key.getKeyUse().identifier() + ", not sig");
        }
        if (key.getX509CertChain() != null && !key.getX509CertChain().isEmpty()) {
            X509Certificate certificate = X509CertUtils.parse(key.getX509CertChain().get(0).decode());
            if (certificate == null) {
                throw new IllegalArgumentException("the key's certificate (x5c) is unreadable");
            }
            if (!certifies(certificate, key)) {
                throw new IllegalArgumentException("the certificate (" + certificate.getSubjectX500Principal().getName()
                        + ") is for another key than the private key in the file");
            }
        }
        try {
            Map<String, Object> json = key.toJSONObject();
            json.put("alg", alg.getName());
            json.put("use", KeyUse.SIGNATURE.identifier());
            JWK withAlg = JWK.parse(json);
            return key.getKeyID() == null ? KeyGeneration.withThumbprintKid(withAlg) : withAlg;
        } catch (ParseException | JOSEException e) {
            throw new IllegalArgumentException("the key cannot be prepared: " + e.getMessage());
        }
    }

    private static boolean certifies(X509Certificate certificate, JWK key) {
        try {
            if (key instanceof OctetKeyPair okp) {
                // an Ed25519 SubjectPublicKeyInfo ends with the 32-byte raw public key (RFC 8410 §4)
                String algorithm = certificate.getPublicKey().getAlgorithm();
                byte[] spki = certificate.getPublicKey().getEncoded();
                byte[] x = okp.getX().decode();
                return ("Ed25519".equalsIgnoreCase(algorithm) || "EdDSA".equalsIgnoreCase(algorithm)) && spki.length >= x.length
                        && Arrays.equals(Arrays.copyOfRange(spki, spki.length - x.length, spki.length), x);
            }
            JWK certified = JWK.parse(certificate);
            return Arrays.equals(certified.computeThumbprint().decode(), key.toPublicJWK().computeThumbprint().decode());
        } catch (JOSEException e) {
            return false;
        }
    }

    private static String describe(JWK key) {
        if (key instanceof RSAKey rsa) return "an RSA key of " + rsa.size() + " bits";
        if (key instanceof ECKey ec) return "an EC key on " + ec.getCurve();
        if (key instanceof OctetKeyPair okp) return "an OKP key on " + okp.getCurve();
        return "a " + key.getKeyType() + " key";
    }

    private static String needs(JWSAlgorithm alg) {
        return switch (JwsAlgorithms.keyType(alg).getValue()) {
            case "RSA" -> "an RSA key of at least 2048 bits";
            case "EC" -> "an EC key on " + JwsAlgorithms.curve(alg);
            default -> "an Ed25519 key";
        };
    }
}
