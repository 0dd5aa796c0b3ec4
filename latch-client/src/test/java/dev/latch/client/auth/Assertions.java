package dev.latch.client.auth;

import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;

/** Checks assertions with Nimbus' own verifiers over the public key (not with the code under test). */
public final class Assertions {

    private Assertions() {}

    public static SignedJWT verified(String compact, JWK publicKey) {
        try {
            SignedJWT jwt = SignedJWT.parse(compact);
            JWSVerifier verifier;
            if (publicKey instanceof RSAKey rsa) verifier = new RSASSAVerifier(rsa.toRSAPublicKey());
            else if (publicKey instanceof ECKey ec) verifier = new ECDSAVerifier(ec.toECPublicKey());
            else verifier = new Ed25519Verifier(((OctetKeyPair) publicKey).toPublicJWK());
            if (!jwt.verify(verifier)) {
                throw new AssertionError("signature does not verify with the public key");
            }
            return jwt;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    public static SignedJWT verifiedWithSecret(String compact, String secret) {
        try {
            SignedJWT jwt = SignedJWT.parse(compact);
            if (!jwt.verify(new MACVerifier(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)))) {
                throw new AssertionError("MAC does not verify with the secret");
            }
            return jwt;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
