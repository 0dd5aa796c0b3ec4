package dev.latch.server.config;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.latch.core.secret.SecretReference;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/**
 * Coverage-guided fuzzing of {@code latch serve}'s configuration loading: the fuzzer's bytes are the YAML
 * file. {@link ConfigLoader#load} may refuse a file only with {@link ConfigLoader.ConfigException} (a
 * one-line reason naming the setting); any other exception is a finding. No environment, so nothing
 * but the file counts. Under {@code mvn verify} this runs the inputs kept in
 * {@code ConfigLoaderFuzzTestInputs/} (regression mode); {@code bench/fuzz.sh} fuzzes it.
 */
class ConfigLoaderFuzzTest {

    private static final ConfigLoader LOADER = new ConfigLoader(name -> null,
            new SecretReference(name -> null, InputStream::nullInputStream));

    @TempDir
    static Path dir;

    // one line each: libFuzzer cannot read a dictionary entry holding a line break
    @FuzzTest
    @DictionaryEntries({"port:", "issuer:", "data:", "database:", "url:", "tokens:", "access-token-lifetime:", "signing-alg:", "clients:",
            "- client-id:", "scopes:", "- name:", "registration:", "mode:", "smart:", "fhir-servers:", "-", "resources:",
            "- uri:", "users:", "- username:", "claims:", "branding:", "sessions:", "idle-lifetime:", "outbound:", "allow:",
            "tls:", "cert:", "master-key:", "env:", "file:", "5m", "PT5M", "500ms", ":", "&a", "*a", "!!binary", "<<:", "---",
            "{", "[", "~", "null", "true", "-1", "99999999999999999999"})
    void config(byte[] yaml) {
        try {
            Files.write(dir.resolve("latch.yaml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            LOADER.load(dir.resolve("latch.yaml"), Map.of());
        } catch (ConfigLoader.ConfigException | SecretReference.SecretResolutionException refused) {
            // the documented refusals
        }
    }
}
