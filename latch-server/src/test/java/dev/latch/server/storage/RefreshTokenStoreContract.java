package dev.latch.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.secret.Secrets;
import dev.latch.server.refresh.JdbcRefreshTokenStore;
import dev.latch.server.refresh.RefreshTokenStore.Family;
import dev.latch.server.refresh.RefreshTokenStore.Use;
import dev.latch.server.token.RevokedTokens;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What every {@link dev.latch.server.refresh.RefreshTokenStore} must do, on each database. */
public abstract class RefreshTokenStoreContract extends StoreContract {

    static final Family FAMILY = new Family(null, "app", "sub-1", "openid offline_access", List.of("https://api.example"),
            900, "sid-1", List.of("pwd"), 1_000, 1_000 + 90 * 86_400);
    static final long IDLE = 3_600;

    private JdbcRefreshTokenStore store;
    private RevokedTokens revoked;

    @BeforeEach
    void createStore() {
        revoked = new RevokedTokens(sql);
        store = new JdbcRefreshTokenStore(sql, revoked::revoke);
    }

    @Test
    void launchContextIsKeptByTheFamilyThroughRotations() {
        Family withLaunch = new Family(null, "app", "sub-1", "openid launch", List.of(), 900, "sid-1", List.of("pwd"), 1_000,
                1_000 + 86_400, new dev.latch.core.smart.LaunchContext("p2", "e1",
                List.of(java.util.Map.of("reference", "DocumentReference/7")), "review", false, "https://ehr.example/style.json", "north"));
        String token = store.start(withLaunch, 1_000 + IDLE).token();
        Use.Rotated first = (Use.Rotated) store.use(token, "app", 1_100, IDLE);
        Use.Rotated second = (Use.Rotated) store.use(first.token(), "app", 1_200, IDLE);

        assertThat(first.family().launch()).isEqualTo(withLaunch.launch());
        assertThat(second.family().launch()).isEqualTo(withLaunch.launch());
        assertThat(store.start(FAMILY, 1_000 + IDLE).family().launch()).isNull();
    }

    @Test
    void startedFamilyKeepsWhatItStandsFor() {
        Use.Rotated started = store.start(FAMILY, 1_000 + IDLE);
        assertThat(started.token()).hasSizeGreaterThanOrEqualTo(43);
        Use used = store.use(started.token(), "app", 1_010, IDLE);
        assertThat(used).isInstanceOf(Use.Rotated.class);
        Family f = ((Use.Rotated) used).family();
        assertThat(f.familyId()).isEqualTo(started.family().familyId()).isNotNull();
        assertThat(f).usingRecursiveComparison().ignoringFields("familyId").isEqualTo(FAMILY);
    }

    @Test
    void tokensAreStoredOnlyAsDigests() {
        Use.Rotated started = store.start(FAMILY, 1_000 + IDLE);
        String next = ((Use.Rotated) store.use(started.token(), "app", 1_010, IDLE)).token();
        List<String> digests = sql.query("SELECT token_digest FROM refresh_tokens", rs -> rs.getString(1));
        assertThat(digests).containsExactlyInAnyOrder(Secrets.digest(started.token()), Secrets.digest(next));
        String families = String.join("", sql.query("SELECT grant_data FROM refresh_families", rs -> rs.getString(1)));
        assertThat(families).doesNotContain(started.token()).doesNotContain(next);
    }

    @Test
    void eachUseRotatesAndTheSuccessorWorks() {
        String t1 = store.start(FAMILY, 1_000 + IDLE).token();
        String t2 = ((Use.Rotated) store.use(t1, "app", 1_010, IDLE)).token();
        String t3 = ((Use.Rotated) store.use(t2, "app", 1_020, IDLE)).token();
        assertThat(List.of(t1, t2, t3)).doesNotHaveDuplicates();
    }

