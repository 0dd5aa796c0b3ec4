package dev.latch.server.storage;

/** The {@link UserStoreContract} on PostgreSQL (skipped when it does not answer). */
class UserStoreOnPostgresTest extends UserStoreContract {

    @Override
    protected TestDatabase createDatabase() {
        return TestDatabase.postgres();
    }
}
