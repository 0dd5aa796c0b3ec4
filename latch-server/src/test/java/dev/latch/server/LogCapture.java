package dev.latch.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.LoggerFactory;

/**
 * Captures what the server logs (Logback {@link ListAppender} on the root logger and on the audit
 * logger, which does not pass its lines on) while it is open, optionally with some loggers turned up to
 * TRACE so every statement that could leak runs.
 */
public final class LogCapture implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger root;
    private final Logger audit;
    private final Map<Logger, Level> previous = new HashMap<>();

    private LogCapture(List<String> traceLoggers) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        for (String name : traceLoggers) {
            Logger logger = context.getLogger(name);
            previous.put(logger, logger.getLevel());
            logger.setLevel(Level.TRACE);
        }
        appender.setContext(context);
        appender.start();
        root.addAppender(appender);
        audit = context.getLogger("latch.audit");
        audit.addAppender(appender);
    }

    /** Captures at the configured levels. */
    public static LogCapture start() {
        return new LogCapture(List.of());
    }

    /** Captures with the named loggers at TRACE. */
    public static LogCapture atTrace(String... loggers) {
        return new LogCapture(List.of(loggers));
    }

    /** Every captured line: formatted message plus any stack trace. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        for (ILoggingEvent e : List.copyOf(appender.list)) {
            String line = e.getLoggerName() + " " + e.getLevel() + " " + e.getFormattedMessage();
            if (e.getThrowableProxy() != null) {
                line += "\n" + ThrowableProxyUtil.asString(e.getThrowableProxy());
            }
            out.add(line);
        }
        return out;
    }

    public String text() {
        return String.join("\n", lines());
    }

    /** The audit events written so far, parsed (every audit line is one JSON object). */
    public List<JsonNode> audit() {
        List<JsonNode> out = new ArrayList<>();
        for (ILoggingEvent e : List.copyOf(appender.list)) {
            if (e.getLoggerName().equals("latch.audit")) {
                try {
                    out.add(JSON.readTree(e.getFormattedMessage()));
                } catch (java.io.IOException notJson) {
                    throw new AssertionError("an audit line is not JSON: " + e.getFormattedMessage(), notJson);
                }
            }
        }
        return out;
    }

    /** The audit events named {@code event} ({@code token.issue}, {@code signin}…). */
    public List<JsonNode> audit(String event) {
        return audit().stream().filter(n -> event.equals(n.path("event").asText())).toList();
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        audit.detachAppender(appender);
        appender.stop();
        previous.forEach(Logger::setLevel);
    }
}
