package dev.latch.core.crypto;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-GCM sealing, the one way Latch encrypts and authenticates a value (secrets at rest, export files,
 * the gateway's session cookies): a 96-bit nonce, a 128-bit tag, and associated data naming what the value
 * is for, so a sealed value cannot be moved to another purpose. The sealed form is {@code nonce | ciphertext | tag}.
 */
public final class AesGcm {

    public static final int NONCE_BYTES = 12;
    public static final int TAG_BYTES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    /**
     * One decrypting cipher per thread, initialised again for each value: looking the transformation up cost a
     * few µs per gateway request (an sso session is opened on every request). Only for opening: an encrypting
     * GCM cipher refuses to be initialised again with its last key and nonce, which {@link #seal(SecretKey, byte[],
     * byte[], byte[])} allows.
     */
    private static final ThreadLocal<Cipher> OPENING = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance(TRANSFORMATION);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available: " + e.getMessage(), e);
        }
    });

    private AesGcm() {}

    /** Seals with a random nonce. */
    public static byte[] seal(SecretKey key, byte[] associatedData, byte[] plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        return seal(key, nonce, associatedData, plaintext);
    }

    /** Seals with the given nonce, which must never be used twice with the same key for different plaintexts. */
    public static byte[] seal(SecretKey key, byte[] nonce, byte[] associatedData, byte[] plaintext) {
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
            cipher.updateAAD(associatedData);
            byte[] out = Arrays.copyOf(nonce, NONCE_BYTES + plaintext.length + TAG_BYTES);
            cipher.doFinal(plaintext, 0, plaintext.length, out, NONCE_BYTES);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed: " + e.getMessage(), e);
        }
    }

    /**
     * Opens {@code sealed[offset..]}.
     *
     * @return the plaintext, or null when the value was not sealed under {@code key} for {@code associatedData}
     *         (wrong key, wrong purpose, altered or truncated)
     */
    public static byte[] open(SecretKey key, byte[] associatedData, byte[] sealed, int offset) {
        if (sealed.length - offset < NONCE_BYTES + TAG_BYTES) {
            return null;
        }
        try {
            Cipher cipher = OPENING.get();
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, sealed, offset, NONCE_BYTES));
            cipher.updateAAD(associatedData);
            return cipher.doFinal(sealed, offset + NONCE_BYTES, sealed.length - offset - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            return null;
        }
    }
}
