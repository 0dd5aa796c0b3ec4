package dev.latch.server.storage;

import dev.latch.server.secret.Secrets;
import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.code.AuthorizationCodeStore.Redemption;
import dev.latch.server.code.ApprovedAuthorization;
import dev.latch.server.code.JdbcAuthorizationCodeStore;
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

/** What every {@link dev.latch.server.code.AuthorizationCodeStore} must do, on each database. */
public abstract class AuthorizationCodeStoreContract extends StoreContract {

    static final ApprovedAuthorization GRANT = new ApprovedAuthorization("app", "sub-1", "https://app.example/cb", "openid profile",
            "nonce-1", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", 1_000, "sid-1", List.of("pwd"),
            List.of("https://api.example"), true);

    private JdbcAuthorizationCodeStore codes;

    @BeforeEach
    void createStore() {
        codes = new JdbcAuthorizationCodeStore(sql);
    }

    @Test
    void firstRedemptionGivesTheGrantBackExactly() {
        String code = codes.issue(GRANT, 1_060);
        assertThat(code).hasSizeGreaterThanOrEqualTo(43);
        assertThat(codes.redeem(code, 1_010)).isEqualTo(new Redemption.Redeemed(GRANT));
    }

    @Test
    void launchContextTravelsWithTheCode() {
        ApprovedAuthorization withLaunch = new ApprovedAuthorization("app", "sub-1", "https://app.example/cb", "openid launch", null, null,
                1_000, "sid-1", List.of("pwd"), List.of(), false, new dev.latch.core.smart.LaunchContext("p2", "e1",
                List.of(java.util.Map.of("reference", "DocumentReference/7")), "review", false, "https://ehr.example/style.json", "north"));
        String code = codes.issue(withLaunch, 1_060);

        assertThat(codes.redeem(code, 1_010)).isEqualTo(new Redemption.Redeemed(withLaunch));
    }

    @Test
    void expireUnredeemedEndsOnlyThatSubjectsLiveCodesForThatClient() {
        String mine = codes.issue(GRANT, 1_060);
        String redeemed = codes.issue(GRANT, 1_060);
        assertThat(codes.redeem(redeemed, 1_005)).isInstanceOf(Redemption.Redeemed.class);
        ApprovedAuthorization other = new ApprovedAuthorization("app", "sub-2", "https://app.example/cb", "openid", null, null, 1_000,
                "sid-2", List.of("pwd"), List.of(), false);
        String someoneElses = codes.issue(other, 1_060);
        ApprovedAuthorization otherApp = new ApprovedAuthorization("app-2", "sub-1", "https://app.example/cb", "openid", null, null, 1_000,
                "sid-1", List.of("pwd"), List.of(), false);
        String anotherApps = codes.issue(otherApp, 1_060);

        assertThat(codes.expireUnredeemed("sub-1", "app", 1_010)).isEqualTo(1);

        assertThat(codes.redeem(mine, 1_011)).isEqualTo(new Redemption.Invalid());
        assertThat(codes.redeem(redeemed, 1_011)).as("a redeemed code stays a replay").isInstanceOf(Redemption.Replayed.class);
        assertThat(codes.redeem(someoneElses, 1_011)).isInstanceOf(Redemption.Redeemed.class);
        assertThat(codes.redeem(anotherApps, 1_011)).isInstanceOf(Redemption.Redeemed.class);
    }

    @Test
    void codeIsStoredOnlyAsADigest() {
        String code = codes.issue(GRANT, 1_060);
        List<String> stored = sql.query("SELECT code_digest FROM authorization_codes", rs -> rs.getString(1));
        assertThat(stored).contains(dev.latch.server.secret.Secrets.digest(code)).doesNotContain(code);
        assertThat(String.join("", sql.query("SELECT grant_data FROM authorization_codes", rs -> rs.getString(1)))).doesNotContain(code);
    }

    @Test
    void secondRedemptionIsAReplayCarryingWhatTheFirstProduced() {
        String code = codes.issue(GRANT, 1_060);
        codes.redeem(code, 1_010);
        codes.recordIssued(code, List.of("jti-a", "jti-b"), "family-1");
        assertThat(codes.redeem(code, 1_020)).isEqualTo(new Redemption.Replayed(GRANT, List.of("jti-a", "jti-b"), "family-1"));
    }

    @Test
    void expiredOrUnknownCodeIsInvalid() {
        String code = codes.issue(GRANT, 1_060);
        assertThat(codes.redeem(code, 1_060)).isInstanceOf(Redemption.Invalid.class);
        assertThat(codes.redeem("not-a-code", 1_000)).isInstanceOf(Redemption.Invalid.class);
    }

    @Test
    void purgeKeepsRedeemedCodesLongEnoughToRecogniseReplays() {
        String code = codes.issue(GRANT, 1_060);
        codes.redeem(code, 1_010);
        assertThat(codes.purgeExpired(2_000)).isZero();
        assertThat(codes.redeem(code, 2_000)).isInstanceOf(Redemption.Replayed.class);
        codes.purgeExpired(1_060 + 24 * 3600 + 1);
        assertThat(codes.redeem(code, 2_000)).isInstanceOf(Redemption.Invalid.class);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void ofConcurrentRedemptionsExactlyOneWins() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 20; round++) {
                String code = codes.issue(GRANT, 10_000);
                CyclicBarrier start = new CyclicBarrier(4);
                List<Future<Redemption>> results = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    results.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        return codes.redeem(code, 1_000);
                    }));
                }
                int won = 0;
                for (Future<Redemption> f : results) {
                    if (f.get(30, TimeUnit.SECONDS) instanceof Redemption.Redeemed) won++;
                }
                assertThat(won).as("round %d", round).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
