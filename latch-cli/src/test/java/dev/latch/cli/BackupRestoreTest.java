package dev.latch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.ChildServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code latch backup} of the embedded database while {@code latch serve} (a process of its own) issues
 * tokens, then {@code latch restore} into a fresh data directory and a server on it: every client,
 * user, key and live refresh token works, and the copy is one consistent moment of a refresh chain
 * that rotated all through the backup.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BackupRestoreTest {

    @TempDir
    Path dir;

    /** Client-credentials requests and one refresh chain, rotating as fast as the server answers, until stopped. */
    static final class Load implements AutoCloseable {
        final AtomicLong ok = new AtomicLong();
        final AtomicReference<String> failure = new AtomicReference<>();
        final List<String> chain = Collections.synchronizedList(new ArrayList<>());
        private volatile boolean stop;
        private final List<Thread> threads = new ArrayList<>();

        Load(ChildServer server, FilledInstance f, String firstRefreshToken) {
            chain.add(firstRefreshToken);
            threads.add(Thread.ofPlatform().name("load-cc").start(() -> {
                while (!stop) {
                    count(FilledInstance.clientCredentials(server.url("/token"), "svc", f.clientSecrets.get("svc")));
                }
            }));
            threads.add(Thread.ofPlatform().name("load-refresh").start(() -> {
                while (!stop) {
                    var r = FilledInstance.refresh(server.url("/token"), f.clientSecrets.get("web"), chain.get(chain.size() - 1));
                    if (count(r)) {
                        chain.add(FilledInstance.json(r).get("refresh_token").asText());
                    } else {
                        return;
                    }
                }
            }));
        }

        private boolean count(java.net.http.HttpResponse<String> r) {
            if (r.statusCode() == 200) {
                ok.incrementAndGet();
                return true;
            }
            failure.compareAndSet(null, r.statusCode() + " " + r.body());
            return false;
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            for (Thread t : threads) t.join();
        }
    }

    @Test
    void backupWhileServingUnderLoadThenRestoreIntoFreshInstanceKeepsClientsUsersKeysAndRefreshTokens() throws Exception {
        Path source = dir.resolve("source");
        Path backup = dir.resolve("latch-backup.zip");
        Cli cli = new Cli(source);
        FilledInstance filled;
        Load load;
        int liveWhenBackupStarted;
        long requestsDuringBackup;
        try (ChildServer a = ChildServer.start("backup-source", Map.of("data", source.toString(), "issuer", FilledInstance.ISSUER), Map.of())) {
            filled = FilledInstance.fill(cli, a);
            String chainStart = FilledInstance.signIn(a, filled.clientSecrets.get("web"), "alice").get("refresh_token").asText();
            load = new Load(a, filled, chainStart);
            try (load) {
                Poll.until(java.time.Duration.ofSeconds(30), () -> load.chain.size() > 5 && load.ok.get() > 20 ? true : null);
                liveWhenBackupStarted = load.chain.size() - 1;
                long before = load.ok.get();
                Cli.Result r = cli.run("backup", "--out", backup.toString(), "--include-master-key");
                requestsDuringBackup = load.ok.get() - before;
                assertThat(r.exit()).as(r.err()).isZero();
                assertThat(r.out()).contains("backed up the embedded database").contains("3 clients, 2 users, ")
                        .contains("master key: included");
                assertThat(r.err()).contains("holds the master key");
            }
            assertThat(load.failure.get()).as("no request failed during the backup").isNull();
            assertThat(requestsDuringBackup).as("tokens were issued while the backup ran").isPositive();
            assertThat(a.isAlive()).isTrue();
        }
        assertThat(Files.getPosixFilePermissions(backup)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        Path restoredData = dir.resolve("restored");
        Cli restoring = new Cli(restoredData);
        Cli.Result restored = restoring.run("restore", backup.toString());
        assertThat(restored.exit()).as(restored.err()).isZero();
        assertThat(restored.out()).contains("restored " + backup).contains("3 clients, 2 users").contains("master key: from the backup");
        assertThat(Files.getPosixFilePermissions(restoredData.resolve("master.key"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(restoredData.resolve("master.key"))).isEqualTo(Files.readString(source.resolve("master.key")));

        try (ChildServer c = ChildServer.start("backup-restored", Map.of("data", restoredData.toString(), "issuer", FilledInstance.ISSUER), Map.of())) {
            filled.verifyOn(c);

            // the backup is one moment of the chain: tokens issued after it are unknown (invalid_grant, nothing revoked),
            // and exactly the token that was live at that moment still rotates
            int live = -1;
            for (int i = load.chain.size() - 1; i >= 0; i--) {
                var r = FilledInstance.refresh(c.url("/token"), filled.clientSecrets.get("web"), load.chain.get(i));
                if (r.statusCode() == 200) {
                    live = i;
                    break;
                }
                assertThat(r.body()).as("token " + i + " of " + load.chain.size()).contains("\"invalid_grant\"");
            }
            assertThat(live).as("the token live at the moment of the backup redeems").isGreaterThanOrEqualTo(liveWhenBackupStarted);
            System.out.printf("backup under load: %d token responses while latch backup ran; refresh chain of %d tokens, "
                    + "live at backup start #%d, live in the copy #%d%n", requestsDuringBackup, load.chain.size(), liveWhenBackupStarted, live);

            // restoring over the data of a running server is refused
            Cli.Result over = restoring.run("restore", backup.toString(), "--force");
            assertThat(over.exit()).isEqualTo(1);
            assertOneLine(over);
            assertThat(over.errLine()).contains("is using " + restoredData);
            assertThat(c.isAlive()).isTrue();
        }
    }

    @Test
    void withoutTheMasterKeyRestoreNeedsTheKeptKeyFileAndRefusesAnotherOne() throws Exception {
        Path source = dir.resolve("source");
        Cli cli = new Cli(source);
        FilledInstance.added(cli.run("clients", "add", "--client-id", "kept", "--auth-method", "client_secret_jwt", "-q"));
        Path backup = dir.resolve("b.zip");

        Cli.Result undecided = cli.run("backup", "--out", backup.toString());
        assertThat(undecided.exit()).isEqualTo(1);
        assertOneLine(undecided);
        assertThat(undecided.errLine()).contains(source.resolve("master.key").toString()).contains("--include-master-key")
                .contains("--without-master-key");
        assertThat(backup).doesNotExist();

        Cli.Result both = cli.run("backup", "--out", backup.toString(), "--include-master-key", "--without-master-key");
        assertThat(both.exit()).isEqualTo(2);

        Cli.Result made = cli.run("backup", "--out", backup.toString(), "--without-master-key");
        assertThat(made.exit()).as(made.err()).isZero();
        assertThat(made.out()).contains("master key: not included");
        assertThat(made.err()).contains("keep the master key (" + source.resolve("master.key") + ")");

        Cli.Result again = cli.run("backup", "--out", backup.toString(), "--without-master-key");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.errLine()).isEqualTo("latch: " + backup + " exists; give --force to replace it");
        assertThat(cli.run("backup", "--out", backup.toString(), "--without-master-key", "--force").exit()).isZero();

        Path target = dir.resolve("target");
        Cli restoring = new Cli(target);
        Cli.Result noKey = restoring.run("restore", backup.toString());
        assertThat(noKey.exit()).isEqualTo(1);
        assertOneLine(noKey);
        assertThat(noKey.errLine()).contains("does not hold the master key").contains("--master-key-file");

        Path other = dir.resolve("other");
        FilledInstance.added(new Cli(other).run("clients", "add", "--client-id", "x", "-q"));
        Cli.Result wrongKey = restoring.run("restore", backup.toString(), "--master-key-file", other.resolve("master.key").toString());
        assertThat(wrongKey.exit()).isEqualTo(1);
        assertOneLine(wrongKey);
        assertThat(wrongKey.errLine()).contains("is not the one this database was created with");
        assertThat(target).as("nothing is written when the check fails").doesNotExist();
        assertThat(Files.list(dir).map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".latch-restore"));

        Cli.Result ok = restoring.run("restore", backup.toString(), "--master-key-file", source.resolve("master.key").toString());
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("1 clients");
        try (var latch = Instances.open(target)) {
            assertThat(latch.clients().find("kept")).isPresent();
        }

        Cli.Result occupied = restoring.run("restore", backup.toString(), "--master-key-file", source.resolve("master.key").toString());
        assertThat(occupied.exit()).isEqualTo(1);
        assertOneLine(occupied);
        assertThat(occupied.errLine()).contains(target + " is not empty").contains("--force");

        Cli.Result forced = restoring.run("restore", backup.toString(), "--master-key-file", source.resolve("master.key").toString(), "--force");
        assertThat(forced.exit()).as(forced.err()).isZero();
        assertThat(forced.out()).contains("the data it replaced is in " + target.resolve("replaced-"));
        try (var replaced = Files.list(target)) {
            Path kept = replaced.filter(p -> p.getFileName().toString().startsWith("replaced-")).findFirst().orElseThrow();
            assertThat(kept.resolve("latch.mv.db")).exists();
            assertThat(kept.resolve("master.key")).exists();
        }
        try (var latch = Instances.open(target)) {
            assertThat(latch.clients().find("kept")).isPresent();
        }
    }

    @Test
    void badFilesAndTargetsAreOneLineAndExitOne() throws Exception {
        Cli cli = new Cli(dir.resolve("nothing-here"));
        Cli.Result noData = cli.run("backup", "--out", dir.resolve("x.zip").toString(), "--include-master-key");
        assertThat(noData.exit()).isEqualTo(1);
        assertOneLine(noData);
        assertThat(noData.errLine()).contains("no Latch data in " + dir.resolve("nothing-here"));
        assertThat(dir.resolve("nothing-here")).doesNotExist();

        Cli.Result missing = cli.run("restore", dir.resolve("missing.zip").toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.errLine()).isEqualTo("latch: " + dir.resolve("missing.zip") + ": no such file");

        Path text = Files.writeString(dir.resolve("notes.txt"), "not a backup\n");
        Cli.Result notZip = cli.run("restore", text.toString());
        assertThat(notZip.exit()).isEqualTo(1);
        assertThat(notZip.errLine()).isEqualTo("latch: " + text + ": not a Latch backup (not a zip archive)");

        Path otherZip = dir.resolve("other.zip");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(otherZip))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("readme.txt"));
            zip.write("hello".getBytes());
        }
        Cli.Result foreign = cli.run("restore", otherZip.toString());
        assertThat(foreign.exit()).isEqualTo(1);
        assertThat(foreign.errLine()).startsWith("latch: " + otherZip + ": not a Latch backup (it has no latch-backup.json");

        Path source = dir.resolve("source");
        FilledInstance.added(new Cli(source).run("clients", "add", "--client-id", "c", "-q"));
        Path good = dir.resolve("good.zip");
        assertThat(new Cli(source).run("backup", "--out", good.toString(), "--include-master-key").exit()).isZero();
        Path tampered = dir.resolve("tampered.zip");
        try (var in = new java.util.zip.ZipFile(good.toFile()); var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(tampered))) {
            for (var e : Collections.list(in.entries())) {
                byte[] bytes = in.getInputStream(e).readAllBytes();
                if (e.getName().endsWith(".mv.db")) bytes[bytes.length / 2] ^= 1;
                out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                out.write(bytes);
            }
        }
        Cli.Result damaged = cli.run("restore", tampered.toString());
        assertThat(damaged.exit()).isEqualTo(1);
        assertThat(damaged.errLine()).isEqualTo("latch: " + tampered + ": damaged backup: database/latch.mv.db does not match its SHA-256");
        assertThat(dir.resolve("nothing-here")).doesNotExist();

        Cli.Result intoPostgres = new Cli(null).run("restore", good.toString(), "--db", "jdbc:postgresql://127.0.0.1:5432/latch_nowhere");
        assertThat(intoPostgres.exit()).isEqualTo(1);
        assertOneLine(intoPostgres);
        assertThat(intoPostgres.errLine()).contains("is a backup of an embedded H2 database");

        Path file = Files.writeString(dir.resolve("a-file"), "x");
        Cli.Result notADirectory = new Cli(file).run("restore", good.toString());
        assertThat(notADirectory.exit()).isEqualTo(1);
        assertThat(notADirectory.errLine()).isEqualTo("latch: " + file + " is not a directory");
    }

    /** One line naming the problem, never a stack trace. */
    static void assertOneLine(Cli.Result r) {
        assertThat(r.err().strip()).startsWith("latch: ").doesNotContain("\n").doesNotContain("Exception").doesNotContain("\tat ");
    }
}
