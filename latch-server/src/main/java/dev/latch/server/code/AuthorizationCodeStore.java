package dev.latch.server.code;

import dev.latch.server.storage.BatchDelete;
import java.util.List;
import java.util.Optional;

/**
 * Authorization codes: at most 60 s valid, single use; stored only as digests. Of two concurrent
 * redemptions, on any nodes sharing the database, exactly one wins.
 */
public interface AuthorizationCodeStore {

    /** Issues a new code (256 random bits) for {@code grant}, valid until {@code expiresAt}. */
    String issue(ApprovedAuthorization grant, long expiresAt);

    /** The outcome of presenting a code. */
    sealed interface Redemption {
        /** First, timely use: the caller issues tokens and then calls {@link #recordIssued}. */
        record Redeemed(ApprovedAuthorization grant) implements Redemption {}
        /** The code was used before: what that use produced must be revoked (RFC 6749 §4.1.2, RFC 9700 §4.5). */
        record Replayed(ApprovedAuthorization grant, List<String> issuedJtis, String refreshFamily) implements Redemption {}
        /** Unknown or expired. */
        record Invalid() implements Redemption {}
    }

    Redemption redeem(String code, long now);

    /** Records what the redemption of {@code code} produced (access token jtis, refresh-token family). */
    void recordIssued(String code, List<String> accessTokenJtis, String refreshFamily);

    /** Forgets codes that expired before {@code now} (after keeping them long enough to detect replays). */
    default int purgeExpired(long now) {
        return purgeExpired(now, BatchDelete.DEFAULT);
    }

    /** As {@link #purgeExpired(long)}, a bounded batch of rows per statement. */
    int purgeExpired(long now, BatchDelete delete);

    Optional<ApprovedAuthorization> peek(String code);

    /**
     * Ends the codes issued to {@code clientId} for {@code subject} that are not redeemed yet (an approval withdrawn: a code
     * issued a moment before must not start a new grant); returns how many.
     */
    int expireUnredeemed(String subject, String clientId, long now);
}
