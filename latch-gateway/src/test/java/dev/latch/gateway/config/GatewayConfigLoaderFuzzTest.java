package dev.latch.gateway.config;

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
 * Coverage-guided fuzzing of {@code latch gateway}'s configuration loading: the fuzzer's bytes are the
 * YAML file. {@link GatewayConfigLoader#load} may refuse a file only with {@link GatewayConfigException}
 * (every problem, one line each); any other exception is a finding. No environment, so nothing but the
 * file counts. Under {@code mvn verify} this runs the inputs kept in {@code GatewayConfigLoaderFuzzTestInputs/}
 * (regression mode); {@code bench/fuzz.sh} fuzzes it.
 */
class GatewayConfigLoaderFuzzTest {

    private static final GatewayConfigLoader LOADER = new GatewayConfigLoader(name -> null,
            new SecretReference(name -> null, InputStream::nullInputStream));

    @TempDir
    static Path dir;

    // one line each: libFuzzer cannot read a dictionary entry holding a line break
    @FuzzTest
    @DictionaryEntries({"port:", "management-port:", "host:", "issuers:", "- id:", "url:", "jwks-uri:", "audience:", "introspection:",
            "client-id:", "routes:", "- path:", "upstream:", "mode:", "passthrough", "protect", "smart", "sso", "scopes:",
            "methods:", "headers:", "rate-limit:", "cors:", "origins:", "websocket:", "tls:", "cert:", "http://127.0.0.1:9001",
            "https://issuer.example", "env:", "file:", "5m", "-", ":", "&a", "*a", "<<:", "---", "{", "[", "~", "null", "true",
            "-1", "99999999999999999999", "\"", "'", "#"})
    void config(byte[] yaml) {
        try {
            Files.write(dir.resolve("gateway.yaml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            LOADER.load(dir.resolve("gateway.yaml"), Map.of());
        } catch (GatewayConfigException refused) {
            // the documented refusal
        }
    }
}
