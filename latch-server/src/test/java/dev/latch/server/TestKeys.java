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

    /**
     * {@code key} (an RSA or EC private key) with a self-signed X.509 certificate: {@code x5c} and
     * its {@code x5t#S256} thumbprint.
     */
    public static JWK withSelfSignedCertificate(JWK key) {
        try {
            java.security.KeyPair pair = key instanceof com.nimbusds.jose.jwk.RSAKey rsa ? rsa.toKeyPair()
                    : ((com.nimbusds.jose.jwk.ECKey) key).toKeyPair();
            org.bouncycastle.asn1.x500.X500Name name = new org.bouncycastle.asn1.x500.X500Name("CN=" + key.getKeyID());
            java.util.Date from = new java.util.Date(System.currentTimeMillis() - 60_000);
            java.util.Date to = new java.util.Date(System.currentTimeMillis() + 86_400_000L);
            var builder = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(name, java.math.BigInteger.ONE, from, to,
                    name, pair.getPublic());
            String sigAlg = key instanceof com.nimbusds.jose.jwk.RSAKey ? "SHA256withRSA" : "SHA256withECDSA";
            var holder = builder.build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder(sigAlg).build(pair.getPrivate()));
            java.security.cert.X509Certificate cert = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(holder);
            Map<String, Object> json = key.toJSONObject();
            json.put("x5c", List.of(com.nimbusds.jose.util.Base64.encode(cert.getEncoded()).toString()));
            json.put("x5t#S256", com.nimbusds.jose.util.Base64URL.encode(
                    java.security.MessageDigest.getInstance("SHA-256").digest(cert.getEncoded())).toString());
            return JWK.parse(json);
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a test certificate", e);
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
