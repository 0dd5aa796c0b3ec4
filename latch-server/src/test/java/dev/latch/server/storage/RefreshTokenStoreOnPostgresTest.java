package dev.latch.server.storage;

/** The {@link RefreshTokenStoreContract} on Postgres (skipped when it does not answer). */
class RefreshTokenStoreOnPostgresTest extends RefreshTokenStoreContract {

    @Override
    protected TestDatabase createDatabase() {
        return TestDatabase.postgres();
    }
}
