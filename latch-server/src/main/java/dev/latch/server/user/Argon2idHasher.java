package dev.latch.server.user;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.Optional;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashing (RFC 9106) on BouncyCastle's {@link Argon2BytesGenerator}, stored as PHC
 * strings ({@link Argon2idPhc}) that other Argon2 libraries read and write: a 16-byte random salt and
 * a 32-byte hash, compared in constant time.
 *
 * <p>Passwords are normalised to Unicode NFC before hashing (RFC 8265 §4.2, OpaqueString), so the
 * same password typed on two keyboards that compose "é" differently is the same password; ASCII
 * passwords are unchanged, so hashes of them interoperate byte for byte.
 *
 * <p>The defaults are OWASP's minimum for Argon2id (Password Storage Cheat Sheet): 19 MiB (19456
 * KiB), 2 iterations, parallelism 1. BouncyCastle computes lanes one after another, so parallelism
 * above 1 only divides the memory into lanes; it makes nothing faster here.
 */
public final class Argon2idHasher implements PasswordHasher {

    public static final int DEFAULT_MEMORY_KIB = 19_456;
    public static final int DEFAULT_ITERATIONS = 2;
    public static final int DEFAULT_PARALLELISM = 1;
    public static final int SALT_BYTES = 16;
    public static final int HASH_BYTES = 32;
    public static final int MAX_MEMORY_KIB = Argon2idPhc.MAX_MEMORY_KIB;
    public static final int MAX_ITERATIONS = Argon2idPhc.MAX_ITERATIONS;
    public static final int MAX_PARALLELISM = Argon2idPhc.MAX_PARALLELISM;

    /**
     * OWASP's five equally strong Argon2id configurations (memory KiB, iterations; parallelism 1):
     * parameters at least as high as one of them are at least OWASP's minimum.
     */
    private static final int[][] OWASP_MINIMUMS = {{47_104, 1}, {19_456, 2}, {12_288, 3}, {9_216, 4}, {7_168, 5}};

    private static final SecureRandom RANDOM = new SecureRandom();

    private final int memoryKib;
    private final int iterations;
    private final int parallelism;

    /**
     * @throws IllegalArgumentException when the parameters are outside what Argon2 allows or what
     *                                  this server runs (see {@link #MAX_MEMORY_KIB} and friends)
     */
    public Argon2idHasher(int memoryKib, int iterations, int parallelism) {
        if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
            throw new IllegalArgumentException("parallelism must be 1-" + MAX_PARALLELISM + " (was " + parallelism + ")");
        }
        if (iterations < 1 || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be 1-" + MAX_ITERATIONS + " (was " + iterations + ")");
        }
        if (memoryKib < 8 * parallelism || memoryKib > MAX_MEMORY_KIB) {
            throw new IllegalArgumentException("memory-kib must be " + 8 * parallelism + "-" + MAX_MEMORY_KIB
                    + " (at least 8 × parallelism; was " + memoryKib + ")");
        }
        this.memoryKib = memoryKib;
        this.iterations = iterations;
        this.parallelism = parallelism;
    }

    /** OWASP's minimum: m=19456 KiB, t=2, p=1. */
    public static Argon2idHasher defaults() {
        return new Argon2idHasher(DEFAULT_MEMORY_KIB, DEFAULT_ITERATIONS, DEFAULT_PARALLELISM);
    }

    public int memoryKib() { return memoryKib; }
    public int iterations() { return iterations; }
    public int parallelism() { return parallelism; }

    /** True when these parameters are at least one of OWASP's recommended Argon2id configurations. */
    public boolean meetsOwaspMinimum() {
        for (int[] min : OWASP_MINIMUMS) {
            if (memoryKib >= min[0] && iterations >= min[1]) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String hash(char[] password) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return hash(password, salt);
    }

    /** With a given salt: for checking against other implementations' known answers. */
    String hash(char[] password, byte[] salt) {
        byte[] raw = derive(password, salt, memoryKib, iterations, parallelism, HASH_BYTES);
        if (raw == null) {
            throw new IllegalArgumentException("the password is not valid Unicode text");
        }
        return new Argon2idPhc(memoryKib, iterations, parallelism, salt, raw).encode();
    }

    @Override
    public boolean verify(char[] password, String hash) {
        Optional<Argon2idPhc> phc = Argon2idPhc.parse(hash);
        if (phc.isEmpty() || password == null) {
            return false;
        }
        Argon2idPhc p = phc.get();
        byte[] raw = derive(password, p.salt(), p.memoryKib(), p.iterations(), p.parallelism(), p.hash().length);
        return raw != null && MessageDigest.isEqual(raw, p.hash());
    }

    /**
     * Does the work of verifying {@code password} against a hash made with the current parameters,
     * and returns false: for an unknown user, a disabled one or one without a password, so that the
     * answer takes as long as for a wrong password (no user enumeration by timing).
     */
    @Override
    public boolean verifyAgainstDummy(char[] password) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        byte[] expected = new byte[HASH_BYTES];
        RANDOM.nextBytes(expected);
        byte[] raw = derive(password == null ? new char[0] : password, salt, memoryKib, iterations, parallelism, HASH_BYTES);
        // compared like a real verification, so that the work is the same; the answer is no whatever it says
        boolean ignored = raw != null && MessageDigest.isEqual(raw, expected);
        return false;
    }

    /**
     * True for a hash that should be replaced at the next successful sign-in: not a readable Argon2id
     * PHC string, or made with less memory, fewer iterations, lower parallelism, a shorter salt or a
     * shorter hash than this hasher uses.
     */
    @Override
    public boolean needsRehash(String hash) {
        Optional<Argon2idPhc> phc = Argon2idPhc.parse(hash);
        if (phc.isEmpty()) {
            return true;
        }
        Argon2idPhc p = phc.get();
        return p.memoryKib() < memoryKib || p.iterations() < iterations || p.parallelism() < parallelism
                || p.salt().length < SALT_BYTES || p.hash().length < HASH_BYTES;
    }

    /** True when {@code hash} is an Argon2id PHC string this hasher can verify. */
    public static boolean wellFormed(String hash) {
        return Argon2idPhc.parse(hash).isPresent();
    }

    /** The raw Argon2id output, or null when the password is not valid UTF-16 (a lone surrogate). */
    private static byte[] derive(char[] password, byte[] salt, int memoryKib, int iterations, int parallelism, int length) {
        byte[] bytes = utf8(password);
        if (bytes == null) {
            return null;
        }
        try {
            Argon2BytesGenerator generator = new Argon2BytesGenerator();
            generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                    .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                    .withMemoryAsKB(memoryKib).withIterations(iterations).withParallelism(parallelism)
                    .withSalt(salt).build());
            byte[] out = new byte[length];
            generator.generateBytes(bytes, out);
            return out;
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** NFC, then UTF-8, without leaving a copy of the password in a String where it can be avoided. */
    private static byte[] utf8(char[] password) {
        CharBuffer chars = CharBuffer.wrap(password);
        if (!Normalizer.isNormalized(chars, Normalizer.Form.NFC)) {
            chars = CharBuffer.wrap(Normalizer.normalize(chars, Normalizer.Form.NFC));
        }
        CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer encoded;
        try {
            encoded = encoder.encode(chars);
        } catch (CharacterCodingException e) {
            return null;
        }
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        if (encoded.hasArray()) {
            Arrays.fill(encoded.array(), (byte) 0);
        }
        return bytes;
    }
}
