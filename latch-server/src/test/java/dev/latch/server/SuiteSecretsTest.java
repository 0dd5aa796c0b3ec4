package dev.latch.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * {@link SuiteSecrets.Constants}, registered for every module through the test-jar's
 * {@code META-INF/services} and JUnit's extension autodetection (parent pom), records a test class's secret
 * constants before its tests run: those of the class, its superclasses and, for a nested class, the
 * classes around it; other constants are left out.
 */
class SuiteSecretsTest {

    static final String PLANTED_SECRET = "planted-secret-" + UUID.randomUUID();
    static final String PLANTED_PASSWORD = "planted-password-" + UUID.randomUUID();
    static final String NOT_A_CREDENTIAL = "planted-label-" + UUID.randomUUID();

    @Test
    void theSecretConstantsOfATestClassAreRecordedBeforeItRuns() throws Exception {
        String recorded = Files.readString(SuiteSecrets.FILE, StandardCharsets.UTF_8);
        assertThat(recorded).contains(PLANTED_SECRET, PLANTED_PASSWORD).doesNotContain(NOT_A_CREDENTIAL);
    }

    @Nested
    class Inner {
        static final String INNER_TOKEN = "planted-token-" + UUID.randomUUID();

        @Test
        void aNestedClassRecordsItsOwnAndTheEnclosingClassConstants() throws Exception {
            String recorded = Files.readString(SuiteSecrets.FILE, StandardCharsets.UTF_8);
            assertThat(recorded).contains(INNER_TOKEN, PLANTED_SECRET);
        }
    }
}
