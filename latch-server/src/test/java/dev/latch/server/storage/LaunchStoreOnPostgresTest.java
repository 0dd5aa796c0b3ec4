package dev.latch.server.storage;

/** The {@link LaunchStoreContract} on PostgreSQL (skipped when it does not answer). */
class LaunchStoreOnPostgresTest extends LaunchStoreContract {

    @Override
    protected TestDatabase createDatabase() {
        return TestDatabase.postgres();
    }
}