    @Test
    void reusingARotatedTokenRevokesTheWholeFamily() {
        String t1 = store.start(FAMILY, 1_000 + IDLE).token();
        String t2 = ((Use.Rotated) store.use(t1, "app", 1_010, IDLE)).token();
        assertThat(store.use(t1, "app", 1_020, IDLE)).isInstanceOf(Use.Reused.class);
        assertThat(store.use(t2, "app", 1_030, IDLE)).isInstanceOf(Use.Invalid.class);
    }

    @Test
    void anotherClientPresentingTheTokenIsInvalidAndChangesNothing() {
        String t1 = store.start(FAMILY, 1_000 + IDLE).token();
        assertThat(store.use(t1, "other", 1_010, IDLE)).isInstanceOf(Use.Invalid.class);
        assertThat(store.use(t1, "app", 1_020, IDLE)).isInstanceOf(Use.Rotated.class);
    }

    @Test
    void idleDeadlineEndsAToken() {
        String t1 = store.start(FAMILY, 1_000 + IDLE).token();
        assertThat(store.use(t1, "app", 1_000 + IDLE, IDLE)).isInstanceOf(Use.Invalid.class);
        String fresh = store.start(FAMILY, 1_000 + IDLE).token();
        assertThat(store.use(fresh, "app", 1_000 + IDLE - 1, IDLE)).isInstanceOf(Use.Rotated.class);
    }

    @Test
    void absoluteEndOfTheFamilyCapsEverySuccessor() {
        Family shortLived = new Family(null, "app", "sub-1", "openid", List.of(), 900, null, List.of(), 1_000, 1_100);
        String t1 = store.start(shortLived, 1_000 + IDLE).token();
        String t2 = ((Use.Rotated) store.use(t1, "app", 1_050, IDLE)).token();
        assertThat(store.use(t2, "app", 1_100, IDLE)).isInstanceOf(Use.Invalid.class);
    }

    @Test
    void revokedFamiliesOfAUserAndClientStopWorking() {
        String t1 = store.start(FAMILY, 1_000 + IDLE).token();
        String other = store.start(new Family(null, "other", "sub-1", "openid", List.of(), 900, null, List.of(), 1_000, 9_999_999), 9_999_999).token();
        assertThat(store.revokeFamilies("sub-1", "app", 1_005)).isEqualTo(1);
        assertThat(store.use(t1, "app", 1_010, IDLE)).isInstanceOf(Use.Invalid.class);
        assertThat(store.use(other, "other", 1_010, IDLE)).isInstanceOf(Use.Rotated.class);
    }

    @Test
    void revokingOneTokenRevokesItsFamilyForItsOwnClientOnly() {
        String t1 = store.start(FAMILY, 1_000 + IDLE).token();
        assertThat(store.revoke(t1, "other", 1_005)).isFalse();
        assertThat(store.revoke("unknown", "app", 1_005)).isFalse();
        String t2 = ((Use.Rotated) store.use(t1, "app", 1_010, IDLE)).token();
        assertThat(store.revoke(t2, "app", 1_020)).isTrue();
        assertThat(store.use(t2, "app", 1_030, IDLE)).isInstanceOf(Use.Invalid.class);
    }

