package dev.latch.core.pkce;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * PKCE with {@code S256} (RFC 7636), the one method Latch offers: a client makes a pair (§4.1–4.2), the
 * authorization server checks the verifier against the challenge it kept (§4.6). Both sides compute the
 * challenge here, so they cannot disagree.
 *
 * @param verifier  a 256-bit random value, base64url without padding (43 characters)
 * @param challenge {@code BASE64URL(SHA256(ASCII(verifier)))}
 */
public record Pkce(String verifier, String challenge) {

    /** A fresh pair for one authorization request. */
    public static Pkce create() {
        String verifier = dev.latch.core.crypto.RandomValues.urlSafe256();
        return new Pkce(verifier, s256(verifier));
    }

    /** The S256 challenge of {@code verifier} (RFC 7636 §4.2). */
    public static String s256(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** True when {@code verifier} is the one {@code challenge} was made from (RFC 7636 §4.6), compared in constant time. */
    public static boolean matches(String verifier, String challenge) {
        return MessageDigest.isEqual(s256(verifier).getBytes(StandardCharsets.US_ASCII), challenge.getBytes(StandardCharsets.US_ASCII));
    }
}
