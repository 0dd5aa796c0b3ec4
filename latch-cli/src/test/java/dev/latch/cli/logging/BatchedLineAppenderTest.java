package dev.latch.cli.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchedLineAppenderTest {

    private final PrintStream originalErr = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final LoggerContext context = new LoggerContext();

    @TempDir
    Path dir;

    @BeforeEach
    void captureStderr() {
        context.setMDCAdapter(new LogbackMDCAdapter()); // what Logback's SLF4J provider gives a real context
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStderr() {
        System.setErr(originalErr);
    }

    private BatchedLineAppender appender(int queueSize) {
        return appender(queueSize, null);
    }

    private BatchedLineAppender appender(int queueSize, Path file) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        BatchedLineAppender appender = new BatchedLineAppender();
        appender.setContext(context);
        appender.setName("TEST");
        appender.setEncoder(encoder);
        appender.setQueueSize(queueSize);
        appender.setFile(file == null ? null : file.toString());
        appender.start();
        return appender;
    }

    private LoggingEvent event(String message, Object... args) {
        return new LoggingEvent(getClass().getName(), context.getLogger("latch.audit"), Level.INFO, message, null, args);
    }

    private List<String> lines() {
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void linesWhenManyThenAllWrittenWholeAndInOrderByStop() {
        BatchedLineAppender appender = appender(100_000);
        for (int i = 0; i < 20_000; i++) {
            appender.doAppend(event("token issued n={} client={}", i, "c" + i));
        }
        appender.stop();
        List<String> lines = lines();
        assertThat(lines).hasSize(20_000);
        for (int i = 0; i < lines.size(); i++) {
            assertThat(lines.get(i)).isEqualTo("token issued n=" + i + " client=c" + i);
        }
    }

    @Test
    void lineWhenAloneThenWrittenWithoutWaitingForMore() throws InterruptedException {
        BatchedLineAppender appender = appender(16);
        appender.doAppend(event("just one"));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (lines().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(lines()).containsExactly("just one");
        appender.stop();
    }

    @Test
    void fileWhenSetThenLinesGoThereOnlyAndAfterRotationToTheNewFile() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        BatchedLineAppender appender = appender(16, file);
        appender.doAppend(event("{\"n\":1}"));
        waitFor(() -> Files.exists(file) && Files.readString(file).contains("{\"n\":1}"));
        Path rotated = dir.resolve("audit.jsonl.1");
        Files.move(file, rotated);
        Files.writeString(file, ""); // logrotate's "create": a new file at the same path
        long until = System.nanoTime() + 10_000_000_000L;
        int n = 2;
        // the appender looks at the path at most once a second: keep writing until a line lands in the new file
        while (Files.readString(file).isEmpty() && System.nanoTime() < until) {
            appender.doAppend(event("{\"n\":" + n++ + "}"));
            Thread.sleep(50);
        }
        appender.stop();
        List<String> old = Files.readAllLines(rotated);
        List<String> fresh = Files.readAllLines(file);
        assertThat(fresh).isNotEmpty();
        assertThat(old.getFirst()).isEqualTo("{\"n\":1}");
        assertThat(old.size() + fresh.size()).as("every line in one file or the other, none twice").isEqualTo(n - 1);
        assertThat(lines()).as("nothing on standard error").isEmpty();
    }

    @Test
    void fileWhenItCannotBeOpenedThenSaidOnStandardErrorAndLinesGoThere() {
        BatchedLineAppender appender = appender(16, dir.resolve("no-such-directory").resolve("audit.jsonl"));
        appender.doAppend(event("{\"kept\":true}"));
        appender.stop();
        assertThat(lines().getFirst()).startsWith("latch: cannot write the TEST log to ").endsWith("its lines go to standard error");
        assertThat(lines()).contains("{\"kept\":true}");
    }

    private static void waitFor(java.util.concurrent.Callable<Boolean> condition) throws Exception {
        long until = System.nanoTime() + 10_000_000_000L;
        while (!condition.call() && System.nanoTime() < until) {
            Thread.sleep(5);
        }
    }

    @Test
    void linesWhenQueueOverflowsThenDroppedOnesAreCountedNotLost() {
        BatchedLineAppender appender = appender(4);
        int total = 5_000;
        for (int i = 0; i < total; i++) {
            appender.doAppend(event("line {}", i));
        }
        appender.stop();
        appender.doAppend(event("after stop"));
        List<String> lines = lines();
        Pattern droppedLine = Pattern.compile("(\\d+) log lines were dropped: the TEST queue was full");
        long written = lines.stream().filter(l -> l.startsWith("line ")).count();
        long reportedDropped = lines.stream().map(droppedLine::matcher).filter(Matcher::matches)
                .mapToLong(m -> Long.parseLong(m.group(1))).sum();
        assertThat(written + reportedDropped).isEqualTo(total);
        assertThat(lines).doesNotContain("after stop");
    }
}
