package dev.latch.server.storage;

import dev.latch.server.LatchServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of a test's own, made with Debian's {@code initdb} and run with {@code pg_ctl} on a
 * free loopback port, so a test may stop and start it (an outage) without touching the shared server on
 * 5432. PostgreSQL refuses to run as root: when the tests run as root (CI) its commands run as the
 * {@code postgres} user ({@code runuser}), in a directory that user owns. Trust authentication, user
 * {@code postgres}; closing it stops the server and deletes its files.
 */
public final class PostgresCluster implements AutoCloseable {

    public static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    /** What {@link dev.latch.server.RealPart#require} says when the server binaries are missing. */
    public static final String MISSING = "PostgreSQL 15 server binaries (" + BIN + "/initdb, pg_ctl; Debian package postgresql-15)";

    private final Path directory;
    private final int port;

    private PostgresCluster(Path directory, int port) {
        this.directory = directory;
        this.port = port;
    }

    /** True when Debian's PostgreSQL 15 server binaries are installed. */
    public static boolean available() {
        return Files.isExecutable(BIN.resolve("initdb")) && Files.isExecutable(BIN.resolve("pg_ctl"));
    }

    /** Creates a cluster in a new temporary directory and starts it. */
    public static PostgresCluster start() {
        try {
            Path directory = Files.createTempDirectory("latch-pg-");
            if (isRoot()) {
                UserPrincipalLookupService users = directory.getFileSystem().getUserPrincipalLookupService();
                Files.setOwner(directory, users.lookupPrincipalByName("postgres"));
            }
            PostgresCluster cluster = new PostgresCluster(directory, LatchServer.freePort());
            try {
                cluster.run(BIN.resolve("initdb").toString(), "-D", cluster.data(), "-U", "postgres", "--auth=trust",
                        "-E", "UTF8", "--no-sync", "--no-instructions");
                cluster.resume();
            } catch (RuntimeException | Error e) {
                cluster.close();
                throw e;
            }
            return cluster;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JDBC URL of its {@code postgres} database (user {@code postgres}, no password). */
    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    public int port() {
        return port;
    }

    /** Starts the server (again) on the same port and data, waiting until it accepts connections. */
    public void resume() {
        run(BIN.resolve("pg_ctl").toString(), "-D", data(), "-l", directory.resolve("server.log").toString(), "-w", "-t", "60",
                "-o", "-p " + port + " -k " + directory + " -c listen_addresses=127.0.0.1 -c fsync=off", "start");
    }

    /**
     * Stops the server as an operator or a failing host would: {@code fast} ends every session at once
     * (clients see their connections terminated), {@code immediate} is a crash without a checkpoint.
     */
    public void stop(String mode) {
        run(BIN.resolve("pg_ctl").toString(), "-D", data(), "-m", mode, "-w", "-t", "60", "stop");
    }

    @Override
    public void close() {
        try {
            if (Files.exists(directory.resolve("data/postmaster.pid"))) {
                stop("immediate");
            }
        } finally {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temporary directory
            }
        }
    }

    private String data() {
        return directory.resolve("data").toString();
    }

    private void run(String... command) {
        List<String> full = new ArrayList<>();
        if (isRoot()) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(List.of(command));
        try {
            Path out = Files.createTempFile("latch-pg-cmd-", ".log");
            try {
                Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(out.toFile()).start();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", full) + " did not finish within 120 s");
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", full) + " exited with " + p.exitValue() + ":\n"
                            + Files.readString(out, StandardCharsets.UTF_8) + serverLog());
                }
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String serverLog() {
        try {
            Path log = directory.resolve("server.log");
            return Files.exists(log) ? "\nserver log:\n" + Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
