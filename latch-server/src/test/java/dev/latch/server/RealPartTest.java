package dev.latch.server;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** A missing real part skips a developer's test and fails CI's; a present one runs everywhere. */
class RealPartTest {

    static final String MISSING = "chromium is not installed (Debian: apt-get install chromium)";

    @Test
    void missingWithCiTrueThenTestFailsNamingThePart() {
        assertThatThrownBy(() -> RealPart.require(false, MISSING, Map.of("CI", "true")))
                .isInstanceOf(AssertionError.class)
                .hasMessage(MISSING + "; CI is set, so this fails rather than skips");
        assertThatThrownBy(() -> RealPart.require(false, MISSING, Map.of("CI", "1")))
                .as("any other value counts as CI").isInstanceOf(AssertionError.class);
    }

    @Test
    void missingWithoutCiThenTestSkippedWithTheReason() {
        assertThatThrownBy(() -> RealPart.require(false, MISSING, Map.of()))
                .isInstanceOf(TestAbortedException.class).hasMessageContaining(MISSING);
        assertThatThrownBy(() -> RealPart.require(false, MISSING, Map.of("CI", "")))
                .as("an empty CI is not CI").isInstanceOf(TestAbortedException.class);
        assertThatThrownBy(() -> RealPart.require(false, MISSING, Map.of("CI", "false")))
                .as("CI=false is not CI").isInstanceOf(TestAbortedException.class);
    }

    @Test
    void presentThenRunsWhateverCiSays() {
        assertThatCode(() -> RealPart.require(true, MISSING, Map.of("CI", "true"))).doesNotThrowAnyException();
        assertThatCode(() -> RealPart.require(true, MISSING, Map.of())).doesNotThrowAnyException();
    }
}
