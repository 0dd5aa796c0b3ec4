package dev.latch.server.storage;

/** The {@link RefreshTokenStoreContract} on H2. */
class RefreshTokenStoreOnH2Test extends RefreshTokenStoreContract {

    @Override
    protected TestDatabase createDatabase() {
        return TestDatabase.h2();
    }
}
