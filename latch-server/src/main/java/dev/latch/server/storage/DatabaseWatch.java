package dev.latch.server.storage;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Tells "the database is down" from "every pooled connection is busy", which a pool's wait cannot: a
 * connection of its own, checked every {@link #INTERVAL_MILLIS} ms, says whether the database answers.
 * While it does not, a request asking for a connection is refused at once (and so answered 503), and the
 * requests already waiting for one are woken and refused too; a busy pool, on the other hand, keeps a
 * request waiting up to {@code database.connection-timeout}, so a moment of overload is a slow answer, not
 * an error. {@link #guard} is the data source every store uses.
 */
final class DatabaseWatch implements AutoCloseable {

    static final long INTERVAL_MILLIS = 250;
    /** The longest one check waits for the database's answer. */
    private static final int CHECK_SECONDS = 1;

    /** A request waiting in the pool; {@code lock} orders the watch's interrupt before the waiter's clean-up. */
    private static final class Waiter {
        boolean waiting = true;
        boolean interrupted;
    }

    private final String url;
    private final DataSource pool;
    private final Properties properties;
    private final Map<Thread, Waiter> waiters = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean down;
    private volatile boolean closed;
    private Connection probe;

    /**
     * @param pool the pool the watch guards, or null: while the database is down it is also asked, since it may
     *             reach the database again before the watch's own connection does (H2 reopening its file after
     *             a full disk through a pooled connection while a new connection of the watch still fails)
     */
    DatabaseWatch(String url, String user, String password, DataSource pool) {
        this.url = url;
        this.pool = pool;
        this.properties = new Properties();
        if (user != null) properties.setProperty("user", user);
        if (password != null) properties.setProperty("password", password);
        if (url.startsWith("jdbc:postgresql:")) {
            properties.setProperty("connectTimeout", Integer.toString(CHECK_SECONDS));
            properties.setProperty("socketTimeout", Integer.toString(CHECK_SECONDS + 1));
        }
        this.thread = Thread.ofPlatform().daemon().name("latch-database-watch").unstarted(this::run);
    }

    DatabaseWatch start() {
        thread.start();
        return this;
    }

    /** True until {@link #close()} has stopped the checks. */
    boolean running() {
        return thread.isAlive();
    }

    /** True while the last check found the database not answering. */
    boolean down() {
        return down;
    }

    private void run() {
        // true while the database answers through the pool but not yet through the watch's own connection (after a
        // recovery, e.g. H2 reopening a database it closed on a full disk): the pool keeps deciding until the own
        // connection answers again, instead of the watch saying down and up on every other check
        boolean upByPool = false;
        while (!closed) {
            boolean own = check();
            boolean answers = own || ((down || upByPool) && poolAnswers());
            upByPool = !own && answers;
            if (!answers && !down) {
                down = true;
                waiters.forEach((t, w) -> {
                    synchronized (w) {
                        if (w.waiting) {
                            w.interrupted = true;
                            t.interrupt();
                        }
                    }
                });
            } else if (answers) {
                down = false;
            }
            try {
                Thread.sleep(INTERVAL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private boolean check() {
        try {
            if (probe == null) {
                probe = DriverManager.getConnection(url, properties);
            }
            if (answers(probe)) {
                return true;
            }
        } catch (SQLException | RuntimeException e) {
            // not answering: try a new connection next time
        }
        closeProbe();
        return false;
    }

    /** One statement on a pooled connection (waiting at most the pool's own timeout): the database answers again. */
    private boolean poolAnswers() {
        if (pool == null) return false;
        try (Connection c = pool.getConnection()) {
            return answers(c);
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    /** One {@code SELECT 1}, not {@code isValid()}: H2 may call a session valid whose database it closed after a write failed. */
    private static boolean answers(Connection c) throws SQLException {
        try (java.sql.Statement st = c.createStatement()) {
            st.setQueryTimeout(CHECK_SECONDS);
            try (java.sql.ResultSet rs = st.executeQuery("SELECT 1")) {
                return rs.next();
            }
        }
    }

    private void closeProbe() {
        if (probe != null) {
            try {
                probe.close();
            } catch (SQLException | RuntimeException ignored) {
                // already gone
            }
            probe = null;
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeProbe();
    }

    /** {@code pool}'s connections, refused at once while the database is down. */
    DataSource guard(DataSource pool) {
        return new DataSource() {
            @Override
            public Connection getConnection() throws SQLException {
                return borrow(pool, null, null);
            }

            @Override
            public Connection getConnection(String username, String password) throws SQLException {
                return borrow(pool, username, password);
            }

            @Override public PrintWriter getLogWriter() throws SQLException { return pool.getLogWriter(); }
            @Override public void setLogWriter(PrintWriter out) throws SQLException { pool.setLogWriter(out); }
            @Override public void setLoginTimeout(int seconds) throws SQLException { pool.setLoginTimeout(seconds); }
            @Override public int getLoginTimeout() throws SQLException { return pool.getLoginTimeout(); }
            @Override public Logger getParentLogger() throws SQLFeatureNotSupportedException { return pool.getParentLogger(); }
            @Override public <T> T unwrap(Class<T> type) throws SQLException {
                return type.isInstance(pool) ? type.cast(pool) : pool.unwrap(type);
            }
            @Override public boolean isWrapperFor(Class<?> type) throws SQLException {
                return type.isInstance(pool) || pool.isWrapperFor(type);
            }
        };
    }

    private Connection borrow(DataSource pool, String username, String password) throws SQLException {
        if (down) {
            throw unreachable(null);
        }
        Thread self = Thread.currentThread();
        Waiter w = new Waiter();
        waiters.put(self, w);
        Connection c = null;
        SQLException failed = null;
        try {
            c = username == null ? pool.getConnection() : pool.getConnection(username, password);
        } catch (SQLException e) {
            failed = e;
        } finally {
            waiters.remove(self);
            boolean interrupted;
            synchronized (w) {
                w.waiting = false;
                interrupted = w.interrupted;
            }
            if (interrupted) {
                Thread.interrupted(); // the watch's wake-up call, not the caller's: it must not outlive this wait
            }
            if (interrupted && failed != null) {
                failed = unreachable(failed);
            }
        }
        if (failed != null) {
            throw failed;
        }
        return c;
    }

    private static SQLException unreachable(SQLException cause) {
        // SQLSTATE 08001 (cannot establish a connection): Sql.failure makes it Sql.Unavailable, a 503
        return new SQLTransientConnectionException("the database is not answering", "08001", cause);
    }
}
