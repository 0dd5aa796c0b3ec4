package dev.latch.server.user;

/**
 * The result of checking a username and password. Every outcome but {@link Outcome#SIGNED_IN} must
 * look the same to the person signing in (one message, and the same time: see
 * {@link PasswordHasher#verifyAgainstDummy}); the outcome is for the audit log.
 *
 * @param user the user when the username was found (also for a wrong password), else null
 */
public record Authentication(Outcome outcome, User user) {

    public enum Outcome {
        SIGNED_IN,
        UNKNOWN_USER,
        WRONG_PASSWORD,
        /** The user has no password (declared without one); it cannot sign in with a password. */
        NO_PASSWORD,
        /** The password was right but the user is disabled. */
        DISABLED
    }

    public boolean succeeded() {
        return outcome == Outcome.SIGNED_IN;
    }
}
