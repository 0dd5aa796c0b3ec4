package dev.latch.server;

import dev.latch.server.storage.TestDatabase;

/** The {@link PurgeContract} on PostgreSQL (skipped when it does not answer, failed on CI: {@link RealPart}). */
class PurgeOnPostgresTest extends PurgeContract {

    @Override
    TestDatabase createDatabase() {
        return TestDatabase.postgres();
    }
}
