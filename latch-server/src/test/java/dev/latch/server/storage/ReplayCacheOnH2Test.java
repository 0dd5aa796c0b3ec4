package dev.latch.server.storage;

/** The {@link ReplayCacheContract} on H2. */
class ReplayCacheOnH2Test extends ReplayCacheContract {

    @Override
    protected TestDatabase createDatabase() {
        return TestDatabase.h2();
    }
}
