package dev.latch.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.LogCapture;
import org.junit.jupiter.api.Test;

/**
 * Opening a PostgreSQL database whose server runs with autovacuum off logs a warning (the janitor's deletes
 * would never free space), and only then: the test reads the setting itself, so it holds on a server with
 * autovacuum on (the default) as on one with it off (the CI machine's). H2 has no such setting.
 */
class AutovacuumWarningTest {

    @Test
    void postgresWarnsExactlyWhenAutovacuumIsOff() {
        try (TestDatabase db = TestDatabase.postgres(); LogCapture log = LogCapture.start(); Database database = db.open()) {
            String setting = database.sql().queryOne("SHOW autovacuum", rs -> rs.getString(1)).orElseThrow();
            boolean off = setting.equals("off");
            if (off) {
                assertThat(database.autovacuumOff()).hasValueSatisfying(w -> assertThat(w).contains("autovacuum off", "VACUUM"));
            } else {
                assertThat(database.autovacuumOff()).as("autovacuum is " + setting).isEmpty();
            }
            assertThat(log.lines()).filteredOn(l -> l.contains("autovacuum off")).hasSize(off ? 1 : 0);
        }
    }

    @Test
    void h2HasNothingToWarnAbout() {
        try (TestDatabase db = TestDatabase.h2(); Database database = db.open()) {
            assertThat(database.autovacuumOff()).isEmpty();
        }
    }
}
