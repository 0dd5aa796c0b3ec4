package dev.latch.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latch.server.config.ConfigLoader.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code database.purge-interval}: how often the expiry purge runs; 60 s unless set, between 1s and 1d. */
class PurgeIntervalSettingTest {

    @TempDir
    Path dir;

    @Test
    void sixtySecondsUnlessSet() {
        assertThat(ConfigFiles.loader().load(null, Map.of()).database().purgeInterval()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void readFromTheDatabaseSectionOrTheCommandLine() throws Exception {
        Path f = ConfigFiles.yaml(dir, "database:\n  purge-interval: 5m\n");
        assertThat(ConfigFiles.loader().load(f, Map.of()).database().purgeInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(ConfigFiles.loader().load(f, Map.of("database.purge-interval", "PT30S")).database().purgeInterval())
                .isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aValueThatIsNoDurationIsRejectedByName() {
        assertThatThrownBy(() -> ConfigFiles.loader().load(null, Map.of("database.purge-interval", "often")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("database.purge-interval").hasMessageContaining("not a duration").hasMessageContaining("often");
    }

    @Test
    void zeroTooShortAndTooLongAreRejectedWithTheBounds() {
        for (String bad : new String[] {"0", "0s", "500ms", "2d"}) {
            assertThatThrownBy(() -> ConfigFiles.loader().load(null, Map.of("database.purge-interval", bad)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("database.purge-interval: must be between 1s and 1d (was " + bad + ")");
        }
    }

    @Test
    void theBoundsThemselvesAreAccepted() {
        assertThat(ConfigFiles.loader().load(null, Map.of("database.purge-interval", "1s")).database().purgeInterval())
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(ConfigFiles.loader().load(null, Map.of("database.purge-interval", "1d")).database().purgeInterval())
                .isEqualTo(Duration.ofDays(1));
    }
}
