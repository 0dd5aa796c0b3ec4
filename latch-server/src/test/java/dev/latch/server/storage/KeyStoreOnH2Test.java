package dev.latch.server.storage;

/** The {@link KeyStoreContract} on H2. */
class KeyStoreOnH2Test extends KeyStoreContract {

    @Override
    protected TestDatabase createDatabase() {
        return TestDatabase.h2();
    }
}
