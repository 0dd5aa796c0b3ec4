package dev.latch.server.storage;

/** The {@link ScopeCatalogueContract} on H2. */
class ScopeCatalogueOnH2Test extends ScopeCatalogueContract {

    @Override
    protected TestDatabase createDatabase() {
        return TestDatabase.h2();
    }
}
