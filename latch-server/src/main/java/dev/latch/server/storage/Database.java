package dev.latch.server.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.SQLExceptionOverride;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database: embedded H2 in the data directory by default, PostgreSQL for production and
 * multi-node. Migrations run on open. The embedded database is opened with {@code AUTO_SERVER}, so
 * {@code latch clients …} and {@code latch serve} can work on the same data at once.
 */
public final class Database implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private final HikariDataSource pool;
    private final DatabaseWatch watch;
    /** The pool behind the watch: what every store and {@link #sql()} use. */
    private final DataSource dataSource;
    private final String url;
    private final Sql sql;

    private Database(HikariDataSource pool, DatabaseWatch watch, String url) {
        this.pool = pool;
        this.watch = watch;
        this.dataSource = watch.guard(pool);
        this.url = url;
        this.sql = new Sql(dataSource, url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:h2:mem:"));
    }

    /** The JDBC URL of the embedded database inside {@code dataDir}. */
    public static String embeddedUrl(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().normalize().resolve("latch") + ";AUTO_SERVER=TRUE";
    }

    /**
     * How long the database may keep a request waiting.
     *
     * @param connection the longest a request waits for a pooled connection while every connection is busy;
     *                   past it the request is answered 503 with {@code Retry-After}. A database that does not
     *                   answer at all is found by {@link DatabaseWatch} (every 250 ms, at most 1 s a check) and
     *                   refused at once, whatever this wait
     * @param socket     PostgreSQL only: the longest a statement waits for the server's answer before the
     *                   connection is dropped, so a server that stops answering (frozen, cut off) cannot hold
     *                   a request; migrations at start-up are exempt
     */
    public record Timeouts(Duration connection, Duration socket) {
        public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(10));

        public Timeouts {
            if (connection.toMillis() < 250) {
                throw new IllegalArgumentException("connection timeout must be at least 250ms");
            }
            if (socket.toSeconds() < 1) {
                throw new IllegalArgumentException("socket timeout must be at least 1s");
            }
        }
    }

    /** As {@link #open(String, String, String, int, Timeouts)} with the default timeouts. */
    public static Database open(String url, String user, String password, int poolSize) {
        return open(url, user, password, poolSize, Timeouts.DEFAULT);
    }

    /**
     * Opens the database and brings its schema up to date.
     *
     * @throws DatabaseException with a one-line reason when it cannot be reached or migrated
     */
    public static Database open(String url, String user, String password, int poolSize, Timeouts timeouts) {
        Database database = connect(url, user, password, poolSize, timeouts);
        try {
            // Nodes starting together on one PostgreSQL: Flyway's advisory lock is held per transaction, so with a transaction per
            // migration one node could apply the first few and another the rest. In one transaction (PostgreSQL's DDL is
            // transactional) exactly one node applies them all, or none if one fails; the others wait and find the schema current.
            // There Flyway holds the lock on one connection while it works on another, so it gets connections of its own (a pool
            // of one would deadlock it); H2 keeps the pool's, which an in-memory URL needs to see the tables.
            boolean postgres = url.startsWith("jdbc:postgresql:");
            var flyway = Flyway.configure().locations("classpath:db/migration").group(postgres);
            MigrateResult result = (postgres ? flyway.dataSource(url, user, password) : flyway.dataSource(database.pool)).load().migrate();
            if (result.migrationsExecuted > 0) {
                LOG.info("database schema migrated to version {} ({} migrations applied)", result.targetSchemaVersion, result.migrationsExecuted);
            }
        } catch (FlywayException e) {
            database.close();
            throw new DatabaseException("cannot migrate database " + redact(url) + ": " + rootMessage(e));
        }
        database.autovacuumOff().ifPresent(LOG::warn);
        return database;
    }

    /**
     * On PostgreSQL with autovacuum off, the warning to log: the janitor deletes expired rows, but only VACUUM
     * makes their space reusable, so without it the tables grow for as long as tokens are issued (bench/soak.sh on
     * a PostgreSQL with autovacuum off: 19 MiB a minute at 1 000 requests/s, with row counts flat).
     */
    java.util.Optional<String> autovacuumOff() {
        if (!isPostgres()) return java.util.Optional.empty();
        String setting = sql().queryOne("SELECT setting FROM pg_settings WHERE name = 'autovacuum'", rs -> rs.getString(1)).orElse("on");
        return "off".equals(setting)
                ? java.util.Optional.of("PostgreSQL runs with autovacuum off: expired tokens are deleted but their space is never reused,"
                        + " so the database grows for as long as tokens are issued; turn autovacuum on, or VACUUM the tables regularly")
                : java.util.Optional.empty();
    }

    /**
     * Opens an existing database as it is, without migrating it (for {@code latch backup}, which must copy
     * the data as the running version left it). An embedded database that does not exist is not created.
     *
     * @throws DatabaseException with a one-line reason when it cannot be reached
     */
    public static Database openAsIs(String url, String user, String password) {
        return connect(url.startsWith("jdbc:h2:") ? url + ";IFEXISTS=TRUE" : url, user, password, 2, Timeouts.DEFAULT);
    }

    /** The highest schema migration applied ({@code V11__…} gives "11"); empty when none is. */
    public java.util.Optional<String> schemaVersion() {
        try (Connection c = dataSource.getConnection();
             java.sql.ResultSet tables = c.getMetaData().getTables(c.getCatalog(), c.getSchema(), "flyway_schema_history", null)) {
            if (!tables.next()) {
                return java.util.Optional.empty();
            }
        } catch (SQLException e) {
            throw new DatabaseException("cannot read database " + url() + ": " + rootMessage(e));
        }
        return sql().query("SELECT \"version\" FROM \"flyway_schema_history\" WHERE \"success\" = TRUE AND \"version\" IS NOT NULL",
                        rs -> rs.getString(1)).stream()
                .max(java.util.Comparator.comparing(v -> new java.math.BigDecimal(v)));
    }

    private static Database connect(String url, String user, String password, int poolSize, Timeouts timeouts) {
        if (!url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:postgresql:")) {
            throw new DatabaseException("--db: unsupported JDBC URL " + url + " (use jdbc:postgresql://… or jdbc:h2:…)");
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        if (user != null) config.setUsername(user);
        if (password != null) config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(Math.min(2, poolSize));
        config.setPoolName("latch");
        long wait = timeouts.connection().toMillis();
        config.setConnectionTimeout(wait);
        // a pooled connection idle for a moment is checked before use; a dead server must not stretch that check
        config.setValidationTimeout(Math.min(wait, 1000));
        // start-up waits longer than a request: a database starting beside Latch gets its ten seconds
        config.setInitializationFailTimeout(10_000);
        config.setExceptionOverrideClassName(EvictClosedConnections.class.getName());
        if (url.startsWith("jdbc:postgresql:")) {
            // seconds; settings in the URL itself take precedence (the driver prefers them)
            config.addDataSourceProperty("connectTimeout", "2");
            config.addDataSourceProperty("socketTimeout", String.valueOf(timeouts.socket().toSeconds()));
            config.addDataSourceProperty("tcpKeepAlive", "true");
        }
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new DatabaseException("cannot open database " + redact(url) + ": " + rootMessage(e));
        }
        return new Database(ds, new DatabaseWatch(url, user, password, ds).start(), url);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** The helper every store uses; on a file-based H2 database its writes are flushed to the file before they return. */
    public Sql sql() {
        return sql;
    }

    public boolean isPostgres() {
        return url.startsWith("jdbc:postgresql:");
    }

    public String url() {
        return redact(url);
    }

    /**
     * True when a connection is had within the connection timeout and answers a trivial check within two
     * seconds (for {@code /healthz}).
     */
    public boolean reachable() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        watch.close();
        pool.close();
    }

    private static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }

    /**
     * Tells the pool to drop a connection whose database is gone, beside what HikariCP drops by itself
     * (SQLSTATE class 08, PostgreSQL's shutdown codes): H2 closes the database after a storage failure (a
     * full disk) and every session of it then fails with 90098 "The database has been closed" until it is
     * replaced; a new connection opens the database again, so the server recovers once the cause is gone.
     */
    public static final class EvictClosedConnections implements SQLExceptionOverride {
        private static final java.util.Set<String> GONE = java.util.Set.of("90098", "90121", "90028", "90031");

        @java.lang.Override
        public SQLExceptionOverride.Override adjudicate(SQLException e) {
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof java.io.IOException || t instanceof SQLException s && GONE.contains(s.getSQLState())) {
                    return SQLExceptionOverride.Override.MUST_EVICT;
                }
            }
            return SQLExceptionOverride.Override.CONTINUE_EVICT;
        }
    }

    /** The database could not be opened or migrated; the message is one line meant for the user. */
    public static final class DatabaseException extends RuntimeException {
        public DatabaseException(String message) {
            super(message);
        }
    }
}
