package dev.latch.server.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
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

    private final HikariDataSource dataSource;
    private final String url;

    private Database(HikariDataSource dataSource, String url) {
        this.dataSource = dataSource;
        this.url = url;
    }

    /** The JDBC URL of the embedded database inside {@code dataDir}. */
    public static String embeddedUrl(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().normalize().resolve("latch") + ";AUTO_SERVER=TRUE";
    }

    /**
     * Opens the database and brings its schema up to date.
     *
     * @throws DatabaseException with a one-line reason when it cannot be reached or migrated
     */
    public static Database open(String url, String user, String password, int poolSize) {
        Database database = connect(url, user, password, poolSize);
        try {
            // Nodes starting together on one PostgreSQL: Flyway's advisory lock is held per transaction, so with a transaction per
            // migration one node could apply the first few and another the rest. In one transaction (PostgreSQL's DDL is
            // transactional) exactly one node applies them all, or none if one fails; the others wait and find the schema current.
            // There Flyway holds the lock on one connection while it works on another, so it gets connections of its own (a pool
            // of one would deadlock it); H2 keeps the pool's, which an in-memory URL needs to see the tables.
            boolean postgres = url.startsWith("jdbc:postgresql:");
            var flyway = Flyway.configure().locations("classpath:db/migration").group(postgres);
            MigrateResult result = (postgres ? flyway.dataSource(url, user, password) : flyway.dataSource(database.dataSource)).load().migrate();
            if (result.migrationsExecuted > 0) {
                LOG.info("database schema migrated to version {} ({} migrations applied)", result.targetSchemaVersion, result.migrationsExecuted);
            }
        } catch (FlywayException e) {
            database.close();
            throw new DatabaseException("cannot migrate database " + redact(url) + ": " + rootMessage(e));
        }
        return database;
    }

    /**
     * Opens an existing database as it is, without migrating it (for {@code latch backup}, which must copy
     * the data as the running version left it). An embedded database that does not exist is not created.
     *
     * @throws DatabaseException with a one-line reason when it cannot be reached
     */
    public static Database openAsIs(String url, String user, String password) {
        return connect(url.startsWith("jdbc:h2:") ? url + ";IFEXISTS=TRUE" : url, user, password, 2);
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

    private static Database connect(String url, String user, String password, int poolSize) {
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
        config.setConnectionTimeout(10_000);
        config.setInitializationFailTimeout(10_000);
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new DatabaseException("cannot open database " + redact(url) + ": " + rootMessage(e));
        }
        return new Database(ds, url);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public Sql sql() {
        return new Sql(dataSource);
    }

    public boolean isPostgres() {
        return url.startsWith("jdbc:postgresql:");
    }

    public String url() {
        return redact(url);
    }

    /** True when a trivial query answers within two seconds (for {@code /healthz}). */
    public boolean reachable() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        dataSource.close();
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

    /** The database could not be opened or migrated; the message is one line meant for the user. */
    public static final class DatabaseException extends RuntimeException {
        public DatabaseException(String message) {
            super(message);
        }
    }
}
