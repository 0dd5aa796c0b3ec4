package dev.latch.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Parent side of a {@link ServerProcess}: a real second server JVM, started with the test JVM's own
 * java binary and class path, on loopback ports chosen here. Closing it always ends the process.
 */
public final class ChildServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Process process;
    private final Path log;
    private final int port;
    private final int managementPort;

    private ChildServer(Process process, Path log, int port, int managementPort) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.managementPort = managementPort;
    }

    /**
     * Starts a server and waits until it serves.
     *
     * @param settings    settings as for {@code TestServer} ({@code issuer}, {@code data}…); port and management port are added
     * @param environment {@code LATCH_*} variables for the child; inherited {@code LATCH_*} variables are removed
     */
    public static ChildServer start(String name, Map<String, String> settings, Map<String, String> environment) {
        int port = LatchServer.freePort();
        int managementPort = LatchServer.freePort();
        String java = ProcessHandle.current().info().command().orElseThrow(() -> new IllegalStateException("cannot find this JVM's java binary"));
        // surefire may put only a manifest jar on java.class.path; its Class-Path works for the child just the same
        String classPath = System.getProperty("java.class.path");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED"));
        command.addAll(SuiteSecrets.childJvmOptions());
        command.addAll(List.of("-cp", classPath, ServerProcess.class.getName(), "port=" + port, "management.port=" + managementPort));
        settings.forEach((k, v) -> command.add(k + "=" + v));
        try {
            Path log = Files.createTempFile("latch-child-" + name + "-", ".log");
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("LATCH_"));
            pb.environment().putAll(environment);
            ChildServer child = new ChildServer(pb.start(), log, port, managementPort);
            try {
                child.awaitReady();
            } catch (RuntimeException | Error e) {
                child.close();
                throw e;
            }
            return child;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady() {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (output().contains(ServerProcess.READY)) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError("child server exited with " + process.exitValue() + ":\n" + output());
            }
            try {
                process.waitFor(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("child server not ready within " + START_TIMEOUT + ":\n" + output());
    }

    /** Base URL on loopback (the issuer may differ: nodes of one cluster share an issuer). */
    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public String managementUrl(String path) {
        return "http://127.0.0.1:" + managementPort + path;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Ends the process as {@code kill -9} does (SIGKILL: no shutdown hook, no flush), and waits until it is gone. */
    public void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("child server still alive 30 s after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Everything the child printed so far. */
    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        try {
            try {
                process.getOutputStream().close(); // EOF on stdin: the child stops cleanly
            } catch (IOException ignored) {
                // already gone
            }
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            try {
                Files.deleteIfExists(log);
            } catch (IOException ignored) {
                // a temporary file
            }
        }
    }
}
