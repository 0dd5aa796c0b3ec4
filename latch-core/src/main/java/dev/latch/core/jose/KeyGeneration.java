package dev.latch.core.jose;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.util.Date;

/** Generates signing keys as JWKs, each with {@code kid} (its RFC 7638 thumbprint), {@code alg} and {@code use}. */
public final class KeyGeneration {

    private KeyGeneration() {}

    /** A new private signing key for {@code alg}; RSA keys are 2048 bits unless {@code rsaBits} is larger. */
    public static JWK generate(JWSAlgorithm alg, int rsaBits) {
        try {
            JWK key = switch (JwsAlgorithms.keyType(alg).getValue()) {
                case "RSA" -> new RSAKeyGenerator(Math.max(2048, rsaBits)).algorithm(alg).keyUse(KeyUse.SIGNATURE)
                        .issueTime(new Date()).generate();
                case "EC" -> new ECKeyGenerator(JwsAlgorithms.curve(alg)).algorithm(alg).keyUse(KeyUse.SIGNATURE)
                        .issueTime(new Date()).generate();
                case "OKP" -> new OctetKeyPairGenerator(Curve.Ed25519).algorithm(alg).keyUse(KeyUse.SIGNATURE)
                        .issueTime(new Date()).generate();
                default -> throw new IllegalArgumentException("cannot generate a signing key for " + alg);
            };
            return withThumbprintKid(key);
        } catch (JOSEException e) {
            throw new IllegalStateException("key generation failed for " + alg + ": " + e.getMessage(), e);
        }
    }

    public static JWK generate(JWSAlgorithm alg) {
        return generate(alg, 2048);
    }

    /** Sets {@code kid} to the key's RFC 7638 SHA-256 thumbprint. */
    public static JWK withThumbprintKid(JWK key) throws JOSEException {
        String kid = key.computeThumbprint().toString();
        return parseUnchecked(withKid(key.toJSONObject(), kid));
    }

    private static java.util.Map<String, Object> withKid(java.util.Map<String, Object> json, String kid) {
        json.put("kid", kid);
        return json;
    }

    static JWK parseUnchecked(java.util.Map<String, Object> json) {
        try {
            return JWK.parse(json);
        } catch (java.text.ParseException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
