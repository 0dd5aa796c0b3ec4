package dev.latch.cli.backup;

import dev.latch.cli.context.CommandContext;
import dev.latch.cli.instance.AdminLogging;
import dev.latch.cli.instance.InstanceOptions;
import dev.latch.server.LatchInstance;
import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import dev.latch.server.config.ServerConfig;
import dev.latch.server.keys.MasterKey;
import dev.latch.server.storage.Database;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code latch restore FILE}. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Restore a backup made by `latch backup` into a fresh instance: an empty or new --data directory "
                + "(embedded H2), or an empty PostgreSQL database (--db; runs pg_restore).",
                "The backup is checked first (a Latch backup, whole, every part matching its SHA-256), then restored into a "
                        + "staging directory, opened, brought to this Latch's schema and checked against the master key; "
                        + "only then does it take the place of the data. Start `latch serve` on it afterwards."})
public final class RestoreCommand implements Callable<Integer> {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    @Spec
    CommandSpec spec;

    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Parameters(index = "0", paramLabel = "FILE", description = "A backup written by `latch backup`.")
    Path file;

    @Option(names = "--master-key-file", paramLabel = "FILE",
            description = "The master.key kept apart from a backup made with --without-master-key; copied into --data.")
    Path masterKeyFile;

    @Option(names = "--force",
            description = "Restore into a --data directory that holds data (no server may be using it): its files move to DIR/replaced-<time>/.")
    boolean force;

    @Override
    public Integer call() throws IOException {
        BackupArchive.Manifest manifest = BackupArchive.read(file);
        ServerConfig config = instance.load();
        String url = config.database().url();
        boolean postgres = url != null && url.startsWith("jdbc:postgresql:");
        if (url != null && !postgres) {
            throw new IllegalArgumentException("latch restore restores into a data directory (--data) or PostgreSQL (--db jdbc:postgresql:…), not " + url);
        }
        if (manifest.database().equals("h2") && postgres) {
            throw new IllegalArgumentException(file + " is a backup of an embedded H2 database; restore it into a data directory (--data DIR, "
                    + "without --db). To move clients and keys to PostgreSQL use `latch config export` and `latch config import`");
        }
        if (manifest.database().equals("postgresql") && !postgres) {
            throw new IllegalArgumentException(file + " is a backup of a PostgreSQL database; give --db jdbc:postgresql://HOST/DATABASE of a new, empty database");
        }
        if (postgres && force) {
            throw new IllegalArgumentException("--force replaces a data directory's files; a PostgreSQL database is restored only into an empty "
                    + "one (create a new database, or drop and create this one)");
        }
        KeyPlan key = planMasterKey(manifest, config);
        PrintWriter stdout = spec.commandLine().getOut();
        AdminLogging.quiet();
        Restored restored = postgres ? restorePostgres(config, key) : restoreEmbedded(config, key);
        Audit.success(AuditEvent.RESTORE).cli().file(file.toString()).count(restored.counts().values().stream().mapToLong(Long::longValue).sum())
                .reason(manifest.database() + " backup made " + manifest.created() + " into " + restored.where()).write();
        stdout.println("restored " + file + " (" + manifest.database() + ", made " + manifest.created() + ", schema version "
                + manifest.schemaVersion() + ") into " + restored.where() + ": " + Contents.summary(restored.counts()));
        stdout.println("master key: " + key.description());
        if (restored.replaced() != null) {
            stdout.println("the data it replaced is in " + restored.replaced() + "; delete it once the restored instance works");
        }
        stdout.flush();
        return 0;
    }

    /** Where the restored instance's master key comes from, and the file to put into its data directory, if any. */
    private record KeyPlan(MasterKey key, String description, Path file, boolean fromArchive) {}

    private record Restored(String where, Map<String, Long> counts, Path replaced) {}

    private KeyPlan planMasterKey(BackupArchive.Manifest manifest, ServerConfig config) {
        if (config.masterKey() != null) {
            if (masterKeyFile != null) {
                throw new IllegalArgumentException("--master-key-file: the master key comes from the configuration (master-key / LATCH_MASTER_KEY); "
                        + "give one or the other");
            }
            return new KeyPlan(MasterKey.parse("master-key (LATCH_MASTER_KEY)", config.masterKey()),
                    "from the configuration (master-key / LATCH_MASTER_KEY)", null, false);
        }
        if (manifest.includesMasterKey()) {
            if (masterKeyFile != null) {
                throw new IllegalArgumentException("--master-key-file: " + file + " holds its master key already");
            }
            return new KeyPlan(null, "from the backup, now " + config.data().resolve(MasterKey.FILE_NAME), null, true);
        }
        if (masterKeyFile == null) {
            throw new IllegalArgumentException(file + " does not hold the master key; give --master-key-file FILE "
                    + "(the master.key kept from the instance it was made of) or set LATCH_MASTER_KEY");
        }
        if (!Files.isRegularFile(masterKeyFile)) {
            throw new IllegalArgumentException("--master-key-file " + masterKeyFile + ": no such file");
        }
        return new KeyPlan(Contents.readKeyFile(masterKeyFile), "from " + masterKeyFile + ", now " + config.data().resolve(MasterKey.FILE_NAME),
                masterKeyFile, false);
    }

