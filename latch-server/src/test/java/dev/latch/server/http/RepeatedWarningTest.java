package dev.latch.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.LogCapture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A flood of the same warning (saturation 503s) is one line per interval that says how many there were. */
class RepeatedWarningTest {

    @Test
    void aFloodIsOneLinePerIntervalWithItsCount() {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        RepeatedWarning warning = new RepeatedWarning(LoggerFactory.getLogger("test.repeated"), 10, TimeUnit.SECONDS, now::get);
        try (LogCapture log = LogCapture.start()) {
            warning.occurred("503 temporarily_unavailable: busy");          // the first is written at once
            for (int i = 0; i < 999; i++) {
                now.addAndGet(TimeUnit.MILLISECONDS.toNanos(5));           // 999 more within 5 s
                warning.occurred("503 temporarily_unavailable: busy");
            }
            assertThat(lines(log)).containsExactly("503 temporarily_unavailable: busy (1 time in the last 10 s)");

            now.addAndGet(TimeUnit.SECONDS.toNanos(6));                     // the interval has passed
            warning.occurred("503 temporarily_unavailable: busy");
            assertThat(lines(log)).containsExactly("503 temporarily_unavailable: busy (1 time in the last 10 s)",
                    "503 temporarily_unavailable: busy (1000 times in the last 10 s)");
        }
    }

    private static java.util.List<String> lines(LogCapture log) {
        return log.lines().stream().filter(l -> l.contains("temporarily_unavailable")).map(l -> l.substring(l.indexOf("503"))).toList();
    }
}
