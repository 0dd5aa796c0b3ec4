package dev.latch.server.storage;

/** The {@link KeyStoreContract} on PostgreSQL (skipped when it does not answer). */
class KeyStoreOnPostgresTest extends KeyStoreContract {

    @Override
    protected TestDatabase createDatabase() {
        return TestDatabase.postgres();
    }
}
