package dev.latch.server.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Argon2id hashing against the known answers of the reference implementation
 * (P-H-C/phc-winner-argon2, src/test.c: password "password", salt "somesalt"), whose PHC strings
 * other libraries (argon2-cffi, node argon2, RustCrypto) read and write the same way.
 */
class Argon2idHasherTest {

    /** Cheap parameters for everything but {@link #productionDefaultsAreOwaspMinimumAndVerify()}. */
    private final Argon2idHasher hasher = new Argon2idHasher(64, 1, 1);

    private static final byte[] SOMESALT = "somesalt".getBytes(StandardCharsets.US_ASCII);

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "password|$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
            "password|$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc",
            "password|$argon2id$v=19$m=65536,t=1,p=1$c29tZXNhbHQ$9qWtwbpyPd3vm1rB1GThgPzZ3/ydHL92zKL+15XZypg",
            "password|$argon2id$v=19$m=65536,t=2,p=1$ZGlmZnNhbHQ$vfMrBczELrFdWP0ZsfhWsRPaHppYdP3MVEMIVlqoFBw",
            "differentpassword|$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$C4TWUs9rDEvq7w3+J4umqA32aWKB1+DSiRuBfYxFj94"})
    void referenceImplementationHashesVerify(String password, String phc) {
        assertThat(hasher.verify(password.toCharArray(), phc)).isTrue();
        assertThat(hasher.verify("sassword".toCharArray(), phc)).isFalse();
        assertThat(hasher.verify((password + " ").toCharArray(), phc)).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "256|2|1|$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
            "256|2|2|$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc"})
    void hashWithTheReferenceSaltWritesTheReferencePhcStringByteForByte(int m, int t, int p, String expected) {
        assertThat(new Argon2idHasher(m, t, p).hash("password".toCharArray(), SOMESALT)).isEqualTo(expected);
    }

    @Test
    void hashIsPhcWithSixteenByteRandomSaltAndThirtyTwoByteHashWithoutPadding() {
        String a = hasher.hash("correct horse battery staple".toCharArray());
        String b = hasher.hash("correct horse battery staple".toCharArray());

        assertThat(a).matches("\\$argon2id\\$v=19\\$m=64,t=1,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}"); // no "=" padding
        assertThat(a).isNotEqualTo(b);
        assertThat(Base64.getDecoder().decode(a.split("\\$")[4])).hasSize(16);
        assertThat(Base64.getDecoder().decode(a.split("\\$")[5])).hasSize(32);
        assertThat(hasher.verify("correct horse battery staple".toCharArray(), a)).isTrue();
        assertThat(hasher.verify("correct horse battery stapl".toCharArray(), a)).isFalse();
        assertThat(hasher.verify("Correct horse battery staple".toCharArray(), a)).isFalse();
    }

    @Test
    void verifyUsesTheParametersInTheHashNotTheConfiguredOnes() {
        String made = new Argon2idHasher(128, 2, 2).hash("pässword".toCharArray());

        assertThat(hasher.verify("pässword".toCharArray(), made)).isTrue();
    }

    @Test
    void composedAndDecomposedAccentsAreTheSamePassword() {
        String composed = "caf\u00e9 au lait";
        String decomposed = "cafe\u0301 au lait";
        String hash = hasher.hash(decomposed.toCharArray());

        assertThat(hasher.verify(composed.toCharArray(), hash)).isTrue();
        assertThat(hash).isEqualTo(hasher.hash(composed.toCharArray(), Base64.getDecoder().decode(hash.split("\\$")[4])));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "password",
            "$argon2id$v=19$m=256,t=2,p=1c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",        // missing $
            "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQnf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",        // missing $
            "$argon2id$v=19$m=256,t=2,p=1$$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",                  // no salt
            "$argon2id$v=19$m=256,t=2,p=1$c29tZQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",            // salt of 4 bytes
            "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA",                                 // hash of 12 bytes
            "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ=$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4=",     // padding
            "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR-uIPnA4rEsF5h7TKyQwu9U1bMCHGi_4",       // base64url alphabet
            "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+YFY4NeBbtA",      // argon2i
            "$argon2id$v=16$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",       // version 0x10
            "$argon2id$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",            // no version
            "$argon2id$v=19$t=2,m=256,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",       // order
            "$argon2id$v=19$m=0256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",      // leading zero
            "$argon2id$v=19$m=4,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",         // m < 8p
            "$argon2id$v=19$m=256,t=0,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",       // t = 0
            "$argon2id$v=19$m=256,t=2,p=0$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",       // p = 0
            "$argon2id$v=19$m=4294967295,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4", // 4 TiB: never run
            "$argon2id$v=19$m=256,t=1000000,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4", // a million passes
            "$argon2id$v=19$m=256,t=2,p=1,keyid=x$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
            "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4$extra",
            " $argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4"})
    void malformedOrUnboundedHashesNeverVerifyAndNeedRehash(String phc) {
        assertThat(hasher.verify("password".toCharArray(), phc)).isFalse();
        assertThat(hasher.needsRehash(phc)).isTrue();
        assertThat(Argon2idHasher.wellFormed(phc)).isFalse();
    }

    @Test
    void nullHashOrPasswordNeverVerifies() {
        String hash = hasher.hash("password".toCharArray());
        assertThat(hasher.verify("password".toCharArray(), null)).isFalse();
        assertThat(hasher.verify(null, hash)).isFalse();
        assertThat(hasher.needsRehash(null)).isTrue();
    }

    @Test
    void passwordWithLoneSurrogateNeverVerifiesAndCannotBeHashed() {
        char[] broken = {'a', '\ud800', 'b'};
        assertThat(hasher.verify(broken, hasher.hash("a?b".toCharArray()))).isFalse();
        assertThatThrownBy(() -> hasher.hash(broken)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void needsRehashWhenAnyParameterIsLowerThanConfigured() {
        Argon2idHasher configured = new Argon2idHasher(512, 2, 2);
        String same = configured.hash("pw".toCharArray());
        String stronger = new Argon2idHasher(1024, 3, 4).hash("pw".toCharArray());

        assertThat(configured.needsRehash(same)).isFalse();
        assertThat(configured.needsRehash(stronger)).isFalse();
        assertThat(configured.needsRehash(new Argon2idHasher(256, 2, 2).hash("pw".toCharArray()))).as("memory").isTrue();
        assertThat(configured.needsRehash(new Argon2idHasher(512, 1, 2).hash("pw".toCharArray()))).as("iterations").isTrue();
        assertThat(configured.needsRehash(new Argon2idHasher(512, 2, 1).hash("pw".toCharArray()))).as("parallelism").isTrue();
        assertThat(configured.needsRehash("$argon2id$v=19$m=4096,t=3,p=4$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4"))
                .as("an 8-byte salt").isTrue();
    }

    @Test
    void verifyAgainstDummyIsAlwaysFalseWhateverThePassword() {
        assertThat(hasher.verifyAgainstDummy("password".toCharArray())).isFalse();
        assertThat(hasher.verifyAgainstDummy(new char[0])).isFalse();
        assertThat(hasher.verifyAgainstDummy(null)).isFalse();
    }

    @Test
    void parametersOutsideWhatArgon2AllowsAreRefused() {
        assertThatThrownBy(() -> new Argon2idHasher(7, 1, 1)).hasMessage("memory-kib must be 8-1048576 (at least 8 × parallelism; was 7)");
        assertThatThrownBy(() -> new Argon2idHasher(16, 1, 4)).hasMessage("memory-kib must be 32-1048576 (at least 8 × parallelism; was 16)");
        assertThatThrownBy(() -> new Argon2idHasher(2_000_000, 1, 1)).hasMessageStartingWith("memory-kib must be 8-1048576");
        assertThatThrownBy(() -> new Argon2idHasher(64, 0, 1)).hasMessage("iterations must be 1-100 (was 0)");
        assertThatThrownBy(() -> new Argon2idHasher(64, 1, 0)).hasMessage("parallelism must be 1-64 (was 0)");
    }

    @Test
    void owaspMinimumIsAnyOfItsFiveEquivalentConfigurations() {
        assertThat(new Argon2idHasher(47_104, 1, 1).meetsOwaspMinimum()).isTrue();
        assertThat(new Argon2idHasher(19_456, 2, 1).meetsOwaspMinimum()).isTrue();
        assertThat(new Argon2idHasher(12_288, 3, 1).meetsOwaspMinimum()).isTrue();
        assertThat(new Argon2idHasher(9_216, 4, 1).meetsOwaspMinimum()).isTrue();
        assertThat(new Argon2idHasher(7_168, 5, 1).meetsOwaspMinimum()).isTrue();
        assertThat(new Argon2idHasher(19_455, 2, 1).meetsOwaspMinimum()).isFalse();
        assertThat(new Argon2idHasher(19_456, 1, 1).meetsOwaspMinimum()).isFalse();
        assertThat(new Argon2idHasher(64, 1, 1).meetsOwaspMinimum()).isFalse();
    }

    /** The one test that runs the production cost (19 MiB, 2 passes). */
    @Test
    void productionDefaultsAreOwaspMinimumAndVerify() {
        Argon2idHasher defaults = Argon2idHasher.defaults();

        String hash = defaults.hash("correct horse battery staple".toCharArray());

        Argon2idPhc phc = Argon2idPhc.parse(hash).orElseThrow();
        assertThat(hash).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
        assertThat(phc.memoryKib()).isEqualTo(19_456);
        assertThat(phc.iterations()).isEqualTo(2);
        assertThat(phc.parallelism()).isEqualTo(1);
        assertThat(phc.salt()).hasSize(16);
        assertThat(phc.hash()).hasSize(32);
        assertThat(defaults.meetsOwaspMinimum()).isTrue();
        assertThat(defaults.verify("correct horse battery staple".toCharArray(), hash)).isTrue();
        assertThat(defaults.verify("correct horse battery stapler".toCharArray(), hash)).isFalse();
        assertThat(defaults.needsRehash(hash)).isFalse();
        assertThat(defaults.needsRehash(hasher.hash("x".toCharArray()))).isTrue();
    }
}
