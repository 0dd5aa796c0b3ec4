package dev.latch.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Sealing and opening, with the opening cipher reused on one thread across good and refused values. */
class AesGcmTest {

    private static final SecretKey KEY = new SecretKeySpec(new byte[32], "AES");
    private static final SecretKey OTHER = new SecretKeySpec(Arrays.copyOf(new byte[] {1}, 32), "AES");
    private static final byte[] PURPOSE = "purpose".getBytes(StandardCharsets.UTF_8);

    @Test
    void opensWhatItSealedAndRefusesEveryAlterationOnTheSameThreadInTurn() {
        byte[] one = AesGcm.seal(KEY, PURPOSE, bytes("one"));
        byte[] two = AesGcm.seal(KEY, PURPOSE, bytes("two"));
        byte[] altered = one.clone();
        altered[AesGcm.NONCE_BYTES] ^= 1;
        for (int round = 0; round < 3; round++) {
            assertThat(AesGcm.open(KEY, PURPOSE, one, 0)).isEqualTo(bytes("one"));
            assertThat(AesGcm.open(KEY, PURPOSE, altered, 0)).as("altered ciphertext").isNull();
            assertThat(AesGcm.open(OTHER, PURPOSE, one, 0)).as("another key").isNull();
            assertThat(AesGcm.open(KEY, bytes("other purpose"), one, 0)).as("another purpose").isNull();
            assertThat(AesGcm.open(KEY, PURPOSE, Arrays.copyOf(one, one.length - 1), 0)).as("truncated").isNull();
            assertThat(AesGcm.open(KEY, PURPOSE, two, 0)).isEqualTo(bytes("two"));
        }
    }

    @Test
    void aGivenNonceMaySealTheSameValueAgain() {
        byte[] nonce = new byte[AesGcm.NONCE_BYTES];
        byte[] first = AesGcm.seal(KEY, nonce, PURPOSE, bytes("same"));
        byte[] again = AesGcm.seal(KEY, nonce, PURPOSE, bytes("same"));
        assertThat(again).isEqualTo(first);
        assertThat(AesGcm.open(KEY, PURPOSE, again, 0)).isEqualTo(bytes("same"));
    }

    @Test
    void opensAtAnOffset() {
        byte[] sealed = AesGcm.seal(KEY, PURPOSE, bytes("offset"));
        byte[] prefixed = new byte[sealed.length + 5];
        System.arraycopy(sealed, 0, prefixed, 5, sealed.length);
        assertThat(AesGcm.open(KEY, PURPOSE, prefixed, 5)).isEqualTo(bytes("offset"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
