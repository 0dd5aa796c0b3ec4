package dev.latch.server.storage;

/** The {@link ReplayCacheContract} on PostgreSQL (skipped when it does not answer). */
class ReplayCacheOnPostgresTest extends ReplayCacheContract {

    @Override
    protected TestDatabase createDatabase() {
        return TestDatabase.postgres();
    }
}
