package dev.latch.server.config;

import dev.latch.core.secret.SecretReference;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the section-binder tests share: a loader with an empty environment and a latch.yaml written in a test's folder. */
final class ConfigFiles {

    private ConfigFiles() {}

    /** A loader that sees no environment variables and an empty standard input. */
    static ConfigLoader loader() {
        return new ConfigLoader(name -> null, new SecretReference(name -> null, () -> new ByteArrayInputStream(new byte[0])));
    }

    /** {@code text} as {@code dir/latch.yaml}. */
    static Path yaml(Path dir, String text) throws IOException {
        Path f = dir.resolve("latch.yaml");
        Files.writeString(f, text);
        return f;
    }
}
