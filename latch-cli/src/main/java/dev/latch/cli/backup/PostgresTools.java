package dev.latch.cli.backup;

import java.io.File;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * PostgreSQL's own {@code pg_dump} and {@code pg_restore}, pointed at the database a JDBC URL names.
 * The user and password travel in {@code PGUSER}/{@code PGPASSWORD}, never on the command line.
 */
final class PostgresTools {

    /** Options that keep a dump restorable into a database owned by another role. */
    static final List<String> DUMP_OPTIONS = List.of("--format=custom", "--no-owner", "--no-privileges");
    static final List<String> RESTORE_OPTIONS = List.of("--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction");

    /** JDBC URL parameters with a libpq connection-URI parameter of the same meaning. */
    private static final Map<String, String> LIBPQ_PARAMETERS = Map.of("sslmode", "sslmode", "sslrootcert", "sslrootcert",
            "sslcert", "sslcert", "sslkey", "sslkey", "connectTimeout", "connect_timeout", "ApplicationName", "application_name");

    /**
     * A database as libpq sees it.
     *
     * @param uri    {@code postgresql://host:port/database?…} (no credentials)
     * @param schema the JDBC URL's {@code currentSchema}, or null
     */
    record Target(String uri, String user, String password, String schema) {

        /** The environment the tools need beside the URI. */
        Map<String, String> environment() {
            Map<String, String> env = new LinkedHashMap<>();
            if (user != null) env.put("PGUSER", user);
            if (password != null) env.put("PGPASSWORD", password);
            return env;
        }

        List<String> schemaOptions() {
            return schema == null ? List.of() : List.of("--schema=" + schema);
        }
    }

    private PostgresTools() {}

    /** Translates a {@code jdbc:postgresql:} URL (credentials from the options win over the URL's). */
    static Target target(String jdbcUrl, String user, String password) {
        String rest = jdbcUrl.substring("jdbc:postgresql:".length());
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        String hostsAndDb = rest.startsWith("//") ? rest.substring(2) : "localhost/" + rest;
        int slash = hostsAndDb.indexOf('/');
        String hosts = slash < 0 ? hostsAndDb : hostsAndDb.substring(0, slash);
        String database = slash < 0 ? "" : hostsAndDb.substring(slash + 1);
        String urlUser = null;
        String urlPassword = null;
        String schema = null;
        List<String> libpq = new ArrayList<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            switch (name) {
                case "user" -> urlUser = value;
                case "password" -> urlPassword = value;
                case "currentSchema" -> schema = value;
                default -> {
                    String mapped = LIBPQ_PARAMETERS.get(name);
                    if (mapped != null) libpq.add(mapped + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
                    // other parameters tune the JDBC driver only
                }
            }
        }
        String uri = "postgresql://" + (hosts.isEmpty() ? "localhost" : hosts) + "/" + database
                + (libpq.isEmpty() ? "" : "?" + String.join("&", libpq));
        return new Target(uri, user != null ? user : urlUser, password != null ? password : urlPassword, schema);
    }

    /** The program on the {@code PATH}, if there. */
    static Optional<Path> find(String program) {
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return Optional.of(candidate);
        }
        return Optional.empty();
    }

    /** The {@code pg_dump} command line for {@code target} into {@code file}, as a person would type it. */
    static String dumpCommand(Target target, String file) {
        List<String> words = new ArrayList<>();
        if (target.user() != null) words.add("PGUSER=" + shellQuote(target.user()));
        if (target.password() != null) words.add("PGPASSWORD=…");
        words.add("pg_dump");
        words.addAll(DUMP_OPTIONS);
        words.addAll(target.schemaOptions());
        words.add("--file=" + shellQuote(file));
        words.add(shellQuote(target.uri()));
        return String.join(" ", words);
    }

    /** Runs {@code pg_dump} of {@code target} into {@code out}. */
    static void dump(Path pgDump, Target target, Path out) throws IOException {
        List<String> command = new ArrayList<>(List.of(pgDump.toString()));
        command.addAll(DUMP_OPTIONS);
        command.addAll(target.schemaOptions());
        command.add("--file=" + out);
        command.add("--dbname=" + target.uri());
        run("pg_dump", command, target);
    }

    /** Runs {@code pg_restore} of {@code dump} into {@code target}, all or nothing. */
    static void restore(Path pgRestore, Target target, Path dump) throws IOException {
        List<String> command = new ArrayList<>(List.of(pgRestore.toString()));
        command.addAll(RESTORE_OPTIONS);
        command.add("--dbname=" + target.uri());
        command.add(dump.toString());
        run("pg_restore", command, target);
    }

    /**
     * One row of the {@code settings} table as the dump holds it, read with {@code pg_restore --data-only}
     * (COPY text format), so a restore can check the master key before it writes anything.
     */
    static Optional<String> settingInDump(Path pgRestore, Path dump, String name) throws IOException {
        Path sql = Files.createTempFile("latch-settings-", ".sql");
        try {
            run("pg_restore", List.of(pgRestore.toString(), "--data-only", "--table=settings", "--file=" + sql, dump.toString()),
                    new Target("", null, null, null));
            List<String> lines = Files.readAllLines(sql, StandardCharsets.UTF_8);
            List<String> columns = null;
            for (String line : lines) {
                if (columns == null) {
                    java.util.regex.Matcher copy = java.util.regex.Pattern.compile("^COPY \\S*settings \\(([^)]*)\\) FROM stdin;$").matcher(line);
                    if (copy.matches()) columns = List.of(copy.group(1).split(",\\s*"));
                } else if (line.equals("\\.")) {
                    break;
                } else {
                    String[] values = line.split("\t", -1);
                    int n = columns.indexOf("name");
                    int v = columns.indexOf("setting_value");
                    if (n >= 0 && v >= 0 && values.length == columns.size() && values[n].equals(name)) {
                        return Optional.of(values[v]);
                    }
                }
            }
            return Optional.empty();
        } finally {
            Files.deleteIfExists(sql);
        }
    }

    private static void run(String name, List<String> command, Target target) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(target.environment());
        Path errors = Files.createTempFile("latch-" + name + "-", ".log");
        try {
            pb.redirectErrorStream(true).redirectOutput(errors.toFile());
            Process p = pb.start();
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                p.destroy();
                Thread.currentThread().interrupt();
                throw new IllegalStateException(name + " was interrupted");
            }
            if (p.exitValue() != 0) {
                String output = Files.readString(errors).strip();
                throw new IllegalStateException(name + " failed (exit " + p.exitValue() + "): "
                        + (output.isEmpty() ? "no message" : output.lines().findFirst().orElse(output)));
            }
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    static String shellQuote(String s) {
        return s.matches("[A-Za-z0-9_./:=@%+,-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }
}
