package dev.latch.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latch.server.config.ConfigLoader.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code database.connection-timeout} (5s unless set, 250ms–1m) and {@code database.socket-timeout}
 * (10s unless set, 1s–1h): how long the database may keep a request waiting.
 */
class DatabaseTimeoutSettingsTest {

    @TempDir
    Path dir;

    @Test
    void fiveSecondsForAConnectionAndTenSecondsForAnAnswerUnlessSet() {
        ServerConfig.DatabaseSettings db = ConfigFiles.loader().load(null, Map.of()).database();
        assertThat(db.timeouts().connection()).isEqualTo(Duration.ofSeconds(5));
        assertThat(db.timeouts().socket()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void readFromTheDatabaseSectionOrTheCommandLine() throws Exception {
        Path f = ConfigFiles.yaml(dir, "database:\n  connection-timeout: 2s\n  socket-timeout: 1m\n");
        ServerConfig.DatabaseSettings db = ConfigFiles.loader().load(f, Map.of()).database();
        assertThat(db.timeouts().connection()).isEqualTo(Duration.ofSeconds(2));
        assertThat(db.timeouts().socket()).isEqualTo(Duration.ofMinutes(1));
        assertThat(ConfigFiles.loader().load(f, Map.of("database.connection-timeout", "750ms")).database().timeouts().connection())
                .isEqualTo(Duration.ofMillis(750));
    }

    @Test
    void valuesOutsideTheBoundsAreRejectedWithTheBounds() {
        for (String bad : new String[] {"0", "100ms", "2m"}) {
            assertThatThrownBy(() -> ConfigFiles.loader().load(null, Map.of("database.connection-timeout", bad)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("database.connection-timeout: must be between 250ms and 1m (was " + bad + ")");
        }
        for (String bad : new String[] {"0", "500ms", "2h"}) {
            assertThatThrownBy(() -> ConfigFiles.loader().load(null, Map.of("database.socket-timeout", bad)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("database.socket-timeout: must be between 1s and 1h (was " + bad + ")");
        }
    }

    @Test
    void aValueThatIsNoDurationIsRejectedByName() {
        assertThatThrownBy(() -> ConfigFiles.loader().load(null, Map.of("database.socket-timeout", "long")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("database.socket-timeout").hasMessageContaining("not a duration");
    }
}
