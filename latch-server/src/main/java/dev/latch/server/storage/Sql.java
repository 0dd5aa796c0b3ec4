package dev.latch.server.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Small JDBC helper so stores read as SQL plus mapping, not plumbing. */
public final class Sql {

    /** SQLSTATE for a unique or primary-key violation, in both H2 and PostgreSQL. */
    public static final String UNIQUE_VIOLATION = "23505";

    private static final Logger LOG = LoggerFactory.getLogger(Sql.class);
    /** H2's error code for a statement only an administrator may run. */
    private static final int H2_ADMIN_RIGHTS_REQUIRED = 90040;

    private final DataSource dataSource;
    private volatile boolean flushWrites;
    /** Group flushing: checkpoints begun and finished (see {@link #flush}); written only under {@code flushLock}. */
    private final java.util.concurrent.locks.ReentrantLock flushLock = new java.util.concurrent.locks.ReentrantLock();
    private volatile long checkpointsStarted;
    private volatile long checkpointsDone;
    private volatile Boolean h2;

    /**
     * @param flushWrites for a file-based H2 database: after every write (a statement or a transaction) the
     *                    database's changes are written to its file ({@code CHECKPOINT}) before the call returns,
     *                    so a process killed right after an answer loses nothing it said. H2 itself keeps
     *                    commits in memory for up to its write delay (500 ms); its {@code WRITE_DELAY=0},
     *                    which would do the same, also stops the background thread that compacts the file,
     *                    which then grew by gigabytes within minutes under load (bench/soak.sh)
     */
    public Sql(DataSource dataSource, boolean flushWrites) {
        this.dataSource = dataSource;
        this.flushWrites = flushWrites;
    }

    /** True when the database is H2 (else PostgreSQL), for the few statements whose best form differs. */
    public boolean isH2() {
        Boolean known = h2;
        if (known == null) {
            try (Connection c = dataSource.getConnection()) {
                known = "H2".equals(c.getMetaData().getDatabaseProductName());
            } catch (SQLException e) {
                throw failure(e);
            }
            h2 = known;
        }
        return known;
    }

    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    public <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(mapper.map(rs));
            }
            return out;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    public <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... args) {
        List<T> rows = query(sql, mapper, args);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    public int update(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, sql, args)) {
            int count = ps.executeUpdate();
            flush(c);
            return count;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Inserts a row; false when a row with the same key exists already (the race loser). */
    public boolean insertUnique(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, sql, args)) {
            ps.executeUpdate();
            flush(c);
            return true;
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                return false;
            }
            throw failure(e);
        }
    }

    /** Runs {@code work} in one transaction. */
    public <T> T transaction(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                flush(c);
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /**
     * Writes what the database committed to its file (see {@link #Sql(DataSource, boolean)}), as a group:
     * a caller needs one {@code CHECKPOINT} that <em>started</em> after its commit. One runs at a time (H2
     * serialises them anyway); the callers that committed while it ran wait and are then all covered by the
     * next one, so under load a checkpoint serves many writes instead of each write paying for its own.
     */
    private void flush(Connection c) throws SQLException {
        if (!flushWrites) return;
        long needed = checkpointsStarted + 1;   // read after our commit: that checkpoint, or a later one, covers it
        flushLock.lock();
        try {
            if (checkpointsDone >= needed || !flushWrites) return;
            long mine = ++checkpointsStarted;
            try (Statement s = c.createStatement()) {
                s.execute("CHECKPOINT");
            } catch (SQLException e) {
                if (e.getErrorCode() != H2_ADMIN_RIGHTS_REQUIRED) throw e;
                flushWrites = false;
                LOG.warn("the H2 user is not an administrator, so writes cannot be flushed (CHECKPOINT): commits reach the file"
                        + " within H2's write delay, and a crash may lose the last of them; connect as the database's owner");
            }
            checkpointsDone = mine;
        } finally {
            flushLock.unlock();
        }
    }

    public static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
        return ps;
    }

    public static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    /**
     * The exception a failed statement becomes: {@link Unavailable} when the database cannot serve now but
     * may soon (unreachable, shutting down, out of space, a lock or pool wait that timed out), else a
     * {@link StorageException}.
     */
    public static StorageException failure(SQLException e) {
        return unavailable(e) ? new Unavailable(e) : new StorageException(e);
    }

    /**
     * True for the failures a retry may cure: a connection that could not be had or was lost (JDBC's
     * transient/recoverable connection exceptions, SQLSTATE class 08), storage that failed to read or write
     * (an {@link java.io.IOException} in the causes: H2 on a full disk), PostgreSQL shutting down or
     * starting (57P01–57P03), out of resources (class 53: disk full, memory, connections), lock waits
     * and serialization conflicts (40001, 40P01, 55P03, H2's HYT00); H2's I/O failures (a full disk:
     * 90028, 90031) and a database it closed after one (90098, 90121).
     */
    static boolean unavailable(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.sql.SQLTransientConnectionException || t instanceof java.sql.SQLNonTransientConnectionException
                    || t instanceof java.sql.SQLRecoverableException || t instanceof java.io.IOException) {
                return true;
            }
            if (t instanceof SQLException s && s.getSQLState() != null) {
                String state = s.getSQLState();
                if (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P0") || TRANSIENT_STATES.contains(state)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static final java.util.Set<String> TRANSIENT_STATES = java.util.Set.of(
            "40001", "40P01", "55P03", "HYT00", "90028", "90031", "90098", "90121");

    /** A database failure; callers let it become a server_error. */
    public static class StorageException extends RuntimeException {
        public StorageException(SQLException cause) {
            this(cause.getMessage(), cause);
        }

        StorageException(String message, SQLException cause) {
            super(message, cause);
        }
    }

    /**
     * The database cannot serve now but may soon: the public listener answers {@code 503
     * temporarily_unavailable} with {@code Retry-After} (an error page on browser routes), never a 500.
     */
    public static final class Unavailable extends StorageException {
        /** The message (for the log) ends with the first cause's own words when they differ, e.g. "No space left on device". */
        public Unavailable(SQLException cause) {
            super(withRootCause(cause), cause);
        }

        private static String withRootCause(SQLException cause) {
            Throwable root = cause;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String message = String.valueOf(cause.getMessage());
            return root == cause || root.getMessage() == null || message.contains(root.getMessage())
                    ? message : message + " (" + root.getMessage() + ")";
        }
    }
}
