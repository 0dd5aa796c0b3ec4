package dev.latch.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code smart.fhir-servers}: the example binds; every bad value is refused at its file and line. */
class SmartSettingsTest {

    @TempDir
    Path dir;

    private static ConfigLoader loader() {
        return ConfigFiles.loader();
    }

    private Path yaml(String text) throws Exception {
        return ConfigFiles.yaml(dir, text);
    }

    @Test
    void withoutSettingsSmartIsOff() {
        ServerConfig c = loader().load(null, Map.of());
        assertThat(c.smart().enabled()).isFalse();
        assertThat(c.smart().byBase("http://localhost:8000/fhir")).isEmpty();
    }

    @Test
    void theDocumentedExampleBinds() throws Exception {
        ServerConfig c = loader().load(yaml("""
                smart:
                  fhir-servers:
                    - base: http://localhost:8000/fhir     # the FHIR base apps see
                      upstream: http://127.0.0.1:8081/fhir # where Latch looks patients up
                    - base: https://fhir.example.org/r4/
                """), Map.of());
        assertThat(c.smart().enabled()).isTrue();
        assertThat(c.smart().fhirServers()).containsExactly(
                new ServerConfig.FhirServer("http://localhost:8000/fhir", "http://127.0.0.1:8081/fhir"),
                new ServerConfig.FhirServer("https://fhir.example.org/r4", "https://fhir.example.org/r4"));
        assertThat(c.smart().byBase("http://localhost:8000/fhir/")).map(ServerConfig.FhirServer::upstream).contains("http://127.0.0.1:8081/fhir");
        assertThat(c.smart().byBase("http://localhost:8000/fhir2")).isEmpty();
    }

    @Test
    void launchLifetimeDefaultsToFiveMinutesAndIsKeptBetween30SecondsAndAnHour() throws Exception {
        String servers = "smart:\n  fhir-servers:\n    - base: http://a.example/fhir\n";
        assertThat(loader().load(yaml(servers), Map.of()).smart().launchLifetime()).isEqualTo(java.time.Duration.ofMinutes(5));
        assertThat(loader().load(yaml(servers + "  launch-lifetime: 15m\n"), Map.of()).smart().launchLifetime())
                .isEqualTo(java.time.Duration.ofMinutes(15));

        Path tooShort = yaml(servers + "  launch-lifetime: 10s\n");
        assertThatThrownBy(() -> loader().load(tooShort, Map.of()))
                .hasMessage(tooShort + ":4: smart.launch-lifetime: must be between 30s and 1h (was 10s)");
        Path tooLong = yaml(servers + "  launch-lifetime: 2h\n");
        assertThatThrownBy(() -> loader().load(tooLong, Map.of())).hasMessageContaining(":4: smart.launch-lifetime: must be between 30s and 1h");
        Path notADuration = yaml(servers + "  launch-lifetime: soon\n");
        assertThatThrownBy(() -> loader().load(notADuration, Map.of())).hasMessageContaining("smart.launch-lifetime: not a duration such as 300s, 5m, 1h (was soon)");
    }

    @Test
    void badEntriesAreRefusedAtTheirLineNamingTheKey() throws Exception {
        Path noBase = yaml("smart:\n  fhir-servers:\n    - upstream: http://127.0.0.1:8081/fhir\n");
        assertThatThrownBy(() -> loader().load(noBase, Map.of())).hasMessageStartingWith(noBase + ":3: smart.fhir-servers[0].base: required");

        Path unknown = yaml("smart:\n  fhir-servers:\n    - base: http://a.example/fhir\n      url: http://b\n");
        assertThatThrownBy(() -> loader().load(unknown, Map.of()))
                .hasMessage(unknown + ":4: smart.fhir-servers[0].url: unknown setting (known: base, upstream)");

        Path relative = yaml("smart:\n  fhir-servers:\n    - base: /fhir\n");
        assertThatThrownBy(() -> loader().load(relative, Map.of()))
                .hasMessage(relative + ":3: smart.fhir-servers[0].base: must be an absolute http(s) URL without user, query or fragment (was /fhir)");

        Path query = yaml("smart:\n  fhir-servers:\n    - base: http://a.example/fhir?x=1\n");
        assertThatThrownBy(() -> loader().load(query, Map.of())).hasMessageContaining(":3: smart.fhir-servers[0].base: must be an absolute");

        Path badUpstream = yaml("smart:\n  fhir-servers:\n    - base: http://a.example/fhir\n      upstream: ftp://b.example/fhir\n");
        assertThatThrownBy(() -> loader().load(badUpstream, Map.of())).hasMessageContaining(":4: smart.fhir-servers[0].upstream: must be an absolute");

        Path twice = yaml("smart:\n  fhir-servers:\n    - base: http://a.example/fhir\n    - base: http://a.example/fhir/\n");
        assertThatThrownBy(() -> loader().load(twice, Map.of()))
                .hasMessage(twice + ":4: smart.fhir-servers[1].base: http://a.example/fhir is declared twice (first as smart.fhir-servers[0])");

        Path unknownSmartKey = yaml("smart:\n  fhir-server:\n    - base: http://a.example/fhir\n");
        assertThatThrownBy(() -> loader().load(unknownSmartKey, Map.of())).hasMessage(unknownSmartKey + ":2: smart.fhir-server: unknown setting (known: fhir-servers, launch-lifetime)");

        Path notAList = yaml("smart:\n  fhir-servers: http://a.example/fhir\n");
        assertThatThrownBy(() -> loader().load(notAList, Map.of())).hasMessage(notAList + ":2: smart.fhir-servers: must be a list of {base, upstream}");
    }
}
