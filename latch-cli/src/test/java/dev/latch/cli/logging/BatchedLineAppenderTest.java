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
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BatchedLineAppenderTest {

    private final PrintStream originalErr = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final LoggerContext context = new LoggerContext();

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
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        BatchedLineAppender appender = new BatchedLineAppender();
        appender.setContext(context);
        appender.setName("TEST");
        appender.setEncoder(encoder);
        appender.setQueueSize(queueSize);
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
