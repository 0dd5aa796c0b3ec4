package dev.latch.server.storage;

/** The {@link LaunchStoreContract} on H2. */
class LaunchStoreOnH2Test extends LaunchStoreContract {

    @Override
    protected TestDatabase createDatabase() {
        return TestDatabase.h2();
    }
}
