package dev.latch.cli.backup;

import dev.latch.server.storage.Database;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The embedded H2 database of a data directory, as backup and restore see it.
 *
 * <p>The online copy is H2's {@code BACKUP TO}, run over a connection opened the way every
 * administrative command opens the database ({@code AUTO_SERVER}): while {@code latch serve} holds the
 * file, the statement runs inside the server's process, which copies the store with its transaction
 * log, so the copy is transactionally consistent while tokens are being issued. The server's process
 * writes that copy, so it goes into the data directory (which that process can write) and is moved
 * into the backup archive from there.
 */
final class EmbeddedDatabase {

    /** The file H2 keeps the embedded database in, inside the data directory. */
    static final String FILE = "latch.mv.db";
    /** H2's "Database may be already in use" (another process holds the file). */
    private static final int IN_USE = 90020;

    private EmbeddedDatabase() {}

    static boolean exists(Path data) {
        return Files.isRegularFile(data.resolve(FILE));
    }

    /** Copies the database, consistently and online, to {@code target} (an existing private file, replaced). */
    static void copy(Database database, Path data, Path target) throws IOException {
        Path zip = data.toAbsolutePath().normalize().resolve(".latch-backup-" + HexFormat.of().formatHex(SecureRandom.getSeed(8)) + ".zip");
        try {
            try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("BACKUP TO '" + zip.toString().replace("'", "''") + "'");
            } catch (SQLException e) {
                throw new IllegalStateException("H2 could not copy the database: " + e.getMessage().lines().findFirst().orElse(""));
            }
            try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
                for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                    if (e.getName().endsWith(".mv.db")) {
                        try (OutputStream out = Files.newOutputStream(target)) {
                            in.transferTo(out);
                        }
                        return;
                    }
                }
            }
            throw new IllegalStateException("H2's backup of the database held no " + FILE);
        } finally {
            Files.deleteIfExists(zip);
        }
    }

    /**
     * Refuses when a process holds the embedded database in {@code data} ({@code latch serve}, or a
     * command running now): restoring under it would lose its writes or corrupt the file.
     */
    static void refuseIfInUse(Path data) {
        if (!exists(data)) {
            return;
        }
        // without AUTO_SERVER the file lock is exclusive: another process holding it makes this fail
        String url = "jdbc:h2:file:" + data.toAbsolutePath().normalize().resolve("latch") + ";IFEXISTS=TRUE";
        try (Connection c = DriverManager.getConnection(url, "", "")) {
            c.isValid(1);
        } catch (SQLException e) {
            if (e.getErrorCode() == IN_USE) {
                throw new IllegalStateException("a Latch server (or another latch command) is using " + data
                        + "; stop it before restoring over its data");
            }
            // any other failure (a damaged file, another user's database) is not a running server: the restore replaces it
        }
    }

    /**
     * Opens a copied database file read-only and counts what it holds: a copy that H2 cannot open
     * fails here, before it becomes a backup or a restored instance.
     */
    static java.util.Map<String, Long> count(Path copy, long nowEpochSecond) {
        String name = copy.toAbsolutePath().normalize().toString();
        if (!name.endsWith(".mv.db")) {
            throw new IllegalArgumentException(copy + " is not named like an H2 database (*.mv.db)");
        }
        String url = "jdbc:h2:file:" + name.substring(0, name.length() - ".mv.db".length()) + ";ACCESS_MODE_DATA=r";
        try (Database database = Database.openAsIs(url, null, null)) {
            return Contents.count(database.sql(), nowEpochSecond);
        } catch (Database.DatabaseException | dev.latch.server.storage.Sql.StorageException e) {
            throw new IllegalStateException("the copied database cannot be read: " + e.getMessage());
        }
    }
}
