package dev.latch.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Child processes the tests start (nginx, HAProxy): waiting for them to listen on their port, and stopping them. */
public final class ProcessPorts {

    private ProcessPorts() {}

    /**
     * Returns once {@code 127.0.0.1:port} accepts a connection; throws, with {@code output}, when {@code process}
     * exits first or {@code within} passes.
     */
    public static void awaitListening(Process process, String name, int port, Duration within, Supplier<String> output) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " before listening on port " + port
                        + ":\n" + output.get());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not listen on port " + port + " within " + within + ":\n" + output.get());
            }
            try {
                Thread.sleep(20); // polling for the port of a process that is starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** SIGTERM, up to 10 s for the process to end, then SIGKILL. */
    public static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
