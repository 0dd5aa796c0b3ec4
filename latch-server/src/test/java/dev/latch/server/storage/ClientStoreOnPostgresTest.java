package dev.latch.server.storage;

/** The {@link ClientStoreContract} on PostgreSQL (skipped when it does not answer). */
class ClientStoreOnPostgresTest extends ClientStoreContract {

    @Override
    protected TestDatabase createDatabase() {
        return TestDatabase.postgres();
    }
}
