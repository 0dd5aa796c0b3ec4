package dev.latch.server.user;

/** A user, username, claim, role or password that breaks a rule; the message is one line naming it. */
public final class InvalidUserException extends IllegalArgumentException {

    public InvalidUserException(String message) {
        super(message);
    }
}
