package dev.latch.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On an H2 file database a write {@link Sql} returns from is in the file, not only in H2's memory: a copy of
 * the file taken right after it, as a process killed at that moment would leave it, holds the row. The H2
 * URL keeps commits in memory for a minute, so without the flush the copy lacks it (checked too, so that
 * the test can tell the two apart).
 */
class SqlFlushOnH2Test {

    @TempDir
    Path dir;

    @Test
    void aWriteIsInTheFileWhenItReturnsAndOnlyWithTheFlush() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("live/latch") + ";WRITE_DELAY=60000";
        try (Connection open = DriverManager.getConnection(url, "owner", "")) {
            Sql flushed = new Sql(source(url, "owner"), true);
            Sql unflushed = new Sql(source(url, "owner"), false);
            flushed.update("CREATE TABLE t(v VARCHAR(20))");

            unflushed.update("INSERT INTO t VALUES (?)", "memory");
            assertThat(rowsInFileCopy("copy1")).as("H2 alone has not written the commit yet").doesNotContain("memory");

            flushed.update("INSERT INTO t VALUES (?)", "statement");
            assertThat(flushed.insertUnique("INSERT INTO t VALUES (?)", "unique")).isTrue();
            flushed.transaction(c -> {
                try (PreparedStatement ps = Sql.prepare(c, "INSERT INTO t VALUES (?)", "transaction")) {
                    return ps.executeUpdate();
                }
            });
            assertThat(rowsInFileCopy("copy2")).contains("statement", "unique", "transaction");
        }
    }

    @Test
    void aUserWhoMayNotCheckpointStillWritesAndIsWarnedOnce() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("live/latch");
        try (Connection owner = DriverManager.getConnection(url, "owner", "")) {
            owner.createStatement().execute("CREATE TABLE t(v VARCHAR(20))");
            owner.createStatement().execute("CREATE USER writer PASSWORD 'w'");
            owner.createStatement().execute("GRANT SELECT, INSERT ON t TO writer");
            try (LogCapture log = LogCapture.start()) {
                JdbcDataSource writer = source(url, "writer");
                writer.setPassword("w");
                Sql sql = new Sql(writer, true);
                assertThat(sql.update("INSERT INTO t VALUES (?)", "one")).isEqualTo(1);
                assertThat(sql.update("INSERT INTO t VALUES (?)", "two")).isEqualTo(1);
                assertThat(sql.query("SELECT v FROM t ORDER BY v", rs -> rs.getString(1))).containsExactly("one", "two");
                assertThat(log.lines()).filteredOn(l -> l.contains("not an administrator")).hasSize(1);
            }
        }
    }

    /**
     * Writers at once share checkpoints, and none returns before a checkpoint that began after its own
     * commit has ended. The data source counts commits and checkpoints (each checkpoint made slow, so that
     * writers pile up behind it); without the grouping there would be one checkpoint per write.
     */
    @Test
    void concurrentWritesShareCheckpointsAndEachReturnsOnlyAfterOneThatBeganAfterItsCommit() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("live/latch") + ";WRITE_DELAY=60000";
        try (Connection open = DriverManager.getConnection(url, "owner", "")) {
            open.createStatement().execute("CREATE TABLE t(v VARCHAR(20))");
            CountingSource counting = new CountingSource(source(url, "owner"));
            Sql sql = new Sql(counting.dataSource(), true);
            int threads = 8;
            int writesEach = 10;
            java.util.concurrent.ConcurrentLinkedQueue<String> uncovered = new java.util.concurrent.ConcurrentLinkedQueue<>();
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            List<Thread> writers = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                writers.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        for (int i = 0; i < writesEach; i++) {
                            String value = id + "-" + i;
                            if (i % 2 == 0) {
                                sql.update("INSERT INTO t VALUES (?)", value);
                            } else {
                                sql.transaction(c -> {
                                    try (PreparedStatement ps = Sql.prepare(c, "INSERT INTO t VALUES (?)", value)) {
                                        return ps.executeUpdate();
                                    }
                                });
                            }
                            long mine = counting.lastCommitOfThread.get();
                            if (counting.checkpointedUpTo.get() < mine) {
                                uncovered.add(value + ": commit " + mine + ", checkpointed up to " + counting.checkpointedUpTo.get());
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            start.countDown();
            for (Thread w : writers) w.join(60_000);

            assertThat(uncovered).as("writes that returned before a checkpoint covering their commit").isEmpty();
            assertThat(sql.query("SELECT COUNT(*) FROM t", rs -> rs.getInt(1))).containsExactly(threads * writesEach);
            assertThat(counting.checkpoints.get()).as("checkpoints for %d writes", threads * writesEach)
                    .isPositive().isLessThan(threads * writesEach / 2);
        }
    }

    /**
     * Hands out connections that number each commit (an auto-committed statement, or {@code commit()}) and
     * remember, per thread, the number of the last one made, and that run {@code CHECKPOINT} slowly,
     * recording the highest commit number each one began after.
     */
    private static final class CountingSource {
        final java.util.concurrent.atomic.AtomicLong commits = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong checkpointedUpTo = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicInteger checkpoints = new java.util.concurrent.atomic.AtomicInteger();
        final ThreadLocal<Long> lastCommitOfThread = ThreadLocal.withInitial(() -> 0L);
        private final JdbcDataSource real;

        CountingSource(JdbcDataSource real) {
            this.real = real;
        }

        /** The data source {@link Sql} is given: its connections are {@link #connection()}'s. */
        javax.sql.DataSource dataSource() {
            return (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {javax.sql.DataSource.class}, (proxy, method, args) -> method.getName().equals("getConnection")
                            ? connection() : invoke(real, method, args));
        }

        private Connection connection() throws java.sql.SQLException {
            Connection c = real.getConnection();
            return (Connection) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                    (proxy, method, args) -> {
                        Object result = invoke(c, method, args);
                        if (method.getName().equals("commit")) committed();
                        if (result instanceof PreparedStatement ps) return preparedStatement(c, ps);
                        if (result instanceof java.sql.Statement st) return statement(st);
                        return result;
                    });
        }

        private PreparedStatement preparedStatement(Connection c, PreparedStatement ps) {
            return (PreparedStatement) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {PreparedStatement.class}, (proxy, method, args) -> {
                        Object result = invoke(ps, method, args);
                        if (method.getName().equals("executeUpdate") && c.getAutoCommit()) committed();
                        return result;
                    });
        }

        private java.sql.Statement statement(java.sql.Statement st) {
            return (java.sql.Statement) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {java.sql.Statement.class}, (proxy, method, args) -> {
                        if (method.getName().equals("execute") && "CHECKPOINT".equals(args[0])) {
                            long coveredUpTo = commits.get();
                            Thread.sleep(20);
                            Object result = invoke(st, method, args);
                            checkpoints.incrementAndGet();
                            checkpointedUpTo.accumulateAndGet(coveredUpTo, Math::max);
                            return result;
                        }
                        return invoke(st, method, args);
                    });
        }

        private void committed() {
            lastCommitOfThread.set(commits.incrementAndGet());
        }

        private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    private static JdbcDataSource source(String url, String user) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL(url);
        ds.setUser(user);
        return ds;
    }

    /** The rows of t in a copy of the database file taken now. */
    private List<String> rowsInFileCopy(String name) throws Exception {
        Path copy = dir.resolve(name);
        Files.createDirectories(copy);
        Files.copy(dir.resolve("live/latch.mv.db"), copy.resolve("latch.mv.db"));
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + copy.resolve("latch"), "owner", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT v FROM t")) {
            List<String> rows = new java.util.ArrayList<>();
            while (rs.next()) rows.add(rs.getString(1));
            return rows;
        }
    }
}
