package dev.latch.client.token;

/**
 * A refresh token was answered {@code invalid_grant}: it expired, was revoked or was reused. Only a
 * new authorization (a user signing in again) helps, so this is never retried.
 */
public class ReauthenticationRequiredException extends TokenErrorException {

    public ReauthenticationRequiredException(String errorDescription, String errorUri, int status) {
        super("invalid_grant", errorDescription, errorUri, status);
    }
}
