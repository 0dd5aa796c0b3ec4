package dev.latch.client.keys;

import com.nimbusds.jose.jwk.JWK;
import java.net.URI;

/**
 * The parts of a Google service-account JSON key file that a JWT-bearer token request (RFC 7523
 * §2.1) needs: {@code client_email} (the assertion's {@code iss}), {@code private_key} (RS256),
 * {@code private_key_id} (the {@code kid}) and {@code token_uri} (the {@code aud} and where to post).
 * Load it with {@link KeyLoader#loadGoogleServiceAccount(String)}.
 */
public record GoogleServiceAccountKey(String clientEmail, JWK privateKey, String privateKeyId, URI tokenUri) {

    @Override
    public String toString() {
        return "GoogleServiceAccountKey[clientEmail=" + clientEmail + ", privateKeyId=" + privateKeyId + ", tokenUri=" + tokenUri + "]";
    }
}
