package dev.latch.gateway.realparts;

import dev.latch.server.RealPart;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A real nginx for tests: the installed binary (Debian's {@code /usr/sbin/nginx}, else the first on the
 * PATH) run as a child process in the foreground over a temporary directory that holds everything it
 * writes — its configuration, pid file, error and access logs, temporary body files — listening on
 * 127.0.0.1 on a free port. Closing it stops nginx (and its workers) and deletes the directory.
 *
 * <p>The caller gives the directives of the one {@code server} block (the fixture adds {@code listen} and
 * {@code root DIR/html}); the function receives the directory first, so it can put files there.
 * Worker processes run as nginx's default user when the test runs as root, so the directory is made
 * readable for them rather than running them as root.
 *
 * <p>Without nginx a test using this is skipped with the reason — or fails where the environment
 * variable {@code CI} is set, since CI installs it ({@code .ci/run}): CI never passes without it.
 */
public final class NginxProcess implements AutoCloseable {

    /** What to install when nginx is missing. */
    public static final String INSTALL = "apt-get install nginx-light";

    private static final Duration STARTUP = Duration.ofSeconds(20);

    private final Process process;
    private final Path dir;
    private final int port;
    private final Thread shutdownHook;

    private NginxProcess(Process process, Path dir, int port, Thread shutdownHook) {
        this.process = process;
        this.dir = dir;
        this.port = port;
        this.shutdownHook = shutdownHook;
    }

    /**
     * Starts nginx with one server whose directives {@code server} returns for the working directory;
     * skips the calling test when nginx is not installed (fails when {@code CI} is set).
     */
    public static NginxProcess start(Function<Path, String> server) {
        Path binary = requireInstalled(System.getenv());
        Path dir;
        try {
            dir = Files.createTempDirectory(tempBase(), "latch-nginx");
            worldReadable(dir);
            worldReadable(Files.createDirectory(dir.resolve("html")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String serverDirectives;
        try {
            serverDirectives = server.apply(dir);
        } catch (RuntimeException e) {
            delete(dir);
            throw e;
        }
        String version = version(binary);
        IllegalStateException last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            int port = freePort();
            try {
                Files.writeString(dir.resolve("nginx.conf"), config(dir, port, serverDirectives, version));
                Files.deleteIfExists(dir.resolve("error.log"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Process process;
            try {
                process = new ProcessBuilder(binary.toString(), "-p", dir + "/", "-c", dir.resolve("nginx.conf").toString(),
                        "-g", "daemon off; pid " + dir.resolve("nginx.pid") + ";")
                        .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot run " + binary + ": " + e.getMessage(), e);
            }
            Thread hook = new Thread(() -> stop(process), "nginx-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            NginxProcess nginx = new NginxProcess(process, dir, port, hook);
            try {
                nginx.awaitListening();
                return nginx;
            } catch (IllegalStateException e) {
                nginx.stopOnly();
                last = e;
                // a free port picked a moment ago can be taken by someone else before nginx binds it
                if (!e.getMessage().contains("Address already in use")) break;
            }
        }
        delete(dir);
        throw last;
    }

    /**
     * Where the working directory goes: RAM ({@code /dev/shm}) when it has room for the gigabyte-sized
     * files of the streaming tests, so they measure the gateway rather than the disk; else the temp directory.
     */
    private static Path tempBase() {
        Path shm = Path.of("/dev/shm");
        try {
            if (Files.isDirectory(shm) && Files.isWritable(shm) && Files.getFileStore(shm).getUsableSpace() > (2L << 30)) {
                return shm;
            }
        } catch (IOException e) {
            // use the usual temp directory
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** The nginx binary; skips the calling test without it, or fails when {@code env} has {@code CI} set. */
    static Path requireInstalled(Map<String, String> env) {
        return requireInstalled(candidates(), env);
    }

    /** The first executable of {@code candidates}; without one, skips — or fails when {@code env} has {@code CI} set. */
    static Path requireInstalled(List<Path> candidates, Map<String, String> env) {
        Path found = candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
        RealPart.require(found != null, "nginx is not installed (Debian: " + INSTALL + ")", env);
        return found;
    }

    /** Debian's place, then the PATH. */
    private static List<Path> candidates() {
        List<Path> candidates = new ArrayList<>(List.of(Path.of("/usr/sbin/nginx")));
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                if (!d.isEmpty()) candidates.add(Path.of(d, "nginx"));
            }
        }
        return candidates;
    }

    /** {@code nginx -V}: what it was built with, to know which temporary-path directives it has. */
    private static String version(Path binary) {
        try {
            Process p = new ProcessBuilder(binary.toString(), "-V").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String config(Path dir, int port, String server, String version) {
        StringBuilder temp = new StringBuilder();
        temp.append("    client_body_temp_path ").append(dir.resolve("client_body")).append(";\n");
        temp.append("    proxy_temp_path ").append(dir.resolve("proxy")).append(";\n");
        // each module compiled in would otherwise create its default directory (/var/lib/nginx/…) at start
        for (String module : List.of("fastcgi", "uwsgi", "scgi")) {
            if (!version.contains("--without-http_" + module + "_module")) {
                temp.append("    ").append(module).append("_temp_path ").append(dir.resolve(module)).append(";\n");
            }
        }
        return """
                worker_processes 1;
                error_log %1$s/error.log info;
                events { worker_connections 512; }
                http {
                    access_log %1$s/access.log;
                %2$s    default_type application/octet-stream;
                    server_tokens off;
                    server {
                        listen 127.0.0.1:%3$d;
                        root %1$s/html;
                %4$s
                    }
                }
                """.formatted(dir, temp, port, server.indent(8).stripTrailing());
    }

    private void awaitListening() {
        dev.latch.server.ProcessPorts.awaitListening(process, "nginx", port, STARTUP, this::output);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void worldReadable(Path p) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** A directory under the document root that nginx's workers may write to (for WebDAV PUT). */
    public static Path writableDirectory(Path dir, String name) {
        try {
            Path d = Files.createDirectories(dir.resolve("html").resolve(name));
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT} followed by {@code path}. */
    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** The working directory (configuration, logs, {@code html/} the document root). */
    public Path dir() {
        return dir;
    }

    public Path root() {
        return dir.resolve("html");
    }

    /** nginx's own output and error log so far, for failure messages. */
    public String output() {
        StringBuilder b = new StringBuilder();
        for (String name : List.of("nginx.out", "error.log")) {
            Path p = dir.resolve(name);
            try {
                if (Files.exists(p)) b.append("--- ").append(name).append('\n').append(Files.readString(p));
            } catch (IOException e) {
                b.append("(").append(name).append(": ").append(e.getMessage()).append(")\n");
            }
        }
        return b.toString();
    }

    /** The access log so far (one line per request nginx finished). */
    public List<String> accessLog() {
        try {
            Path p = dir.resolve("access.log");
            return Files.exists(p) ? Files.readAllLines(p) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void stopOnly() {
        stop(process);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    /** SIGTERM (nginx's fast shutdown), then SIGKILL for whatever of it is left, workers included. */
    private static void stop(Process process) {
        List<ProcessHandle> workers = process.descendants().toList();
        dev.latch.server.ProcessPorts.stop(process);
        workers.forEach(ProcessHandle::destroyForcibly);
    }

    @Override
    public void close() {
        stopOnly();
        delete(dir);
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory; the OS cleans up
        }
    }
}
