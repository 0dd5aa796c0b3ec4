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
