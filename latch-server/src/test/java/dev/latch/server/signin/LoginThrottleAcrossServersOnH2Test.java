package dev.latch.server.signin;

import dev.latch.server.storage.TestDatabase;

/** The {@link LoginThrottleAcrossServersContract} on one embedded H2 database opened by both servers ({@code AUTO_SERVER}). */
class LoginThrottleAcrossServersOnH2Test extends LoginThrottleAcrossServersContract {

    @Override
    TestDatabase createDatabase() {
        return TestDatabase.h2();
    }
}
