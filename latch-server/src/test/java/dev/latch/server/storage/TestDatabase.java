package dev.latch.server.storage;


import dev.latch.server.RealPart;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * A throw-away database for tests: an embedded H2 file database in a temporary directory, or a fresh
 * schema {@code latch_test_<random>} in the PostgreSQL database {@code test} on 127.0.0.1:5432, so
 * runs never collide and Flyway always starts from nothing. Closing it drops the schema (or deletes
 * the directory).
 *
 * <p>PostgreSQL is used when it answers with trust authentication as user {@code postgres} or as the
 * current OS user (the first that connects); otherwise {@link #postgres()} skips the calling test
 * saying PostgreSQL is not reachable, or fails it on CI ({@link dev.latch.server.RealPart}). {@code LATCH_TEST_PG_HOST},
 * {@code LATCH_TEST_PG_PORT}, {@code LATCH_TEST_PG_DATABASE} and {@code LATCH_TEST_PG_USER} point
 * elsewhere.
 */
public final class TestDatabase implements AutoCloseable {

    private static final String PG_HOST = env("LATCH_TEST_PG_HOST", "127.0.0.1");
    private static final String PG_PORT = env("LATCH_TEST_PG_PORT", "5432");
    private static final String PG_DATABASE = env("LATCH_TEST_PG_DATABASE", "test");
    /**
     * A closed port is refused at once; these only bound a silent host or a busy machine (the build
     * shares two cores with other work, and a login has been seen to take over 2 s).
     */
    private static final int PROBE_TIMEOUT_SECONDS = 10;
    private static final int WORK_TIMEOUT_SECONDS = 30;
    private static volatile Probe probe;

    private final String url;
    private final String user;
    private final String schema;
    private final Path directory;
    private final String database;

    private TestDatabase(String url, String user, String schema, Path directory) {
        this(url, user, schema, directory, null);
    }

    private TestDatabase(String url, String user, String schema, Path directory, String database) {
        this.url = url;
        this.user = user;
        this.schema = schema;
        this.directory = directory;
        this.database = database;
    }

    /** An embedded H2 file database (opened {@code AUTO_SERVER}, as {@code latch serve} opens it). */
    public static TestDatabase h2() {
        try {
            Path dir = Files.createTempDirectory("latch-h2-");
            return new TestDatabase(Database.embeddedUrl(dir), null, null, dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh schema on the local PostgreSQL; skips the test (assumption) when PostgreSQL is not reachable. */
    public static TestDatabase postgres() {
        String schema = createFresh("SCHEMA");
        return new TestDatabase(baseUrl() + "?currentSchema=" + schema, probe().user(), schema, null);
    }

    /**
     * A fresh database of its own ({@code latch_test_<random>}) on the local PostgreSQL, for tools that work on
     * whole databases ({@code pg_dump}, {@code pg_restore}); skips as {@link #postgres()} does. Closing it drops it.
     */
    public static TestDatabase postgresDatabase() {
        String name = createFresh("DATABASE");
        return new TestDatabase("jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/" + name, probe().user(), null, null, name);
    }

    /** Creates a {@code SCHEMA} or {@code DATABASE} named {@code latch_test_<random>}; returns its name. */
    private static String createFresh(String kind) {
        assumePostgresReachable();
        String name = "latch_test_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        try (Connection c = connect(baseUrl(), probe().user(), WORK_TIMEOUT_SECONDS); Statement s = c.createStatement()) {
            s.execute("CREATE " + kind + " " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create " + kind.toLowerCase(java.util.Locale.ROOT) + " " + name + ": " + e.getMessage(), e);
        }
        return name;
    }

    /** Skips the calling test with the reason when PostgreSQL does not answer, or fails it on CI ({@link RealPart}). */
    public static void assumePostgresReachable() {
        Probe p = probe();
        RealPart.require(p.user() != null, "PostgreSQL is not reachable at " + PG_HOST + ":" + PG_PORT + "/" + PG_DATABASE
                + " with trust authentication (" + p.reason() + ")");
    }

    /** True when PostgreSQL answers (for tests that choose rather than skip). */
    public static boolean postgresReachable() {
        return probe().user() != null;
    }

    public String url() {
        return url;
    }

    /** The database user, or null for H2. */
    public String user() {
        return user;
    }

    public boolean isPostgres() {
        return schema != null || database != null;
    }

    /** The H2 data directory (null for PostgreSQL). */
    public Path directory() {
        return directory;
    }

    /** Opens (and migrates) it as the server does. */
    public Database open() {
        return Database.open(url, user, null, 4);
    }

    /** Server settings ({@code database.url}, {@code database.user}) that point a Latch node here. */
    public Map<String, String> settings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("database.url", url);
        if (user != null) m.put("database.user", user);
        return m;
    }

    @Override
    public String toString() {
        return database != null ? "PostgreSQL database " + database : schema != null ? "PostgreSQL schema " + schema : "H2 in " + directory;
    }

    @Override
    public void close() {
        if (database != null) {
            try (Connection c = connect(baseUrl(), user, WORK_TIMEOUT_SECONDS); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            } catch (SQLException e) {
                throw new IllegalStateException("cannot drop database " + database + ": " + e.getMessage(), e);
            }
        } else if (schema != null) {
            try (Connection c = connect(baseUrl(), user, WORK_TIMEOUT_SECONDS); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            } catch (SQLException e) {
                throw new IllegalStateException("cannot drop schema " + schema + ": " + e.getMessage(), e);
            }
        } else {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException ignored) {
                // a temporary directory; the OS cleans up what is left
            }
        }
    }

    private record Probe(String user, String reason) {}

    private static Probe probe() {
        Probe p = probe;
        if (p == null) {
            synchronized (TestDatabase.class) {
                if (probe == null) {
                    probe = findUser();
                }
                p = probe;
            }
        }
        return p;
    }

    private static Probe findUser() {
        List<String> candidates = new ArrayList<>();
        String configured = System.getenv("LATCH_TEST_PG_USER");
        if (configured != null && !configured.isBlank()) {
            candidates.add(configured);
        } else {
            candidates.add("postgres");
            candidates.add(System.getProperty("user.name"));
        }
        List<String> failures = new ArrayList<>();
        for (String candidate : candidates.stream().distinct().toList()) {
            try (Connection c = connect(baseUrl(), candidate, PROBE_TIMEOUT_SECONDS)) {
                if (c.isValid(PROBE_TIMEOUT_SECONDS)) {
                    return new Probe(candidate, null);
                }
            } catch (SQLException e) {
                failures.add(candidate + ": " + e.getMessage().lines().findFirst().orElse("no answer"));
            }
        }
        return new Probe(null, String.join("; ", failures));
    }

    private static String baseUrl() {
        return "jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/" + PG_DATABASE;
    }

    private static Connection connect(String url, String user, int timeoutSeconds) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("connectTimeout", Integer.toString(timeoutSeconds));
        props.setProperty("loginTimeout", Integer.toString(timeoutSeconds));
        return DriverManager.getConnection(url, props);
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
