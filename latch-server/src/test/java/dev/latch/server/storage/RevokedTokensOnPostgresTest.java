package dev.latch.server.storage;

/** The {@link RevokedTokensContract} on PostgreSQL (skipped when it does not answer). */
class RevokedTokensOnPostgresTest extends RevokedTokensContract {

    @Override
    protected TestDatabase createDatabase() {
        return TestDatabase.postgres();
    }
}
