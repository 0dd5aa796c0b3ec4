package dev.latch.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

/**
 * Which database failures are "unavailable, try again" (answered 503 with Retry-After) and which are
 * server errors: by JDBC exception type and SQLSTATE, anywhere in the cause chain.
 */
class SqlFailureTest {

    @Test
    void aPoolWaitThatTimedOutIsUnavailable() {
        // HikariCP: "Connection is not available, request timed out after 500ms", no SQLSTATE when nothing was tried
        assertThat(Sql.failure(new SQLTransientConnectionException("latch - Connection is not available")))
                .isInstanceOf(Sql.Unavailable.class);
    }

    @Test
    void lostConnectionsShutdownsFullDisksAndLockWaitsAreUnavailable() {
        for (String state : new String[] {"08001", "08006", "57P01", "57P02", "57P03", "53100", "53300", "40001", "40P01", "55P03",
                "HYT00", "90028", "90031", "90098", "90121"}) {
            assertThat(Sql.failure(new SQLException("x", state))).as(state).isInstanceOf(Sql.Unavailable.class);
        }
    }

    @Test
    void aCauseDeepInTheChainCounts() {
        SQLException outer = new SQLException("wrapped", "HY000", new SQLException("disk full", "53100"));
        assertThat(Sql.failure(outer)).isInstanceOf(Sql.Unavailable.class);
    }

    @Test
    void aStorageWriteThatFailedIsUnavailableAndSaysWhy() {
        // H2 on a full disk: General error 50000 around MVStoreException around the file system's IOException
        SQLException h2 = new SQLException("General error: Writing to the file failed", "HY000", 50000,
                new IllegalStateException("Writing failed", new java.io.IOException("No space left on device")));
        assertThat(Sql.failure(h2)).isInstanceOf(Sql.Unavailable.class)
                .hasMessage("General error: Writing to the file failed (No space left on device)");
    }

    @Test
    void constraintAndSyntaxErrorsStayServerErrors() {
        for (String state : new String[] {"23505", "42601", "42P01", "22001", null}) {
            assertThat(Sql.failure(new SQLException("x", state))).as(String.valueOf(state))
                    .isExactlyInstanceOf(Sql.StorageException.class);
        }
    }
}
