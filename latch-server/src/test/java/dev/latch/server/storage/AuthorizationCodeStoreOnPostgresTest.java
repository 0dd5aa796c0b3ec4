package dev.latch.server.storage;

/** The {@link AuthorizationCodeStoreContract} on Postgres (skipped when it does not answer). */
class AuthorizationCodeStoreOnPostgresTest extends AuthorizationCodeStoreContract {

    @Override
    protected TestDatabase createDatabase() {
        return TestDatabase.postgres();
    }
}
