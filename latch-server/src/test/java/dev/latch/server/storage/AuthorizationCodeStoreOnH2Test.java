package dev.latch.server.storage;

/** The {@link AuthorizationCodeStoreContract} on H2. */
class AuthorizationCodeStoreOnH2Test extends AuthorizationCodeStoreContract {

    @Override
    protected TestDatabase createDatabase() {
        return TestDatabase.h2();
    }
}
