package dev.latch.smarttest;

import dev.latch.server.RealPart;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The SMART stack exactly as a user starts it: {@code examples/smart/run.sh} (HAPI FHIR with sample
 * patients, {@code latch serve}, {@code latch gateway} with {@code mode: smart}, the sample app) on free
 * ports, started once for the test JVM and stopped with SIGTERM when it exits. The tests drive it from
 * outside only, over HTTP and a browser.
 */
public final class SmartStack {

    /** The password run.sh gives its users dr.smith (a practitioner, smart-simulator) and amy (Patient/p1). */
    public static final String PASSWORD = "correct horse battery staple";
    private static final Duration START = Duration.ofSeconds(240);
    private static SmartStack shared;

    public final String issuer;
    public final String fhirBase;
    public final String app;
    public final String fhirUpstream;
    public final String ehrSecret;
    /** The secret of {@code sample-confidential-app} (client_secret_basic; same redirect, launch URL and scopes as the sample app). */
    public final String confidentialSecret;
    public final Path work;
    private final Process process;

    private SmartStack(Process process, Path work, Map<String, String> ready) {
        this.process = process;
        this.work = work;
        this.issuer = ready.get("ISSUER");
        this.fhirBase = ready.get("FHIR_BASE");
        this.app = ready.get("APP");
        this.fhirUpstream = ready.get("FHIR_UPSTREAM");
        this.ehrSecret = ready.get("EHR_SECRET");
        this.confidentialSecret = ready.get("CONFIDENTIAL_APP_SECRET");
        // for AuditSecrecyIT: the stack's Latch writes its audit lines beside the suite's (LATCH_AUDIT_FILE below)
        dev.latch.server.SuiteSecrets.record(PASSWORD);
        dev.latch.server.SuiteSecrets.record(ehrSecret);
        dev.latch.server.SuiteSecrets.record(confidentialSecret);
    }

    /** The stack of this test JVM, started on first use. */
    public static synchronized SmartStack get() {
        if (shared == null) {
            shared = start();
            SmartStack started = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop));
        }
        return shared;
    }

    private static SmartStack start() {
        Path root = checkout();
        RealPart.require(Files.isRegularFile(root.resolve("peers/node/node_modules/fhirclient/build/fhir-client.js")),
                "npm fhirclient is not installed (cd peers/node && npm ci)");
        RealPart.require(Files.isRegularFile(root.resolve("latch-fhir-sample/target/latch-fhir-sample.jar")),
                "latch-fhir-sample/target/latch-fhir-sample.jar is not built (mvn -pl latch-fhir-sample -am package)");
        try {
            Path work = Files.createTempDirectory("latch-smart-stack");
            Path readyFile = work.resolve("ready");
            ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("examples/smart/run.sh").toString())
                    .redirectErrorStream(true).redirectOutput(work.resolve("run.log").toFile());
            Map<String, String> env = pb.environment();
            List<Integer> ports = freePorts(4);
            env.put("LATCH_PORT", ports.get(0).toString());
            env.put("GATEWAY_PORT", ports.get(1).toString());
            env.put("FHIR_PORT", ports.get(2).toString());
            env.put("APP_PORT", ports.get(3).toString());
            env.put("SMART_WORK", work.resolve("stack").toString());
            env.put("SMART_READY_FILE", readyFile.toString());
            env.put("SMART_PASSWORD", PASSWORD);
            String auditLog = System.getProperty("latch.test.audit-log");
            if (auditLog != null) env.put("LATCH_AUDIT_FILE", Path.of(auditLog).resolveSibling("smart-stack.jsonl").toString());
            Process process = pb.start();
            long deadline = System.nanoTime() + START.toNanos();
            while (!Files.exists(readyFile)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.destroy();
                    throw new AssertionError("examples/smart/run.sh did not get ready (exit "
                            + (process.isAlive() ? "none: timed out" : process.exitValue()) + "):\n" + Files.readString(work.resolve("run.log")));
                }
                Thread.sleep(100);
            }
            Map<String, String> ready = new LinkedHashMap<>();
            for (String line : Files.readAllLines(readyFile)) {
                int eq = line.indexOf('=');
                if (eq > 0) ready.put(line.substring(0, eq), line.substring(eq + 1));
            }
            return new SmartStack(process, work, ready);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGTERM to run.sh, which stops what it started; then the rest by force. */
    void stop() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The run.sh output and the logs of everything it started, for a failing test's message. */
    public String logs() {
        StringBuilder out = new StringBuilder();
        for (String name : List.of("run.log", "stack/latch.log", "stack/gateway.log", "stack/fhir.log")) {
            Path p = work.resolve(name);
            try {
                if (Files.exists(p)) {
                    List<String> lines = Files.readAllLines(p);
                    out.append("--- ").append(name).append(" (last 40 lines)\n");
                    lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> out.append(l).append('\n'));
                }
            } catch (IOException e) {
                out.append("--- ").append(name).append(": ").append(e.getMessage()).append('\n');
            }
        }
        return out.toString();
    }

    /** The checkout: the parent of this module's directory (Maven runs tests in the module's folder). */
    static Path checkout() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("examples/smart/run.sh"))) dir = dir.getParent();
        if (dir == null) throw new IllegalStateException("examples/smart/run.sh not found above " + Path.of("").toAbsolutePath());
        return dir;
    }

    private static List<Integer> freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < n; i++) sockets.add(new ServerSocket(0));
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } finally {
            for (ServerSocket s : sockets) s.close();
        }
    }
}
