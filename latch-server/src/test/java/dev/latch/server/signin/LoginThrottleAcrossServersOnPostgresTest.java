package dev.latch.server.signin;

import dev.latch.server.storage.TestDatabase;

/** The {@link LoginThrottleAcrossServersContract} on PostgreSQL (skipped when it does not answer, failed on CI: {@link dev.latch.server.RealPart}). */
class LoginThrottleAcrossServersOnPostgresTest extends LoginThrottleAcrossServersContract {

    @Override
    TestDatabase createDatabase() {
        return TestDatabase.postgres();
    }
}
