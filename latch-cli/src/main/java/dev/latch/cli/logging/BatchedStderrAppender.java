package dev.latch.cli.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes log events to standard error from a background thread, many lines per write. The audit log
 * has a line per token issued; Logback's AsyncAppender in front of a ConsoleAppender made one write
 * system call per line and woke its worker for each event, which together cost 10-15 µs of CPU per
 * token on the 2-core project machine — a third of an ES256 token (see bench/README.md).
 *
 * <p>Events wait in a bounded queue and are dropped, counted and reported, when it is full: a request
 * never waits for the log. While events keep coming the worker collects them for a few milliseconds
 * between writes, so it is neither woken per event nor writing per line; when idle it blocks, so a
 * lone line is written at once. Each write holds whole lines, at most 4 KiB (atomic on a pipe).
 */
public final class BatchedStderrAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

    private static final int MAX_WRITE = 4096;
    private static final long GATHER_MILLIS = 5;

    private Encoder<ILoggingEvent> encoder;
    private int queueSize = 8192;
    private BlockingQueue<ILoggingEvent> queue;
    private Thread worker;
    private final AtomicLong dropped = new AtomicLong();

    public void setEncoder(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    public void setQueueSize(int queueSize) {
        this.queueSize = queueSize;
    }

    @Override
    public void start() {
        if (encoder == null) {
            addError("no encoder set for the appender named " + name);
            return;
        }
        queue = new ArrayBlockingQueue<>(queueSize);
        worker = new Thread(this::run, "latch-log-" + name);
        worker.setDaemon(true);
        worker.start();
        super.start();
    }

    @Override
    protected void append(ILoggingEvent event) {
        event.prepareForDeferredProcessing();
        if (!queue.offer(event)) {
            dropped.incrementAndGet();
        }
    }

    private void run() {
        List<ILoggingEvent> batch = new ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream(MAX_WRITE);
        boolean busy = false;
        try {
            while (!Thread.currentThread().isInterrupted()) {
                if (busy) {
                    TimeUnit.MILLISECONDS.sleep(GATHER_MILLIS);
                } else {
                    batch.add(queue.take());
                }
                queue.drainTo(batch);
                busy = !batch.isEmpty();
                write(batch, out);
            }
        } catch (InterruptedException e) {
            // stopping: what is queued still gets written below
        }
        queue.drainTo(batch);
        write(batch, out);
    }

    private void write(List<ILoggingEvent> batch, ByteArrayOutputStream out) {
        try {
            writeLines(batch, out);
        } catch (IOException | RuntimeException e) {
            out.reset();
            addError("writing log lines failed", e);
        }
        batch.clear();
    }

    private void writeLines(List<ILoggingEvent> batch, ByteArrayOutputStream out) throws IOException {
        long lost = dropped.getAndSet(0);
        if (lost > 0) {
            out.writeBytes((lost + " log lines were dropped: the " + name + " queue was full\n").getBytes(StandardCharsets.UTF_8));
        }
        for (ILoggingEvent event : batch) {
            byte[] line = encoder.encode(event);
            if (out.size() > 0 && out.size() + line.length > MAX_WRITE) {
                flush(out);
            }
            out.writeBytes(line);
        }
        flush(out);
    }

    private static void flush(ByteArrayOutputStream out) throws IOException {
        if (out.size() == 0) {
            return;
        }
        PrintStream err = System.err; // looked up each time: tests and tools may redirect it
        out.writeTo(err);
        err.flush();
        out.reset();
    }

    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop();
        worker.interrupt();
        try {
            worker.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
