package dev.latch.server;

import dev.latch.server.storage.TestDatabase;

/** The {@link PurgeAcrossServersContract} on PostgreSQL (skipped when it does not answer, failed on CI: {@link RealPart}). */
class PurgeAcrossServersOnPostgresTest extends PurgeAcrossServersContract {

    @Override
    TestDatabase createDatabase() {
        return TestDatabase.postgres();
    }
}
