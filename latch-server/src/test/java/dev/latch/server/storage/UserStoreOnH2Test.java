package dev.latch.server.storage;

/** The {@link UserStoreContract} on H2. */
class UserStoreOnH2Test extends UserStoreContract {

    @Override
    protected TestDatabase createDatabase() {
        return TestDatabase.h2();
    }
}
