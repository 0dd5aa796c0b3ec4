package dev.latch.server.cluster;

import dev.latch.server.RealPart;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real HAProxy (Debian's {@code /usr/sbin/haproxy}) run by a test as a child process in the foreground,
 * balancing HTTP round-robin over Latch nodes on 127.0.0.1, each checked with {@code GET /healthz} on its
 * management port (as the guide "Run Latch on several nodes" shows). Every answer carries
 * {@code X-Latch-Node: NAME} of the node that made it, so a test sees which node served. Closing it stops
 * HAProxy and deletes its directory. Without HAProxy the calling test is skipped with the reason, or fails
 * on CI ({@link RealPart}).
 */
public final class HaproxyProcess implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/sbin/haproxy");
    private static final Duration STARTUP = Duration.ofSeconds(20);

    /** One node behind the balancer: its name, public port and management port. */
    public record Backend(String name, int port, int managementPort) {}

    private final Process process;
    private final Path dir;
    private final int port;

    private HaproxyProcess(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** Skips the calling test without HAProxy (fails on CI). */
    public static void require() {
        RealPart.require(Files.isExecutable(BINARY), BINARY + " is missing (Debian: apt-get install haproxy)");
    }

    /** The configuration for {@code backends} behind 127.0.0.1:{@code port}: what the guide shows, plus the node header. */
    static String config(int port, List<Backend> backends) {
        StringBuilder servers = new StringBuilder();
        for (Backend b : backends) {
            servers.append("    server ").append(b.name()).append(" 127.0.0.1:").append(b.port())
                    .append(" check port ").append(b.managementPort()).append(" inter 500ms fall 2 rise 1\n");
        }
        return """
                global
                    maxconn 1024
                defaults
                    mode http
                    timeout connect 5s
                    timeout client 60s
                    timeout server 60s
                frontend latch
                    bind 127.0.0.1:%d
                    option forwardfor
                    default_backend latch_nodes
                backend latch_nodes
                    balance roundrobin
                    option httpchk GET /healthz
                    http-check expect status 200
                    http-response set-header X-Latch-Node %%s
                %s""".formatted(port, servers);
    }

    /** Starts HAProxy on 127.0.0.1:{@code port} and waits until it accepts connections. */
    public static HaproxyProcess start(int port, List<Backend> backends) {
        require();
        Path dir;
        try {
            dir = Files.createTempDirectory("latch-haproxy");
            Files.writeString(dir.resolve("haproxy.cfg"), config(port, backends));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Process process;
        try {
            process = new ProcessBuilder(BINARY.toString(), "-db", "-f", dir.resolve("haproxy.cfg").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.out").toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + BINARY + ": " + e.getMessage(), e);
        }
        HaproxyProcess haproxy = new HaproxyProcess(process, dir, port);
        try {
            haproxy.awaitListening();
        } catch (RuntimeException e) {
            haproxy.close();
            throw e;
        }
        return haproxy;
    }

    private void awaitListening() {
        dev.latch.server.ProcessPorts.awaitListening(process, "haproxy", port, STARTUP, this::output);
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** What HAProxy printed (its warnings and alerts). */
    public String output() {
        try {
            return Files.readString(dir.resolve("haproxy.out"));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        dev.latch.server.ProcessPorts.stop(process);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory; the OS cleans up
        }
    }
}
