package dev.latch.server.secret;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Server-generated secrets and their digests. Generated secrets carry 512 bits, so a plain SHA-256
 * digest is as strong as any password hash for them and costs microseconds (DESIGN.md §4). Used for
 * client secrets, registration access tokens, opaque tokens.
 */
public final class Secrets {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String PREFIX = "sha256:";

    private Secrets() {}

    /** A random value of {@code bits} bits, base64url without padding. */
    public static String generate(int bits) {
        byte[] bytes = new byte[bits / 8];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static String digest(String secret) {
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(secret));
    }

    /** Constant-time comparison of a presented secret with a stored digest. */
    public static boolean matches(String presented, String storedDigest) {
        if (presented == null || storedDigest == null || !storedDigest.startsWith(PREFIX)) {
            return false;
        }
        byte[] expected;
        try {
            expected = Base64.getUrlDecoder().decode(storedDigest.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(sha256(presented), expected);
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
