package dev.latch.cli.backup;

import dev.latch.cli.context.CommandContext;
import dev.latch.cli.instance.AdminLogging;
import dev.latch.cli.instance.InstanceOptions;
import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import dev.latch.server.config.ServerConfig;
import dev.latch.server.keys.MasterKey;
import dev.latch.server.storage.Database;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code latch backup --out FILE}. */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Back up an instance's data to one file (a zip archive, mode 600): the database and a manifest "
                + "(what it holds, its schema version, SHA-256 of each part).",
                "Embedded H2: a transactionally consistent copy made online, while `latch serve` runs and issues tokens.",
                "PostgreSQL: runs pg_dump (custom format) when it is on the PATH; otherwise prints the pg_dump command to run.",
                "The master key: when it is master.key in the data directory, say whether the backup holds it "
                        + "(--include-master-key) or you keep it elsewhere (--without-master-key); a backup without it cannot be restored. "
                        + "A master key from the configuration (LATCH_MASTER_KEY) is never copied: keep it where you keep that secret."})
public final class BackupCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The backup file to write (mode 600).")
    Path out;

    @Option(names = "--force", description = "Replace --out if it exists.")
    boolean force;

    @ArgGroup(exclusive = true)
    KeyChoice key = new KeyChoice();

    static final class KeyChoice {
        @Option(names = "--include-master-key", description = "Put master.key in the backup: anyone who reads the backup can then decrypt the signing keys.")
        boolean include;

        @Option(names = "--without-master-key", description = "Leave master.key out: you keep it elsewhere, and restore needs it (--master-key-file).")
        boolean without;
    }

    @Override
    public Integer call() throws IOException {
        ServerConfig config = instance.load();
        String url = config.database().url();
        if (url != null && !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("latch backup copies the embedded database (--data) or PostgreSQL (--db jdbc:postgresql:…); "
                    + "back up the database at " + url + " with its own tools");
        }
        boolean postgres = url != null;
        if (Files.isDirectory(out)) {
            throw new IllegalArgumentException(out + " is a directory; --out names the backup file");
        }
        if (Files.exists(out) && !force) {
            throw new IllegalArgumentException(out + " exists; give --force to replace it");
        }
        Path parent = out.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent)) {
            throw new IllegalArgumentException(parent + ": no such directory");
        }
        if (!postgres && !EmbeddedDatabase.exists(config.data())) {
            throw new IllegalArgumentException("no Latch data in " + config.data() + " (check --data)");
        }
        Path pgDump = null;
        PostgresTools.Target target = null;
        if (postgres) {
            target = PostgresTools.target(url, config.database().user(), config.database().password());
            pgDump = PostgresTools.find("pg_dump").orElse(null);
            if (pgDump == null) {
                throw new IllegalStateException("pg_dump is not on the PATH (Debian: apt-get install postgresql-client). Run it yourself:\n  "
                        + PostgresTools.dumpCommand(target, out.toString())
                        + "\n  and keep the master key and the configuration beside the dump (docs/guides/back-up-and-restore.md)");
            }
        }

        // the master key: decided before anything is copied
        MasterKey masterKey;
        String keySource;
        String keyState;
        Path keyFile = null;
        if (config.masterKey() != null) {
            if (key.include) {
                throw new IllegalArgumentException("--include-master-key: the master key comes from the configuration (master-key / LATCH_MASTER_KEY), "
                        + "not from a file; latch backup does not copy it. Keep it where you keep that secret");
            }
            masterKey = MasterKey.parse("master-key (LATCH_MASTER_KEY)", config.masterKey());
            keySource = "master-key / LATCH_MASTER_KEY";
            keyState = BackupArchive.Manifest.KEY_CONFIGURED;
        } else {
            Path file = config.data().resolve(MasterKey.FILE_NAME);
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException("no master key: LATCH_MASTER_KEY is not set and " + file + " does not exist; "
                        + "without it the database's signing keys cannot be read (check --data and the environment)");
            }
            if (!key.include && !key.without) {
                throw new IllegalArgumentException("the master key is " + file + ", and a backup without it cannot be restored: give "
                        + "--include-master-key to put it in the backup (anyone who reads the backup can then decrypt the signing keys), "
                        + "or --without-master-key when you keep a copy of it elsewhere");
            }
            masterKey = Contents.readKeyFile(file);
            keySource = file.toString();
            keyState = key.include ? BackupArchive.Manifest.KEY_INCLUDED : BackupArchive.Manifest.KEY_LEFT_OUT;
            keyFile = key.include ? file : null;
        }

        Instant now = CommandContext.clock(spec).instant();
        Path copy = BackupArchive.createPrivate(parent, ".latch-backup-", postgres ? ".pgdump" : ".mv.db");
        Map<String, Long> counts;
        String schemaVersion;
        try {
            AdminLogging.quiet();
            try (Database database = Database.openAsIs(config.dbUrlOrEmbedded(), config.database().user(), config.database().password())) {
                Contents.requireFits(database, masterKey, keySource);
                schemaVersion = database.schemaVersion().orElse(null);
                if (postgres) {
                    counts = Contents.count(database.sql(), now.getEpochSecond());
                    PostgresTools.dump(pgDump, target, copy);
                } else {
                    // counted in the copy, so the report matches what the backup holds
                    EmbeddedDatabase.copy(database, config.data(), copy);
                    counts = null;
                }
            }
            if (counts == null) {
                counts = EmbeddedDatabase.count(copy, now.getEpochSecond());
            }
            BackupArchive.write(out, postgres ? "postgresql" : "h2", schemaVersion, now, counts, copy, keyState, keyFile);
        } finally {
            Files.deleteIfExists(copy);
        }

        Audit.success(AuditEvent.BACKUP).cli().file(out.toString()).count(counts.values().stream().mapToLong(Long::longValue).sum())
                .reason((postgres ? "postgresql" : "h2") + ", schema version " + schemaVersion + ", master key " + keyState).write();
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println("backed up " + (postgres ? "PostgreSQL " + target.uri() : "the embedded database in " + config.data())
                + " (schema version " + schemaVersion + "; " + Contents.summary(counts) + ") to " + out);
        stdout.println("master key: " + keyState);
        stdout.flush();
        PrintWriter stderr = spec.commandLine().getErr();
        if (key.include) {
            stderr.println("latch: " + out + " holds the master key: anyone who can read it can decrypt the signing keys; "
                    + "store it as you would the key itself");
        } else {
            stderr.println("latch: keep the master key (" + keySource + ") beside this backup, apart from it: restore needs it");
        }
        stderr.flush();
        return 0;
    }
}
