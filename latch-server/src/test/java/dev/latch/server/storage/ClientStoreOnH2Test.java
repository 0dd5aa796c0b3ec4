package dev.latch.server.storage;

/** The {@link ClientStoreContract} on H2. */
class ClientStoreOnH2Test extends ClientStoreContract {

    @Override
    protected TestDatabase createDatabase() {
        return TestDatabase.h2();
    }
}
