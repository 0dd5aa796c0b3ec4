package dev.latch.server.transfer;

import dev.latch.core.crypto.AesGcm;
import dev.latch.core.crypto.Digests;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key that protects a configuration export ({@code --export-key}): it re-wraps the encrypted
 * values that leave the instance ({@code client_secret_jwt} HMAC keys) and authenticates the whole
 * file, so that nobody can swap a client's secret digest in an export without being noticed.
 *
 * <p>Derivation: PBKDF2-HMAC-SHA256 with {@value #ITERATIONS} iterations over the given secret and a
 * fixed, format-versioned salt gives a 256-bit root; independent sub-keys for encryption, nonces and
 * the MAC are {@code HMAC-SHA256(root, label)}. The salt is fixed on purpose: the export must be
 * byte-identical when repeated, so nothing random may enter it. That costs the per-file protection a
 * random salt gives against precomputed guessing, which is why the secret must be long — an operator
 * is expected to generate one ({@code openssl rand -base64 32}), and PBKDF2 only slows down guessing a
 * weaker one.
 *
 * <p>Wrapping is AES-256-GCM with a <em>synthetic</em> nonce (the SIV idea of RFC 5297 §2.4 applied to
 * GCM, since AES-GCM-SIV is not in the JDK): {@code nonce = HMAC-SHA256(nonceKey, purpose ‖ 0x00 ‖
 * plaintext)} truncated to 96 bits; the purpose (e.g. {@code client-secret:<client_id>}) is also the
 * associated data. Equal inputs give equal outputs — which is what makes "export, import, export" give
 * identical files — and distinct plaintexts get distinct nonces except with the probability of a
 * 96-bit HMAC collision, so GCM's rule "never reuse a nonce with a different plaintext" holds. What
 * deterministic encryption reveals is only that the same value under the same purpose was wrapped
 * twice with the same export key, i.e. that a client's secret did not change between two exports.
 */
public final class ExportKey {

    /** PBKDF2 iterations (OWASP 2023 figure for PBKDF2-HMAC-SHA256); part of format version 1. */
    public static final int ITERATIONS = 600_000;
    /** Shortest accepted {@code --export-key}. */
    public static final int MIN_LENGTH = 16;
    private static final byte[] SALT = "latch-config-export-v1".getBytes(StandardCharsets.UTF_8);
    private static final String WRAPPED_PREFIX = "x1.";

    private final SecretKeySpec encryptionKey;
    private final byte[] nonceKey;
    private final byte[] macKey;

    private ExportKey(byte[] root) {
        this.encryptionKey = new SecretKeySpec(Digests.hmacSha256(root, label("encrypt")), "AES");
        this.nonceKey = Digests.hmacSha256(root, label("nonce"));
        this.macKey = Digests.hmacSha256(root, label("mac"));
    }

    /**
     * Derives the export key from the operator's secret.
     *
     * @throws IllegalArgumentException when the secret is shorter than {@value #MIN_LENGTH} characters
     */
    public static ExportKey derive(String secret) {
        if (secret == null || secret.length() < MIN_LENGTH) {
            throw new IllegalArgumentException("--export-key must be at least " + MIN_LENGTH
                    + " characters (generate one with: openssl rand -base64 32)");
        }
        try {
            SecretKeyFactory factory = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            byte[] root = factory.generateSecret(new PBEKeySpec(secret.toCharArray(), SALT, ITERATIONS, 256)).getEncoded();
            try {
                return new ExportKey(root);
            } finally {
                Arrays.fill(root, (byte) 0);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2-HMAC-SHA256 is not available: " + e.getMessage(), e);
        }
    }

    /** Encrypts {@code plaintext} for {@code purpose}, deterministically; the result looks like {@code x1.<base64url(nonce|ct)>}. */
    public String wrap(String purpose, String plaintext) {
        byte[] aad = purpose.getBytes(StandardCharsets.UTF_8);
        byte[] pt = plaintext.getBytes(StandardCharsets.UTF_8);
        byte[] input = new byte[aad.length + 1 + pt.length];
        System.arraycopy(aad, 0, input, 0, aad.length);
        System.arraycopy(pt, 0, input, aad.length + 1, pt.length);
        byte[] nonce = Arrays.copyOf(Digests.hmacSha256(nonceKey, input), AesGcm.NONCE_BYTES);
        return WRAPPED_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(AesGcm.seal(encryptionKey, nonce, aad, pt));
    }

    /**
     * Decrypts a value made by {@link #wrap} for the same purpose.
     *
     * @throws IllegalArgumentException when it was not wrapped under this key for this purpose
     */
    public String unwrap(String purpose, String wrapped) {
        if (wrapped == null || !wrapped.startsWith(WRAPPED_PREFIX)) {
            throw new IllegalArgumentException("not a wrapped value");
        }
        byte[] plaintext;
        try {
            byte[] in = Base64.getUrlDecoder().decode(wrapped.substring(WRAPPED_PREFIX.length()));
            plaintext = AesGcm.open(encryptionKey, purpose.getBytes(StandardCharsets.UTF_8), in, 0);
        } catch (IllegalArgumentException e) {
            plaintext = null;
        }
        if (plaintext == null) {
            throw new IllegalArgumentException("cannot unwrap the value for " + purpose);
        }
        return new String(plaintext, StandardCharsets.UTF_8);
    }

    /** HMAC-SHA256 of {@code content}, base64url. */
    public String mac(byte[] content) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Digests.hmacSha256(macKey, content));
    }

    /** Constant-time check of a MAC made by {@link #mac}. */
    public boolean verify(byte[] content, String mac) {
        if (mac == null) {
            return false;
        }
        byte[] expected = Digests.hmacSha256(macKey, content);
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(mac);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(expected, given);
    }

    private static byte[] label(String name) {
        return ("latch-config-export-v1 " + name).getBytes(StandardCharsets.UTF_8);
    }
}
