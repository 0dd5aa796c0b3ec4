package dev.latch.server;

import dev.latch.server.storage.TestDatabase;

/** The {@link PurgeContract} on the embedded H2 database. */
class PurgeOnH2Test extends PurgeContract {

    @Override
    TestDatabase createDatabase() {
        return TestDatabase.h2();
    }
}
