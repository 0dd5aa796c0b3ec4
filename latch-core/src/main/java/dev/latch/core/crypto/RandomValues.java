package dev.latch.core.crypto;

import java.security.SecureRandom;
import java.util.Base64;

/** Unguessable values: 256 random bits, base64url without padding ({@code state}, {@code nonce}, PKCE verifiers). */
public final class RandomValues {

    private static final SecureRandom RANDOM = new SecureRandom();

    private RandomValues() {}

    public static String urlSafe256() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
