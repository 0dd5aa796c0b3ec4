package dev.latch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.core.smart.LaunchContext;
import dev.latch.server.LatchInstance;
import dev.latch.server.authorize.EhrLaunches.EhrLaunch;
import dev.latch.server.http.Json;
import dev.latch.server.smart.LaunchStore;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code latch smart launch}: an EHR launch made on the instance, by the rules of POST /smart/launch. */
class SmartLaunchCommandTest {

    static final String BASE = "https://fhir.example/r4";

    @TempDir
    Path dir;
    Cli cli;
    String config;

    @BeforeEach
    void setUp() throws Exception {
        cli = new Cli(dir.resolve("data"));
        Path file = dir.resolve("latch.yaml");
        Files.writeString(file, "smart:\n  fhir-servers:\n    - base: " + BASE + "\n      upstream: http://127.0.0.1:1/fhir\n");
        config = file.toString();
        Cli.Result app = cli.run("clients", "add", "--client-id", "app", "--grant-type", "authorization_code", "--scope", "openid launch patient/Patient.rs",
                "--redirect-uri", "https://app.example/cb", "--launch-uri", "https://app.example/launch", "--config", config);
        assertThat(app.exit()).as(app.err()).isZero();
    }

    @Test
    void launchPrintsValueAndUrlAndStoresTheContext() {
        Cli.Result r = cli.run("smart", "launch", "--client-id", "app", "--patient", "p2", "--encounter", "e1", "--fhir-context",
                "DocumentReference/7", "--fhir-context", "Observation/9", "--intent", "review", "--need-patient-banner",
                "--smart-style-url", "https://ehr.example/style.json", "--tenant", "north", "--config", config);

        assertThat(r.exit()).as(r.err()).isZero();
        Matcher m = Pattern.compile("launch:     ([A-Za-z0-9_-]{43})\nlaunch URL: (\\S+)\nexpires in: 300 s \\(single use\\)\n").matcher(r.out());
        assertThat(m.matches()).as(r.out()).isTrue();
        assertThat(m.group(2)).isEqualTo("https://app.example/launch?iss=" + URLEncoder.encode(BASE, StandardCharsets.UTF_8) + "&launch=" + m.group(1));
        try (LatchInstance latch = Instances.open(dir.resolve("data"))) {
            EhrLaunch stored = new LaunchStore(latch.database().sql()).find(m.group(1), latch.clock().instant().getEpochSecond()).orElseThrow();
            assertThat(stored.clientId()).isEqualTo("app");
            assertThat(stored.iss()).isEqualTo(BASE);
            assertThat(stored.context()).isEqualTo(new LaunchContext("p2", "e1", List.of(Map.of("reference", "DocumentReference/7"),
                    Map.of("reference", "Observation/9")), "review", true, "https://ehr.example/style.json", "north"));
        }
    }

    @Test
    void launchJsonAnswersAsTheEndpoint() throws Exception {
        Cli.Result r = cli.run("smart", "launch", "--client-id", "app", "--patient", "p1", "--json", "--config", config);

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode json = Json.MAPPER.readTree(r.out());
        assertThat(json.path("launch").asText()).matches("[A-Za-z0-9_-]{43}");
        assertThat(json.path("launch_url").asText()).endsWith("&launch=" + json.path("launch").asText());
        assertThat(json.path("expires_in").asLong()).isEqualTo(300);
        try (LatchInstance latch = Instances.open(dir.resolve("data"))) {
            EhrLaunch stored = new LaunchStore(latch.database().sql()).find(json.path("launch").asText(),
                    latch.clock().instant().getEpochSecond()).orElseThrow();
            assertThat(stored.context()).isEqualTo(LaunchContext.ofPatient("p1"));
        }
    }

    @Test
    void launchWhenClientUnknownThenExit1WithTheReason() {
        Cli.Result r = cli.run("smart", "launch", "--client-id", "nobody", "--patient", "p1", "--config", config);

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLine()).contains("client_id: no such client");
    }

    @Test
    void launchWhenPatientIsNotAFhirIdThenExit1() {
        Cli.Result r = cli.run("smart", "launch", "--client-id", "app", "--patient", "Patient/p1", "--config", config);

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLine()).contains("patient must be a FHIR id");
    }

    @Test
    void launchWhenNoFhirServerConfiguredThenExit1() {
        Cli.Result r = cli.run("smart", "launch", "--client-id", "app", "--patient", "p1");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLine()).contains("no FHIR server is configured (smart.fhir-servers)");
    }

    @Test
    void launchUriIsUpdatedAndUnsetLikeOtherMetadata() {
        assertThat(cli.run("clients", "update", "app", "--launch-uri", "https://app.example/v2/launch?tenant=a").exit()).isZero();
        Cli.Result moved = cli.run("smart", "launch", "--client-id", "app", "--patient", "p1", "--config", config);
        assertThat(moved.out()).contains("launch URL: https://app.example/v2/launch?tenant=a&iss=");

        assertThat(cli.run("clients", "update", "app", "--unset", "initiate_login_uri").exit()).isZero();
        Cli.Result none = cli.run("smart", "launch", "--client-id", "app", "--patient", "p1", "--config", config);
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.errLine()).contains("client_id: the client has no launch URL (initiate_login_uri)");
    }

    @Test
    void launchUriMustBeHttpsOrLoopback() {
        Cli.Result r = cli.run("clients", "add", "--client-id", "bad", "--grant-type", "authorization_code", "--scope", "launch",
                "--redirect-uri", "https://app.example/cb", "--launch-uri", "http://app.example/launch");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLine()).contains("initiate_login_uri must be an https URL");
    }
}
