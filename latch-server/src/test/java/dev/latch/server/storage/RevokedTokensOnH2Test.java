package dev.latch.server.storage;

/** The {@link RevokedTokensContract} on H2. */
class RevokedTokensOnH2Test extends RevokedTokensContract {

    @Override
    protected TestDatabase createDatabase() {
        return TestDatabase.h2();
    }
}
