package dev.latch.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.token.RevokedTokens;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the {@link RevokedTokens} deny-list must do, on each database. */
public abstract class RevokedTokensContract extends StoreContract {

    private RevokedTokens revoked;

    @BeforeEach
    void createDenyList() {
        revoked = new RevokedTokens(sql);
    }

    @Test
    void revokeThenRevokedOthersNot() {
        revoked.revoke("jti-1", "client", 1_000);

        assertThat(revoked.isRevoked("jti-1")).isTrue();
        assertThat(revoked.isRevoked("jti-2")).isFalse();
        assertThat(revoked.isRevoked("JTI-1")).isFalse();
    }

    @Test
    void revokeTwiceIsHarmless() {
        revoked.revoke("jti-1", "client", 1_000);
        revoked.revoke("jti-1", "client", 1_000);

        assertThat(revoked.isRevoked("jti-1")).isTrue();
        assertThat(sql.query("SELECT jti FROM revoked_tokens", rs -> rs.getString(1))).hasSize(1);
    }

    @Test
    void purgeExpiredForgetsOnlyTokensThatExpired() {
        revoked.revoke("old", "client", 100);
        revoked.revoke("edge", "client", 200);
        revoked.revoke("young", "client", 300);

        assertThat(revoked.purgeExpired(200)).isEqualTo(1);

        assertThat(revoked.isRevoked("old")).isFalse();
        assertThat(revoked.isRevoked("edge")).isTrue();
        assertThat(revoked.isRevoked("young")).isTrue();
    }
}
