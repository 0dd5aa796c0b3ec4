package dev.latch.cli;

import dev.latch.server.config.ConfigLoader;
import dev.latch.server.config.ServerConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Options every command that works on an instance's data shares with {@code latch serve}:
 * where the data is ({@code --data}, {@code --db}) and the configuration file.
 */
public final class InstanceOptions {

    @Option(names = "--data", paramLabel = "DIR", description = "Data directory: embedded database, generated master key (default ./latch-data).")
    Path data;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
    Path config;

    @Option(names = "--db", paramLabel = "JDBC_URL", description = "Database, e.g. jdbc:postgresql://127.0.0.1:5432/latch (default: embedded H2 in --data).")
    String db;

    @Option(names = "--db-user", paramLabel = "USER", description = "Database user; takes ${env:NAME}, ${file:PATH} or - (standard input).")
    String dbUser;

    @Option(names = "--db-password", paramLabel = "SECRET", description = "Database password: ${env:NAME}, ${file:PATH} or - (standard input).")
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

    ServerConfig load(Map<String, String> more) {
        Map<String, String> all = overrides();
        all.putAll(more);
        return ConfigLoader.system().load(config, all);
    }

    ServerConfig load() {
        return load(Map.of());
    }
}
