package dev.latch.cli.instance;

import dev.latch.cli.context.CommandContext;
import dev.latch.cli.options.SecretOptions;
import dev.latch.server.LatchInstance;
import dev.latch.server.config.ConfigLoader;
import dev.latch.server.config.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Options every command that works on an instance's data shares with {@code latch serve}:
 * where the data is ({@code --data}, {@code --db}) and the configuration file.
 */
public final class InstanceOptions {

    /** File name H2 gives the embedded database inside the data directory. */
    private static final String EMBEDDED_FILE = "latch.mv.db";

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--data", paramLabel = "DIR", description = "Data directory: embedded database, generated master key (default ./latch-data).")
    Path data;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
    Path config;

    @Option(names = "--db", paramLabel = "JDBC_URL", description = "Database, e.g. jdbc:postgresql://127.0.0.1:5432/latch (default: embedded H2 in --data).")
    String db;

    @Option(names = "--db-user", paramLabel = "USER", description = "Database user; takes $${env:NAME}, $${file:PATH} or - (standard input).")
    String dbUser;

    @Option(names = "--db-password", paramLabel = "SECRET", description = "Database password: $${env:NAME}, $${file:PATH} or - (standard input).")
    String dbPassword;

    /** Settings given on the command line, by their dotted configuration names. */
    Map<String, String> overrides() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("data", data == null ? null : data.toString());
        o.put("database.url", db);
        o.put("database.user", dbUser);
        o.put("database.password", dbPassword);
        return o;
    }

    /** The effective configuration: defaults, {@code --config}, {@code LATCH_*} environment, then these options and {@code more}. */
    public ServerConfig load(Map<String, String> more) {
        if (command != null && dbPassword != null) {
            SecretOptions.warnIfLiteral(command, "--db-password", dbPassword);
        }
        Map<String, String> all = overrides();
        all.putAll(more);
        return new ConfigLoader(System::getenv, CommandContext.secrets(command)).load(config, all);
    }

    public ServerConfig load() {
        return load(Map.of());
    }

    /**
     * Opens the instance for an administrative command.
     *
     * @param mayCreate false for commands that only make sense on existing data: with the embedded
     *                  database, a mistyped {@code --data} then fails instead of creating a new, empty instance
     */
    public LatchInstance open(boolean mayCreate) {
        ServerConfig loaded = load();
        if (!mayCreate && loaded.database().url() == null && !Files.exists(loaded.data().resolve(EMBEDDED_FILE))) {
            throw new IllegalArgumentException("no Latch data in " + loaded.data() + " (check --data; `latch serve` or `latch clients add` creates it)");
        }
        AdminLogging.quiet();
        return LatchInstance.open(loaded, Clock.systemUTC());
    }
}
