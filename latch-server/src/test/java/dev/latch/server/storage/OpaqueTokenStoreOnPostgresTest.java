package dev.latch.server.storage;

/** The {@link OpaqueTokenStoreContract} on PostgreSQL (skipped when it does not answer). */
class OpaqueTokenStoreOnPostgresTest extends OpaqueTokenStoreContract {

    @Override
    protected TestDatabase createDatabase() {
        return TestDatabase.postgres();
    }
}
