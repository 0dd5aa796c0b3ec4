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

/**
 * Generates signing keys as JWKs, each with {@code kid} (its RFC 7638 thumbprint) and {@code use}: by
 * algorithm ({@link #generate}, with {@code alg}) or by key type and size/curve ({@link #rsa},
 * {@link #ec}, {@link #ed25519}); and self-signed certificates for them.
 */
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

    /** RSA sizes offered for new keys (RFC 7518 §3.3 asks for at least 2048). */
    public static final java.util.List<Integer> RSA_SIZES = java.util.List.of(2048, 3072, 4096);

    /** Curves offered for new EC keys (RFC 7518 §3.4). */
    public static final java.util.List<Curve> EC_CURVES = java.util.List.of(Curve.P_256, Curve.P_384, Curve.P_521);

    /**
     * A new RSA signing key of {@code bits} (one of {@link #RSA_SIZES}), with {@code kid} its thumbprint and
     * {@code use} sig; no {@code alg}, since an RSA key serves RS* and PS* alike.
     *
     * @throws IllegalArgumentException for another size
     */
    public static JWK rsa(int bits) {
        if (!RSA_SIZES.contains(bits)) {
            throw new IllegalArgumentException("unsupported RSA key size " + bits + " (supported: 2048, 3072, 4096)");
        }
        try {
            return withThumbprintKid(new RSAKeyGenerator(bits).keyUse(KeyUse.SIGNATURE).generate());
        } catch (JOSEException e) {
            throw new IllegalStateException("RSA key generation failed: " + e.getMessage(), e);
        }
    }

    /**
     * A new EC signing key on {@code curve} (one of {@link #EC_CURVES}), {@code kid} its thumbprint.
     *
     * @throws IllegalArgumentException for another curve
     */
    public static JWK ec(Curve curve) {
        if (!EC_CURVES.contains(curve)) {
            throw new IllegalArgumentException("unsupported curve " + curve + " (supported: P-256, P-384, P-521)");
        }
        try {
            return withThumbprintKid(new ECKeyGenerator(curve).keyUse(KeyUse.SIGNATURE).generate());
        } catch (JOSEException e) {
            throw new IllegalStateException("EC key generation failed: " + e.getMessage(), e);
        }
    }

    /** A new Ed25519 signing key (RFC 8037), {@code kid} its thumbprint. */
    public static JWK ed25519() {
        try {
            return withThumbprintKid(new OctetKeyPairGenerator(Curve.Ed25519).keyUse(KeyUse.SIGNATURE).generate());
        } catch (JOSEException e) {
            throw new IllegalStateException("Ed25519 key generation failed: " + e.getMessage(), e);
        }
    }

    /**
     * Parses a curve name for {@link #ec}: the JOSE names (P-256, P-384, P-521, any case) and the
     * SEC/OpenSSL names people also use (secp256r1, prime256v1, secp384r1, secp521r1).
     *
     * @throws IllegalArgumentException naming the supported curves
     */
    public static Curve ecCurve(String name) {
        String n = name.strip().toLowerCase(java.util.Locale.ROOT);
        return switch (n) {
            case "p-256", "p256", "secp256r1", "prime256v1" -> Curve.P_256;
            case "p-384", "p384", "secp384r1" -> Curve.P_384;
            case "p-521", "p521", "secp521r1" -> Curve.P_521;
            default -> throw new IllegalArgumentException("unsupported curve " + name + " (supported: P-256, P-384, P-521)");
        };
    }

    /** The key with {@code alg} set, after checking that the key fits it ({@link JwsAlgorithms#fits}). */
    public static JWK withAlgorithm(JWK key, JWSAlgorithm alg) {
        if (!JwsAlgorithms.fits(key, alg)) {
            throw new IllegalArgumentException("alg " + alg + " does not fit a " + describe(key) + " key");
        }
        java.util.Map<String, Object> json = key.toJSONObject();
        json.put("alg", alg.getName());
        return parseUnchecked(json);
    }

    /** The key with {@code kid} set. */
    public static JWK withKeyId(JWK key, String kid) {
        return parseUnchecked(withKid(key.toJSONObject(), kid));
    }

    /** "RSA 2048", "EC P-256", "OKP Ed25519": how keys are named in messages. */
    public static String describe(JWK key) {
        if (key instanceof com.nimbusds.jose.jwk.RSAKey rsa) return "RSA " + rsa.size();
        if (key instanceof com.nimbusds.jose.jwk.ECKey ec) return "EC " + ec.getCurve();
        if (key instanceof com.nimbusds.jose.jwk.OctetKeyPair okp) return "OKP " + okp.getCurve();
        return key.getKeyType().getValue();
    }

    /**
     * A certificate subject (RFC 4514 string, e.g. {@code CN=my-client,O=Example}).
     *
     * @throws IllegalArgumentException ("invalid certificate subject '…': …") for an unreadable or empty name
     */
    public static javax.security.auth.x500.X500Principal certificateSubject(String subject) {
        try {
            javax.security.auth.x500.X500Principal name = new javax.security.auth.x500.X500Principal(subject);
            if (name.getEncoded().length <= 2) {
                throw new IllegalArgumentException("empty name");
            }
            return name;
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("invalid certificate subject '" + subject + "': give a distinguished name such as CN=my-client");
        }
    }

    /**
     * A self-signed X.509 v3 certificate for {@code key} (private, RSA/EC/Ed25519): {@code subject} as
     * subject and issuer, a random 127-bit serial, {@code CA:false} and digitalSignature key usage, a
     * subject key identifier. Signed with the algorithm that fits the key: SHA256withRSA, ECDSA with
     * the curve's hash (P-256: SHA-256, P-384: SHA-384, P-521: SHA-512), or Ed25519.
     *
     * @param subject an X.500 name such as {@code CN=my-client,O=Example}
     * @throws IllegalArgumentException for an unreadable subject or a key that cannot sign
     */
    public static java.security.cert.X509Certificate selfSignedCertificate(JWK key, String subject,
                                                                           java.time.Instant notBefore, java.time.Instant notAfter) {
        // RFC 4514 order (the last RDN of the string is the first of the DER), as openssl and keytool read it
        javax.security.auth.x500.X500Principal name = certificateSubject(subject);
        if (!notAfter.isAfter(notBefore)) {
            throw new IllegalArgumentException("the certificate's validity must end after it starts");
        }
        try {
            java.security.PrivateKey privateKey = KeyFiles.privateKey(key);
            java.security.PublicKey publicKey = KeyFiles.publicKey(key);
            java.math.BigInteger serial = new java.math.BigInteger(127, new java.security.SecureRandom()).setBit(0);
            var builder = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(name, serial,
                    java.util.Date.from(notBefore), java.util.Date.from(notAfter), name, publicKey);
            var extensions = new org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils();
            builder.addExtension(org.bouncycastle.asn1.x509.Extension.basicConstraints, true,
                    new org.bouncycastle.asn1.x509.BasicConstraints(false));
            builder.addExtension(org.bouncycastle.asn1.x509.Extension.keyUsage, true,
                    new org.bouncycastle.asn1.x509.KeyUsage(org.bouncycastle.asn1.x509.KeyUsage.digitalSignature));
            builder.addExtension(org.bouncycastle.asn1.x509.Extension.subjectKeyIdentifier, false,
                    extensions.createSubjectKeyIdentifier(publicKey));
            var signer = new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder(certificateSignatureAlgorithm(key))
                    .setProvider(KeyFiles.BOUNCY_CASTLE).build(privateKey);
            byte[] der = builder.build(signer).getEncoded();
            return (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(der));
        } catch (java.security.GeneralSecurityException | JOSEException | java.io.IOException
                 | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalArgumentException("cannot make a certificate for the " + describe(key) + " key: " + e.getMessage(), e);
        }
    }

    /** The X.509 signature algorithm that fits a key. */
    static String certificateSignatureAlgorithm(JWK key) {
        if (key instanceof com.nimbusds.jose.jwk.RSAKey) return "SHA256withRSA";
        if (key instanceof com.nimbusds.jose.jwk.ECKey ec) {
            if (Curve.P_256.equals(ec.getCurve())) return "SHA256withECDSA";
            if (Curve.P_384.equals(ec.getCurve())) return "SHA384withECDSA";
            if (Curve.P_521.equals(ec.getCurve())) return "SHA512withECDSA";
        }
        if (key instanceof com.nimbusds.jose.jwk.OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) return "Ed25519";
        throw new IllegalArgumentException("no certificate signature algorithm for a " + describe(key) + " key");
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
