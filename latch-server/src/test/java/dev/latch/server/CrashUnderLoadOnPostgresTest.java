package dev.latch.server;

import dev.latch.server.storage.TestDatabase;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/** {@link CrashUnderLoadContract} on a database of its own on the shared PostgreSQL; skipped when PostgreSQL does not answer. */
class CrashUnderLoadOnPostgresTest extends CrashUnderLoadContract {

    private TestDatabase db;

    @Override
    Map<String, String> databaseSettings() {
        return db.settings();
    }

    @Override
    void requireDatabase() {
        TestDatabase.assumePostgresReachable();
        db = TestDatabase.postgres();
    }

    @Override
    String databaseName() {
        return "PostgreSQL";
    }

    @AfterEach
    void dropDatabase() {
        if (db != null) db.close();
    }
}
