package dev.latch.server.refresh;

import java.util.List;

/**
 * Refresh tokens (RFC 6749 §6), stored only as digests and rotated on every use (RFC 9700 §4.14.2):
 * each use retires the token presented and issues its successor in the same family. Presenting a
 * token that was already rotated means a copy is in other hands, so the whole family is revoked.
 * Of two concurrent uses of one token, on any nodes sharing the database, exactly one rotates it.
 */
public interface RefreshTokenStore {

    /**
     * What a family of refresh tokens stands for: one authorization by one user for one client.
     *
     * @param expiresAt absolute end of the family (no token of it is valid afterwards)
     * @param authTime  when the user authenticated (kept for ID tokens issued on refresh, OIDC Core §12.2)
     */
    record Family(String familyId, String clientId, String subject, String scope, List<String> resources, long authTime,
                  String sessionId, List<String> amr, long createdAt, long expiresAt) {}

    /** The outcome of presenting a refresh token. */
    sealed interface Use {
        /** The token was current: it is now rotated and {@code token} is its successor. */
        record Rotated(Family family, String token) implements Use {}
        /** The token had been rotated before: the family is now revoked. */
        record Reused(Family family) implements Use {}
        /** Unknown, expired, revoked, or bound to another client. */
        record Invalid() implements Use {}
    }

    /**
     * Starts a family (its id is generated; {@code family.familyId()} is ignored) and issues its first
     * token, valid until {@code idleExpiresAt} or the family's end, whichever comes first.
     *
     * @return the family as stored and the token
     */
    Use.Rotated start(Family family, long idleExpiresAt);

    /**
     * Presents {@code token} on behalf of {@code clientId}: a current token of that client is rotated,
     * its successor valid for {@code idleSeconds} (never past the family's end).
     */
    default Use use(String token, String clientId, long now, long idleSeconds) {
        return use(token, clientId, now, idleSeconds, family -> {});
    }

    /**
     * As {@link #use(String, String, long, long)}, running {@code check} on a current token's family
     * before rotating it: when the check throws, the token stays as it was and the exception propagates.
     */
    Use use(String token, String clientId, long now, long idleSeconds, java.util.function.Consumer<Family> check);

    /**
     * RFC 7009 §2.1: revokes the family of {@code token} when it is a refresh token of {@code clientId}.
     *
     * @return true when a family was revoked
     */
    boolean revoke(String token, String clientId, long now);

    /** Revokes every token of a family (a replayed authorization code, a reused refresh token). */
    void revokeFamily(String familyId, long now);

    /** Revokes every family of {@code subject} for {@code clientId} (a consent withdrawn); returns how many. */
    int revokeFamilies(String subject, String clientId, long now);

    /** Forgets families that ended before {@code now}, with their tokens. */
    int purgeExpired(long now);
}
