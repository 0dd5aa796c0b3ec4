package dev.latch.server;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.util.List;
import java.util.Map;

/** Client key pairs for tests, generated with Nimbus JOSE (independent of Latch's key code). */
public final class TestKeys {

    private TestKeys() {}

    /** A private key that signs {@code alg}: RSA 2048, EC on the algorithm's curve, or Ed25519. */
    public static JWK generate(JWSAlgorithm alg, String kid) {
        try {
            String name = alg.getName();
            if (name.startsWith("RS") || name.startsWith("PS")) {
                return new RSAKeyGenerator(2048).keyID(kid).generate();
            }
            if (name.equals("ES256")) return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
            if (name.equals("ES384")) return new ECKeyGenerator(Curve.P_384).keyID(kid).generate();
            if (name.equals("ES512")) return new ECKeyGenerator(Curve.P_521).keyID(kid).generate();
            if (name.equals("Ed25519") || name.equals("EdDSA")) {
                return new OctetKeyPairGenerator(Curve.Ed25519).keyID(kid).generate();
            }
            throw new IllegalArgumentException(name);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JWK rsa(String kid) {
        return generate(JWSAlgorithm.RS256, kid);
    }

    /** The public JWK Set of {@code keys}, as client metadata {@code jwks} holds it. */
    public static Map<String, Object> publicJwks(JWK... keys) {
        return new JWKSet(List.of(keys)).toPublicJWKSet().toJSONObject();
    }
}
