package dev.latch.server.user;

import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Argon2id hash in the PHC string format, as the reference implementation and the common
 * libraries (argon2-cffi, node argon2, libsodium, RustCrypto) write it:
 * {@code $argon2id$v=19$m=<KiB>,t=<iterations>,p=<parallelism>$<salt>$<hash>}, salt and hash in
 * standard base64 without padding (PHC string format, "B64"). Version 19 (0x13, RFC 9106) only.
 *
 * <p>{@link #parse} is strict and bounded: a stored hash whose parameters would make one
 * verification take gigabytes or minutes is refused as malformed rather than run.
 */
record Argon2idPhc(int memoryKib, int iterations, int parallelism, byte[] salt, byte[] hash) {

    static final int VERSION = 0x13;
    /** RFC 9106 §3.1: salt at least 8 bytes; the hash (tag) at least 4, but fewer than 16 is no password hash. */
    static final int MIN_SALT = 8;
    static final int MAX_SALT = 64;
    static final int MIN_HASH = 16;
    static final int MAX_HASH = 64;
    /** Bounds on what is run (and configured): 1 GiB of memory, 100 passes, 64 lanes. */
    static final int MAX_MEMORY_KIB = 1024 * 1024;
    static final int MAX_ITERATIONS = 100;
    static final int MAX_PARALLELISM = 64;

    private static final String NUMBER = "(0|[1-9][0-9]{0,9})";
    private static final String B64 = "([A-Za-z0-9+/]+)";
    private static final Pattern FORMAT = Pattern.compile(
            "\\$argon2id\\$v=19\\$m=" + NUMBER + ",t=" + NUMBER + ",p=" + NUMBER + "\\$" + B64 + "\\$" + B64);

    /** The parsed hash, or empty when {@code text} is not a well-formed Argon2id v19 PHC string within the bounds. */
    static Optional<Argon2idPhc> parse(String text) {
        if (text == null || text.length() > 400) {
            return Optional.empty();
        }
        Matcher m = FORMAT.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        long memory = Long.parseLong(m.group(1));
        long iterations = Long.parseLong(m.group(2));
        long parallelism = Long.parseLong(m.group(3));
        if (parallelism < 1 || parallelism > MAX_PARALLELISM || iterations < 1 || iterations > MAX_ITERATIONS
                || memory < 8 * parallelism || memory > MAX_MEMORY_KIB) {
            return Optional.empty();
        }
        byte[] salt = decode(m.group(4));
        byte[] hash = decode(m.group(5));
        if (salt == null || hash == null || salt.length < MIN_SALT || salt.length > MAX_SALT
                || hash.length < MIN_HASH || hash.length > MAX_HASH) {
            return Optional.empty();
        }
        return Optional.of(new Argon2idPhc((int) memory, (int) iterations, (int) parallelism, salt, hash));
    }

    /** The PHC string. */
    String encode() {
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return "$argon2id$v=19$m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism
                + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    }

    @Override
    public String toString() {
        // a hash is not a password, but it is what an offline attack starts from: keep it out of logs
        return "Argon2idPhc[m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism + "]";
    }

    /** PHC "B64": no padding, and a length that is a whole number of bits (never 1 mod 4). */
    private static byte[] decode(String b64) {
        if (b64.length() % 4 == 1) {
            return null;
        }
        try {
            return Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
