package dev.latch.server.replay;

import dev.latch.server.storage.BatchDelete;

/**
 * Single use of identifiers within their lifetime (RFC 7523 §3 item 7 for assertion {@code jti}).
 * Of two concurrent uses, on any nodes sharing the database, exactly one wins.
 */
public interface ReplayCache {

    /** @return true on first use; false when {@code id} was already used by {@code clientId} */
    boolean firstUse(String clientId, String id, long expiresAt);

    /** Forgets identifiers whose lifetime has ended. */
    default int purgeExpired(long now) {
        return purgeExpired(now, BatchDelete.DEFAULT);
    }

    /** As {@link #purgeExpired(long)}, a bounded batch of rows per statement. */
    int purgeExpired(long now, BatchDelete delete);
}