    private Restored restoreEmbedded(ServerConfig config, KeyPlan key) throws IOException {
        Path data = config.data().toAbsolutePath().normalize();
        boolean occupied = Files.isDirectory(data) && !entries(data).isEmpty();
        if (Files.exists(data) && !Files.isDirectory(data)) {
            throw new IllegalArgumentException(data + " is not a directory");
        }
        if (occupied) {
            EmbeddedDatabase.refuseIfInUse(data);
            if (!force) {
                throw new IllegalArgumentException(data + " is not empty; restore into a new or empty directory (--data), "
                        + "or give --force to move what it holds to " + data.resolve("replaced-…"));
            }
        }
        Path parent = data.getParent();
        Files.createDirectories(parent);
        Path staging = Files.createTempDirectory(parent, ".latch-restore-");
        boolean placed = false;
        try {
            BackupArchive.extract(file, BackupArchive.DATABASE_H2, staging.resolve(EmbeddedDatabase.FILE));
            placeKey(key, staging);
            MasterKey masterKey = key.key() != null ? key.key() : Contents.readKeyFile(staging.resolve(MasterKey.FILE_NAME));
            Map<String, Long> counts = check(config, Map.of("data", staging.toString()), masterKey, key.description());
            Path replaced = null;
            if (!Files.exists(data)) {
                Files.move(staging, data, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } else {
                if (occupied) {
                    replaced = data.resolve("replaced-" + STAMP.format(CommandContext.clock(spec).instant()));
                    Files.createDirectory(replaced);
                    for (Path p : entries(data)) {
                        if (!p.equals(replaced)) Files.move(p, replaced.resolve(p.getFileName()));
                    }
                }
                for (Path p : entries(staging)) {
                    Files.move(p, data.resolve(p.getFileName()));
                }
                Files.delete(staging);
            }
            placed = true;
            return new Restored(data.toString(), counts, replaced);
        } finally {
            if (!placed) deleteTree(staging);
        }
    }

    private Restored restorePostgres(ServerConfig config, KeyPlan key) throws IOException {
        String url = config.database().url();
        PostgresTools.Target target = PostgresTools.target(url, config.database().user(), config.database().password());
        Path pgRestore = PostgresTools.find("pg_restore").orElseThrow(() -> new IllegalStateException(
                "pg_restore is not on the PATH (Debian: apt-get install postgresql-client); see docs/guides/back-up-and-restore.md "
                        + "for restoring " + BackupArchive.DATABASE_POSTGRES + " from the archive by hand"));
        try (Database database = Database.openAsIs(url, config.database().user(), config.database().password())) {
            long tables = database.sql().queryOne("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()",
                    rs -> rs.getLong(1)).orElse(0L);
            if (tables > 0) {
                throw new IllegalArgumentException(target.uri() + " is not empty (" + tables + " tables in schema " + schema(database)
                        + "); restore into a new, empty database (createdb, or CREATE DATABASE …)");
            }
        }
        Path data = config.data();
        Path keyTarget = data.resolve(MasterKey.FILE_NAME);
        if ((key.file() != null || key.fromArchive()) && Files.exists(keyTarget)) {
            throw new IllegalArgumentException(keyTarget + " exists; the restored database's master key would replace it. Move it away "
                    + "or give another --data");
        }
        Path dump = BackupArchive.createPrivate(file.toAbsolutePath().getParent(), ".latch-restore-", ".pgdump");
        Files.delete(dump);
        Path extractedKey = null;
        try {
            BackupArchive.extract(file, BackupArchive.DATABASE_POSTGRES, dump);
            MasterKey masterKey = key.key();
            if (masterKey == null) {
                extractedKey = BackupArchive.createPrivate(file.toAbsolutePath().getParent(), ".latch-restore-", ".key");
                Files.delete(extractedKey);
                BackupArchive.extract(file, BackupArchive.MASTER_KEY, extractedKey);
                masterKey = Contents.readKeyFile(extractedKey);
            }
            // checked in the dump, before pg_restore writes anything into the target database
            String check = PostgresTools.settingInDump(pgRestore, dump, LatchInstance.masterKeyCheckSetting())
                    .orElseThrow(() -> new IllegalArgumentException(file + ": the dump holds no Latch data (no master key check)"));
            if (!LatchInstance.fits(check, masterKey)) {
                throw new IllegalStateException("the master key (" + key.description() + ") is not the one this database was created with: "
                        + "its signing keys and client_secret_jwt secrets could not be read");
            }
            PostgresTools.restore(pgRestore, target, dump);
        } finally {
            Files.deleteIfExists(dump);
            if (extractedKey != null) Files.deleteIfExists(extractedKey);
        }
        if (key.file() != null || key.fromArchive()) {
            Files.createDirectories(data);
            placeKey(key, data);
        }
        MasterKey masterKey = key.key() != null ? key.key() : Contents.readKeyFile(keyTarget);
        return new Restored(target.uri(), check(config, Map.of(), masterKey, key.description()), null);
    }

    private static String schema(Database database) {
        return database.sql().queryOne("SELECT current_schema()", rs -> rs.getString(1)).orElse("?");
    }

    /** Puts the master key file the plan names into {@code dir} (mode 600). */
    private void placeKey(KeyPlan key, Path dir) throws IOException {
        Path target = dir.resolve(MasterKey.FILE_NAME);
        if (key.fromArchive()) {
            BackupArchive.extract(file, BackupArchive.MASTER_KEY, target);
        } else if (key.file() != null) {
            BackupArchive.copyPrivate(key.file(), target);
        }
    }

    /**
     * Opens the restored data as the server will: the master key must fit, then the schema is brought
     * to this Latch's version; returns what it holds.
     */
    private Map<String, Long> check(ServerConfig config, Map<String, String> overrides, MasterKey masterKey, String keyDescription) {
        ServerConfig restored = instance.load(overrides);
        try (Database database = Database.openAsIs(restored.dbUrlOrEmbedded(), restored.database().user(), restored.database().password())) {
            Contents.requireFits(database, masterKey, keyDescription);
        }
        try (LatchInstance latch = LatchInstance.open(restored, CommandContext.clock(spec))) {
            return Contents.count(latch.database().sql(), CommandContext.clock(spec).instant().getEpochSecond());
        }
    }

    private static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
