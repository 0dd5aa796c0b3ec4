package dev.latch.server;

import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * "Require this real part or skip — fail on CI": the one rule for tests that drive a real Chromium
 * and chromedriver, PostgreSQL, nginx, openssl or an npm peer. On a developer's machine without the
 * part the test is skipped with the reason (what is missing and how to install it); where the
 * environment variable {@code CI} is set (as CI services set it: {@code CI=true}) the same absence
 * fails the test, so a broken install step can never pass as green.
 */
public final class RealPart {

    private RealPart() {}

    /** Returns when {@code present}; otherwise skips the calling test saying {@code missing}, or fails it on CI. */
    public static void require(boolean present, String missing) {
        require(present, missing, System.getenv());
    }

    /** As {@link #require(boolean, String)} with the environment given (for testing the rule itself). */
    public static void require(boolean present, String missing, Map<String, String> env) {
        if (present) {
            return;
        }
        if (onCi(env)) {
            throw new AssertionError(missing + "; CI is set, so this fails rather than skips");
        }
        Assumptions.abort(missing);
    }

    /** True where {@code CI} is set to anything but empty or {@code false}. */
    public static boolean onCi(Map<String, String> env) {
        String ci = env.get("CI");
        return ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false");
    }
}
