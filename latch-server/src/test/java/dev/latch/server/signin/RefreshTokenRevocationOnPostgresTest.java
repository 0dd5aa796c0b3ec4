package dev.latch.server.signin;

import dev.latch.server.storage.TestDatabase;
import java.util.Map;

/** {@link RefreshTokenRevocationTest} on PostgreSQL (a fresh schema; skipped when it does not answer). */
class RefreshTokenRevocationOnPostgresTest extends RefreshTokenRevocationTest {

    private TestDatabase database;

    @Override
    Map<String, String> settings() {
        database = TestDatabase.postgres();
        return database.settings();
    }

    @Override
    void closeDatabase() {
        if (database != null) database.close();
    }
}
