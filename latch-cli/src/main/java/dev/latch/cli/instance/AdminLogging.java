package dev.latch.cli.instance;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * Administrative commands report what they did themselves; Latch's own INFO log lines ("rotated
 * RS256…") would say it twice on stderr. They keep warnings (such as a newly generated master key)
 * unless {@code LATCH_LOG_LEVEL} asks for more.
 */
public final class AdminLogging {

    private AdminLogging() {}

    public static void quiet() {
        String level = System.getenv("LATCH_LOG_LEVEL");
        if ((level == null || level.isBlank()) && LoggerFactory.getLogger("dev.latch") instanceof Logger logger
                && logger.getLevel() == null) {
            logger.setLevel(Level.WARN);
        }
    }
}
