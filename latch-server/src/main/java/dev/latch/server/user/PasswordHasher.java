package dev.latch.server.user;

/** Hashes and checks human passwords (Argon2id, RFC 9106). */
public interface PasswordHasher {

    /** A PHC-format hash of {@code password} with a fresh random salt. */
    String hash(char[] password);

    /** Constant-time check of {@code password} against a stored PHC hash; false for a malformed hash. */
    boolean verify(char[] password, String hash);

    /** True when {@code hash} was made with weaker parameters than the current ones. */
    boolean needsRehash(String hash);

    /**
     * Costs what {@link #verify} costs for a hash made with the current parameters and always answers
     * false: used where there is no hash to check (unknown user, no password), so that a wrong
     * username cannot be told from a wrong password by the time the answer takes.
     */
    boolean verifyAgainstDummy(char[] password);
}
