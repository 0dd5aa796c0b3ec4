package dev.latch.server.refresh;

import dev.latch.server.storage.BatchDelete;
import dev.latch.core.smart.LaunchContext;
import java.util.List;
import java.util.Optional;

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
     * @param launch    the SMART launch context of the authorization, repeated by every refresh; null when none
     */
    record Family(String familyId, String clientId, String subject, String scope, List<String> resources, long authTime,
                  String sessionId, List<String> amr, long createdAt, long expiresAt, LaunchContext launch) {

        public Family(String familyId, String clientId, String subject, String scope, List<String> resources, long authTime,
                      String sessionId, List<String> amr, long createdAt, long expiresAt) {
            this(familyId, clientId, subject, scope, resources, authTime, sessionId, amr, createdAt, expiresAt, null);
        }

        /** True when the family's tokens work only while the user's sign-in session lives ({@link #onlineOnly(String)}). */
        public boolean onlineOnly() {
            return onlineOnly(scope);
        }

        /**
         * True for a grant of {@code online_access} without {@code offline_access} (SMART App Launch 2.2): its refresh
         * tokens work only while the user stays signed in at Latch.
         */
        public static boolean onlineOnly(String scope) {
            if (scope == null) return false;
            List<String> scopes = List.of(scope.split(" "));
            return scopes.contains("online_access") && !scopes.contains("offline_access");
        }

        /** The launch context, {@link LaunchContext#NONE} when there is none. */
        public LaunchContext launchContext() {
            return launch == null ? LaunchContext.NONE : launch;
        }
    }

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
     * The client {@code token} was issued to, whether it is current, rotated or expired; empty when no such
     * token is stored. A public client may present a refresh token with no credential and no
     * {@code client_id} (RFC 6749 §6 asks authentication only of confidential clients; SMART apps built on
     * fhirclient do this): the token endpoint then treats it as that client's.
     */
    Optional<String> clientOf(String token);

    /**
     * RFC 7009 §2.1: revokes the family of {@code token} when it is a refresh token of {@code clientId},
     * with the access tokens issued under it.
     *
     * @return true when a family was revoked
     */
    boolean revoke(String token, String clientId, long now);

    /**
     * Where the access tokens of a revoked family go: the access-token deny-list by {@code jti}
     * (RFC 7009 §2.1), each kept until the token's own {@code exp}.
     */
    @FunctionalInterface
    interface AccessTokenDenyList {
        void deny(String jti, String clientId, long expiresAt);
    }

    /**
     * Records an access token issued under {@code familyId} (by the code exchange that started the
     * family or by a refresh), so revoking the family revokes it too. Recorded after the family was
     * revoked — a refresh racing with the revocation — it is denied at once.
     */
    void recordAccessToken(String familyId, String clientId, String jti, long expiresAt);

    /**
     * Revokes every token of a family (a replayed authorization code, a reused refresh token), with the
     * access tokens issued under it.
     */
    void revokeFamily(String familyId, long now);

    /**
     * Revokes every family of {@code subject} for {@code clientId} (a consent withdrawn), with their
     * access tokens; returns how many families.
     */
    int revokeFamilies(String subject, String clientId, long now);

    /**
     * The clients holding a usable refresh token of {@code subject} at {@code now} (its family neither revoked nor past its
     * end, the token current and within its idle deadline), sorted.
     */
    List<String> clientsWithLiveFamilies(String subject, long now);

    /** Forgets families that ended before {@code now}, with their tokens, and access-token records past their exp. */
    default int purgeExpired(long now) {
        return purgeExpired(now, BatchDelete.DEFAULT);
    }

    /** As {@link #purgeExpired(long)}, a bounded batch of rows per statement. */
    int purgeExpired(long now, BatchDelete delete);
}
