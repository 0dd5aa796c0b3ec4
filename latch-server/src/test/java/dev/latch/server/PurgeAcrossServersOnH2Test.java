package dev.latch.server;

import dev.latch.server.storage.TestDatabase;

/** The {@link PurgeAcrossServersContract}: two servers in this JVM on one embedded H2 database. */
class PurgeAcrossServersOnH2Test extends PurgeAcrossServersContract {

    @Override
    TestDatabase createDatabase() {
        return TestDatabase.h2();
    }
}
