package dev.latch.server.storage;

/** The {@link OpaqueTokenStoreContract} on H2. */
class OpaqueTokenStoreOnH2Test extends OpaqueTokenStoreContract {

    @Override
    protected TestDatabase createDatabase() {
        return TestDatabase.h2();
    }
}
