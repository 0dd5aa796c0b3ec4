package dev.latch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.ChildServer;
import dev.latch.server.RealPart;
import dev.latch.server.storage.TestDatabase;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL procedure: a node with its master key in {@code LATCH_MASTER_KEY} (as several nodes
 * have it), {@code latch backup} running {@code pg_dump} of its database, {@code latch restore}
 * running {@code pg_restore} into another, new database, and a server on that one finding every
 * client, user, key and live refresh token working.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BackupRestoreOnPostgresTest {

    @TempDir
    Path dir;

    static boolean onPath(String program) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, program)));
    }

    /** A configuration file pointing at {@code db}, with the master key from the environment variable BACKUP_MK. */
    Path config(String name, TestDatabase db) throws Exception {
        return Files.writeString(dir.resolve(name + ".yaml"), "database:\n  url: " + db.url() + "\n  user: " + db.user()
                + "\nmaster-key: ${env:BACKUP_MK}\n");
    }

    @Test
    void pgDumpOfOneDatabaseRestoredIntoAnotherServesEveryClientUserKeyAndRefreshToken() throws Exception {
        RealPart.require(onPath("pg_dump") && onPath("pg_restore"), "pg_dump and pg_restore (Debian: postgresql-client) on the PATH");
        String masterKey = Base64.getEncoder().encodeToString(new SecureRandom().generateSeed(32));
        Path backup = dir.resolve("latch-pg-backup.zip");
        try (TestDatabase source = TestDatabase.postgresDatabase(); TestDatabase target = TestDatabase.postgresDatabase()) {
            Cli cli = new Cli(dir.resolve("source")).env("BACKUP_MK", masterKey).always("--config", config("source", source).toString());
            FilledInstance filled;
            try (ChildServer a = ChildServer.start("pg-backup-source", Map.of("data", dir.resolve("source").toString(),
                    "issuer", FilledInstance.ISSUER, "database.url", source.url(), "database.user", source.user()),
                    Map.of("LATCH_MASTER_KEY", masterKey))) {
                filled = FilledInstance.fill(cli, a);

                Cli.Result withKey = cli.run("backup", "--out", backup.toString(), "--include-master-key");
                assertThat(withKey.exit()).isEqualTo(1);
                BackupRestoreTest.assertOneLine(withKey);
                assertThat(withKey.errLine()).contains("comes from the configuration");

                Cli.Result r = cli.run("backup", "--out", backup.toString());
                assertThat(r.exit()).as(r.err()).isZero();
                assertThat(r.out()).contains("backed up PostgreSQL postgresql://").contains("3 clients, 2 users")
                        .contains("master key: not included (from the configuration");
            }

            Path targetConfig = config("target", target);
            String anotherKey = Base64.getEncoder().encodeToString(new SecureRandom().generateSeed(32));
            Cli.Result wrongKey = new Cli(dir.resolve("target")).env("BACKUP_MK", anotherKey).always("--config", targetConfig.toString())
                    .run("restore", backup.toString());
            assertThat(wrongKey.exit()).isEqualTo(1);
            BackupRestoreTest.assertOneLine(wrongKey);
            assertThat(wrongKey.errLine()).contains("is not the one this database was created with");

            // the refusal wrote nothing: the target database is still empty and takes the restore
            Cli restoring = new Cli(dir.resolve("target")).env("BACKUP_MK", masterKey).always("--config", targetConfig.toString());
            Cli.Result restored = restoring.run("restore", backup.toString());
            assertThat(restored.exit()).as(restored.err()).isZero();
            assertThat(restored.out()).contains("3 clients, 2 users").contains("master key: from the configuration");

            Cli.Result again = restoring.run("restore", backup.toString());
            assertThat(again.exit()).isEqualTo(1);
            BackupRestoreTest.assertOneLine(again);
            assertThat(again.errLine()).contains("is not empty").contains("new, empty database");

            Cli.Result intoH2 = new Cli(dir.resolve("h2")).run("restore", backup.toString());
            assertThat(intoH2.exit()).isEqualTo(1);
            assertThat(intoH2.errLine()).contains("is a backup of a PostgreSQL database");

            try (ChildServer c = ChildServer.start("pg-backup-restored", Map.of("data", dir.resolve("target").toString(),
                    "issuer", FilledInstance.ISSUER, "database.url", target.url(), "database.user", target.user()),
                    Map.of("LATCH_MASTER_KEY", masterKey))) {
                filled.verifyOn(c);
            }
        }
    }
}
