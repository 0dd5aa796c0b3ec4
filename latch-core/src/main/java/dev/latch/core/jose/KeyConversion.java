package dev.latch.core.jose;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jose.util.Base64URL;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/**
 * JWK ⇄ JCA keys for {@link KeyFiles}: private and public JWKs built from JCA keys (the public half
 * always derived from the private key; a certificate checked to certify that very key), and back.
 */
final class KeyConversion {

    private KeyConversion() {}

    static JWK withCertificateChain(JWK key, List<X509Certificate> chain) throws GeneralSecurityException, JOSEException {
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
        json.put("x5t#S256", Certificates.x5tS256(chain.get(0)).toString());
        json.remove("x5t");
        return KeyGeneration.parseUnchecked(json);
    }

    static JWK toJwk(PrivateKey privateKey, PublicKey publicKey, List<X509Certificate> chain)
            throws GeneralSecurityException, JOSEException {
        List<Base64> x5c = new ArrayList<>();
        for (X509Certificate c : chain) {
            x5c.add(Base64.encode(c.getEncoded()));
        }
        Base64URL x5tS256 = chain.isEmpty() ? null
                : Certificates.x5tS256(chain.get(0));
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

    static JWK toPublicJwk(PublicKey publicKey, List<X509Certificate> chain) throws GeneralSecurityException, JOSEException {
        if (!chain.isEmpty() && !chain.get(0).getPublicKey().equals(publicKey)
                && !java.util.Arrays.equals(chain.get(0).getPublicKey().getEncoded(), publicKey.getEncoded())) {
            throw new GeneralSecurityException("the certificate (" + chain.get(0).getSubjectX500Principal().getName()
                    + ") is for another key than the public key in the file");
        }
        List<Base64> x5c = new ArrayList<>();
        for (X509Certificate c : chain) {
            x5c.add(Base64.encode(c.getEncoded()));
        }
        Base64URL x5tS256 = chain.isEmpty() ? null : Certificates.x5tS256(chain.get(0));
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

    static PrivateKey privateKey(JWK key) throws GeneralSecurityException, JOSEException {
        if (!key.isPrivate()) {
            throw new GeneralSecurityException("the key " + describe(key) + " is public only; a private key is needed");
        }
        if (key instanceof RSAKey rsa) return rsa.toPrivateKey();
        if (key instanceof ECKey ec) return ec.toPrivateKey();
        if (key instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
            return java.security.KeyFactory.getInstance("Ed25519", KeyFiles.BOUNCY_CASTLE)
                    .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(pkcs8(okp)));
        }
        throw new GeneralSecurityException("unsupported key " + describe(key));
    }

    static PublicKey publicKey(JWK key) throws GeneralSecurityException, JOSEException {
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
            return java.security.KeyFactory.getInstance("Ed25519", KeyFiles.BOUNCY_CASTLE).generatePublic(new java.security.spec.X509EncodedKeySpec(spki));
        }
        throw new GeneralSecurityException("unsupported key " + describe(key));
    }

    static byte[] pkcs8(OctetKeyPair okp) throws GeneralSecurityException {
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
}
