package dev.latch.server.storage;

/** The {@link ScopeCatalogueContract} on PostgreSQL (skipped when it does not answer). */
class ScopeCatalogueOnPostgresTest extends ScopeCatalogueContract {

    @Override
    protected TestDatabase createDatabase() {
        return TestDatabase.postgres();
    }
}