    @Test
    void purgeForgetsEndedFamiliesOnly() {
        Family shortLived = new Family(null, "app", "sub-1", "openid", List.of(), 900, null, List.of(), 1_000, 1_100);
        store.start(shortLived, 1_100);
        String kept = store.start(FAMILY, 1_000 + IDLE).token();
        assertThat(store.purgeExpired(1_101)).isEqualTo(1);
        assertThat(sql.query("SELECT family_id FROM refresh_families", rs -> rs.getString(1))).hasSize(1);
        assertThat(store.use(kept, "app", 1_200, IDLE)).isInstanceOf(Use.Rotated.class);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void ofConcurrentUsesOfOneTokenExactlyOneRotatesIt() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 20; round++) {
                String token = store.start(FAMILY, 1_000 + IDLE).token();
                CyclicBarrier start = new CyclicBarrier(4);
                List<Future<Use>> results = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    results.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        return store.use(token, "app", 1_010, IDLE);
                    }));
                }
                int rotated = 0;
                for (Future<Use> f : results) {
                    if (f.get(30, TimeUnit.SECONDS) instanceof Use.Rotated) rotated++;
                }
                assertThat(rotated).as("round %d", round).isEqualTo(1);
                assertThat(sql.query("SELECT token_digest FROM refresh_tokens WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_digest = ?)",
                        rs -> rs.getString(1), Secrets.digest(token))).as("round %d: one successor", round).hasSize(2);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // --- RFC 7009 §2.1: the access tokens issued under a family go with it ---

    @Test
    void revokedRefreshTokenThenTheAccessTokensOfItsFamilyAreDeniedAndOthersAreNot() {
        Use.Rotated started = store.start(FAMILY, 1_000 + IDLE);
        String familyId = started.family().familyId();
        store.recordAccessToken(familyId, "app", "at-from-code", 1_300);
        String next = ((Use.Rotated) store.use(started.token(), "app", 1_010, IDLE)).token();
        store.recordAccessToken(familyId, "app", "at-from-refresh", 1_310);
        Use.Rotated other = store.start(FAMILY, 1_000 + IDLE);
        store.recordAccessToken(other.family().familyId(), "app", "at-of-another-grant", 1_300);

        assertThat(store.revoke(next, "app", 1_020)).isTrue();

        assertThat(revoked.isRevoked("at-from-code")).isTrue();
        assertThat(revoked.isRevoked("at-from-refresh")).isTrue();
        assertThat(revoked.isRevoked("at-of-another-grant")).isFalse();
        assertThat(sql.query("SELECT expires_at FROM revoked_tokens WHERE jti = ?", rs -> rs.getLong(1), "at-from-refresh"))
                .as("kept until the token's own exp").containsExactly(1_310L);
    }

    @Test
    void revokedByAnotherClientThenNoAccessTokenIsDenied() {
        Use.Rotated started = store.start(FAMILY, 1_000 + IDLE);
        store.recordAccessToken(started.family().familyId(), "app", "at-1", 1_300);
        assertThat(store.revoke(started.token(), "other", 1_005)).isFalse();
        assertThat(revoked.isRevoked("at-1")).isFalse();
    }

    @Test
    void accessTokenRecordedAfterItsFamilyWasRevokedThenDeniedAtOnce() {
        Use.Rotated started = store.start(FAMILY, 1_000 + IDLE);
        store.revokeFamily(started.family().familyId(), 1_005);
        // a refresh that passed its check before the revocation and issues its access token after it
        store.recordAccessToken(started.family().familyId(), "app", "late", 1_300);
        assertThat(revoked.isRevoked("late")).isTrue();
    }

    @Test
    void reusedRefreshTokenAndWithdrawnConsentThenTheFamiliesAccessTokensAreDenied() {
        Use.Rotated started = store.start(FAMILY, 1_000 + IDLE);
        store.recordAccessToken(started.family().familyId(), "app", "before-reuse", 1_300);
        store.use(started.token(), "app", 1_010, IDLE);
        assertThat(store.use(started.token(), "app", 1_020, IDLE)).isInstanceOf(Use.Reused.class);
        assertThat(revoked.isRevoked("before-reuse")).isTrue();

        Use.Rotated consented = store.start(FAMILY, 1_000 + IDLE);
        store.recordAccessToken(consented.family().familyId(), "app", "before-withdrawal", 1_300);
        store.revokeFamilies("sub-1", "app", 1_030);
        assertThat(revoked.isRevoked("before-withdrawal")).isTrue();
    }

    @Test
    void purgeForgetsAccessTokenRecordsPastTheirExpiry() {
        Use.Rotated started = store.start(FAMILY, 1_000 + IDLE);
        store.recordAccessToken(started.family().familyId(), "app", "short", 1_100);
        store.recordAccessToken(started.family().familyId(), "app", "long", 1_500);
        store.purgeExpired(1_200);
        assertThat(sql.query("SELECT jti FROM family_access_tokens WHERE jti IN ('short', 'long')", rs -> rs.getString(1)))
                .containsExactly("long");
    }
}
