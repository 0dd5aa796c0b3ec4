package dev.latch.cli.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes log events to standard error, or to a file, from a background thread, many lines per write. The audit log
 * has a line per token issued; Logback's AsyncAppender in front of a ConsoleAppender made one write
 * system call per line and woke its worker for each event, which together cost 10-15 µs of CPU per
 * token on the 2-core project machine — a third of an ES256 token (see bench/README.md).
 *
 * <p>Events wait in a bounded queue and are dropped, counted and reported, when it is full: a request
 * never waits for the log. While events keep coming the worker collects them for a few milliseconds
 * between writes, so it is neither woken per event nor writing per line; when idle it blocks, so a
 * lone line is written at once. Each write holds whole lines, at most 4 KiB (atomic on a pipe).
 *
 * <p>With a {@code file} (the audit log's {@code LATCH_AUDIT_FILE}) lines are appended to it instead; the
 * file is created when missing and opened again when it was moved or replaced (logrotate's {@code create}
 * and the like: checked at most once a second), so nothing needs restarting. Reports of dropped lines
 * always go to standard error, so the file holds only the lines themselves. A file that cannot be opened
 * is reported on standard error and the lines go there instead: they are never silently lost.
 */
public final class BatchedLineAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

    private static final int MAX_WRITE = 4096;
    private static final long GATHER_MILLIS = 5;
    private static final long REOPEN_CHECK_NANOS = 1_000_000_000L;

    private Encoder<ILoggingEvent> encoder;
    private int queueSize = 8192;
    private BlockingQueue<ILoggingEvent> queue;
    private Thread worker;
    private final AtomicLong dropped = new AtomicLong();
    private Path file;
    private OutputStream fileOut;
    private Object fileKey;
    private long checkedAt;

    public void setEncoder(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    public void setQueueSize(int queueSize) {
        this.queueSize = queueSize;
    }

    /** The file to append to; blank (the default) for standard error. */
    public void setFile(String file) {
        this.file = file == null || file.isBlank() ? null : Path.of(file.strip());
    }

    @Override
    public void start() {
        if (encoder == null) {
            addError("no encoder set for the appender named " + name);
            return;
        }
        if (file != null) {
            try {
                open();
            } catch (IOException | RuntimeException e) {
                System.err.println("latch: cannot write the " + name + " log to " + file + " (" + e.getMessage()
                        + "): its lines go to standard error");
                file = null;
            }
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
            byte[] report = (lost + " log lines were dropped: the " + name + " queue was full\n").getBytes(StandardCharsets.UTF_8);
            if (file == null) {
                out.writeBytes(report);
            } else {
                System.err.write(report, 0, report.length);
                System.err.flush();
            }
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

    private void flush(ByteArrayOutputStream out) throws IOException {
        if (out.size() == 0) {
            return;
        }
        if (file != null) {
            reopenIfMoved();
            out.writeTo(fileOut);
            out.reset();
            return;
        }
        PrintStream err = System.err; // looked up each time: tests and tools may redirect it
        out.writeTo(err);
        err.flush();
        out.reset();
    }

    private void open() throws IOException {
        fileOut = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        fileKey = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        checkedAt = System.nanoTime();
    }

    /** A rotated file (moved away, or replaced by a new one) is let go and the path opened again. */
    private void reopenIfMoved() throws IOException {
        long now = System.nanoTime();
        if (now - checkedAt < REOPEN_CHECK_NANOS) {
            return;
        }
        checkedAt = now;
        Object current;
        try {
            current = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            current = null;
        }
        if (current == null || !current.equals(fileKey)) {
            fileOut.close();
            open();
        }
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
        if (fileOut != null) {
            try {
                fileOut.close();
            } catch (IOException e) {
                addError("closing " + file + " failed", e);
            }
        }
    }
}
