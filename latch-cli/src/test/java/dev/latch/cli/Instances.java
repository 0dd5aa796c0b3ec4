package dev.latch.cli;

import dev.latch.core.secret.SecretReference;
import dev.latch.server.LatchInstance;
import dev.latch.server.config.ConfigLoader;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/** Opens an instance's data directly, to check what a command stored. */
final class Instances {

    private Instances() {}

    static LatchInstance open(Path data) {
        return LatchInstance.open(new ConfigLoader(name -> null, SecretReference.system()).load(null, Map.of("data", data.toString())),
                Clock.systemUTC());
    }
}
