package dev.latch.server;

import java.util.Map;

/** {@link CrashUnderLoadContract} on the embedded H2 database in the data directory. */
class CrashUnderLoadOnH2Test extends CrashUnderLoadContract {

    @Override
    Map<String, String> databaseSettings() {
        return Map.of();
    }

    @Override
    void requireDatabase() {
        // embedded: always there
    }

    @Override
    String databaseName() {
        return "H2";
    }
}
