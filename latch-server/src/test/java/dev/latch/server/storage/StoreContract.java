package dev.latch.server.storage;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.opentest4j.TestAbortedException;

/**
 * Base of the store-contract tests: each contract is written once and run by one subclass per
 * database (H2 always, PostgreSQL when it answers). Every test class gets its own fresh, migrated
 * database; every test starts on empty tables.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
public abstract class StoreContract {

    private static final String[] TABLES = {"clients", "scopes", "signing_keys", "used_jtis", "opaque_tokens", "revoked_tokens",
            "refresh_tokens", "refresh_families", "users"};

    protected TestDatabase testDatabase;
    protected Database database;
    protected Sql sql;

    /** Why the database is missing (PostgreSQL not reachable), or null. */
    private TestAbortedException unavailable;

    /** The database this run of the contract uses ({@link TestDatabase#h2()} or {@link TestDatabase#postgres()}). */
    protected abstract TestDatabase createDatabase();

    @BeforeAll
    final void openDatabase() {
        try {
            testDatabase = createDatabase();
        } catch (TestAbortedException e) {
            // skipped test by test (below), so reports list each one as skipped with the reason
            unavailable = e;
            return;
        }
        database = testDatabase.open();
        sql = database.sql();
    }

    @BeforeEach
    final void emptyTables() {
        if (unavailable != null) {
            throw unavailable;
        }
        for (String table : TABLES) {
            sql.update("DELETE FROM " + table);
        }
    }

    @AfterAll
    final void closeDatabase() {
        try {
            if (database != null) database.close();
        } finally {
            if (testDatabase != null) testDatabase.close();
        }
    }
}
