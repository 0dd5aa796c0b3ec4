package dev.latch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.server.LatchInstance;
import dev.latch.server.LogCapture;
import dev.latch.server.consent.ConsentStore;
import dev.latch.server.http.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The administration commands work on the database directly, so each writes its own audit event
 * (docs/audit.md): {@code source: cli}, the operating-system user as {@code actor}, and never the secret,
 * password or key it handled.
 */
class AuditCommandsTest {

    private static final String PASSWORD = "a long enough password for audit";
    private static final String NEW_PASSWORD = "another long password for audit";
    private static final String EXPORT_KEY = "an-export-key-for-the-audit-test-0123456789";

    @TempDir
    Path dir;

    private static Cli.Result ok(Cli.Result r) {
        assertThat(r.exit()).as(r.err()).isZero();
        return r;
    }

    private static JsonNode only(LogCapture log, String event) {
        List<JsonNode> events = log.audit(event);
        assertThat(events).as(event).hasSize(1);
        JsonNode e = events.getFirst();
        assertThat(e.path("outcome").asText()).isEqualTo("success");
        assertThat(e.path("source").asText()).isEqualTo("cli");
        assertThat(e.path("actor").asText()).isEqualTo(System.getProperty("user.name"));
        return e;
    }

    @Test
    void backupAndRestoreWriteTheirEvents() {
        Cli source = new Cli(dir.resolve("source"));
        Cli restoring = new Cli(dir.resolve("restored"));
        Path backup = dir.resolve("latch-backup.zip");
        ok(source.run("clients", "add", "--client-id", "kept", "--scope", "read", "-q"));
        try (LogCapture log = LogCapture.start()) {
            ok(source.run("backup", "--out", backup.toString(), "--include-master-key"));
            ok(restoring.run("restore", backup.toString()));

            JsonNode made = only(log, "backup");
            assertThat(made.path("file").asText()).isEqualTo(backup.toString());
            assertThat(made.path("count").asLong()).isPositive();
            assertThat(made.path("reason").asText()).contains("h2").contains("master key");
            JsonNode restored = only(log, "restore");
            assertThat(restored.path("file").asText()).isEqualTo(backup.toString());
            assertThat(restored.path("count").asLong()).isEqualTo(made.path("count").asLong());
            assertThat(restored.path("reason").asText()).contains(dir.resolve("restored").toString());
        }
    }

    @Test
    void clientCommandsWriteTheirEvents() {
        Cli cli = new Cli(dir.resolve("data"));
        try (LogCapture log = LogCapture.start()) {
            String secret = ok(cli.run("clients", "add", "--client-id", "svc", "--scope", "read write", "-q")).out().split("\n")[1];
            ok(cli.run("clients", "update", "svc", "--scope", "read"));
            String rotated = ok(cli.run("clients", "rotate-secret", "svc", "-q")).out().split("\n")[1];
            ok(cli.run("clients", "remove", "svc"));

            JsonNode created = only(log, "client.create");
            assertThat(created.path("client_id").asText()).isEqualTo("svc");
            assertThat(created.path("scope").asText()).isEqualTo("read write");
            assertThat(created.path("auth_method").asText()).isEqualTo("client_secret_basic");
            assertThat(only(log, "client.update").path("scope").asText()).isEqualTo("read");
            assertThat(only(log, "client.secret_rotate").path("reason").asText()).isEqualTo("generated");
            assertThat(only(log, "client.delete").path("client_id").asText()).isEqualTo("svc");
            assertThat(log.text()).doesNotContain(secret).doesNotContain(rotated);
        }
    }

    @Test
    void userCommandsWriteTheirEventsWithoutThePasswords() {
        Path data = dir.resolve("data");
        Cli cli = new Cli(data);
        try (LogCapture log = LogCapture.start()) {
            String subject = ok(cli.stdin(PASSWORD).run("users", "add", "alice", "--password-stdin", "-q")).out().strip();
            ok(cli.stdin(NEW_PASSWORD).run("users", "passwd", "alice", "--password-stdin"));
            cli.stdin("");
            ok(cli.run("users", "update", "alice", "--fhir-user", "Practitioner/7"));
            ok(cli.run("users", "disable", "alice"));
            ok(cli.run("users", "enable", "alice"));
            try (LatchInstance latch = Instances.open(data)) {
                new ConsentStore(latch.database().sql()).remember(subject, "web", "openid profile", latch.clock().instant().getEpochSecond());
            }
            ok(cli.run("users", "consents", "alice", "--revoke", "web"));
            ok(cli.run("users", "remove", "alice"));

            for (String event : List.of("user.create", "user.password", "user.update", "user.disable", "user.enable", "user.delete")) {
                JsonNode e = only(log, event);
                assertThat(e.path("user").asText()).as(event).isEqualTo(subject);
                assertThat(e.path("username").asText()).as(event).isEqualTo("alice");
            }
            JsonNode revoked = only(log, "consent.revoke");
            assertThat(revoked.path("user").asText()).isEqualTo(subject);
            assertThat(revoked.path("client_id").asText()).isEqualTo("web");
            assertThat(revoked.path("count").asInt()).isEqualTo(1);
            assertThat(log.text()).doesNotContain(PASSWORD).doesNotContain(NEW_PASSWORD);
        }
    }

    @Test
    void keyAndConfigurationCommandsWriteTheirEvents() throws Exception {
        Cli source = new Cli(dir.resolve("source")).env("EK", EXPORT_KEY);
        Cli target = new Cli(dir.resolve("target")).env("EK", EXPORT_KEY);
        Path exported = dir.resolve("export.json");
        Path keyFile = dir.resolve("signing.pem");
        Files.writeString(keyFile, TestKeys.pkcs8Pem(TestKeys.rsa(2048).getPrivate()));
        try (LogCapture log = LogCapture.start()) {
            String rotated = ok(source.run("keys", "rotate", "--alg", "ES256", "-q")).out().strip();
            String imported = ok(source.run("keys", "import", keyFile.toString(), "--alg", "RS384", "-q")).out().strip();
            ok(source.run("config", "export", "--out", exported.toString(), "--export-key", "${env:EK}"));
            ok(target.run("config", "import", exported.toString(), "--export-key", "${env:EK}"));
            ok(target.runWithId(rotated, "keys", "unpublish"));

            JsonNode rotation = log.audit("key.rotate").stream().filter(e -> e.path("kid").asText().equals(rotated)).findFirst().orElseThrow();
            assertThat(rotation.path("source").asText()).isEqualTo("cli");
            assertThat(rotation.path("alg").asText()).isEqualTo("ES256");
            JsonNode importedKey = only(log, "key.import");
            assertThat(importedKey.path("kid").asText()).isEqualTo(imported);
            assertThat(importedKey.path("alg").asText()).isEqualTo("RS384");
            assertThat(importedKey.path("file").asText()).isEqualTo(keyFile.toString());
            JsonNode config = only(log, "config.import");
            assertThat(config.path("file").asText()).isEqualTo(exported.toString());
            assertThat(config.path("count").asInt()).isPositive();
            JsonNode unpublished = only(log, "key.unpublish");
            assertThat(unpublished.path("kid").asText()).isEqualTo(rotated);
            assertThat(unpublished.path("alg").asText()).isEqualTo("ES256");
            assertThat(log.text()).doesNotContain(EXPORT_KEY).doesNotContain("PRIVATE KEY");
        }
    }

    @Test
    void smartLaunchCommandWritesItsEventWithoutTheLaunchValue() throws Exception {
        Cli cli = new Cli(dir.resolve("data"));
        Path config = dir.resolve("latch.yaml");
        Files.writeString(config, "smart:\n  fhir-servers:\n    - base: https://fhir.example/r4\n      upstream: http://127.0.0.1:1/fhir\n");
        ok(cli.run("clients", "add", "--client-id", "app", "--grant-type", "authorization_code", "--scope", "openid launch patient/Patient.rs",
                "--redirect-uri", "https://app.example/cb", "--launch-uri", "https://app.example/launch", "--config", config.toString()));
        try (LogCapture log = LogCapture.start()) {
            String launch = Json.MAPPER.readTree(ok(cli.run("smart", "launch", "--client-id", "app", "--patient", "p2", "--json",
                    "--config", config.toString())).out()).path("launch").asText();
            JsonNode e = only(log, "smart.launch");
            assertThat(e.path("client_id").asText()).isEqualTo("app");
            assertThat(e.path("patient").asText()).isEqualTo("p2");
            assertThat(log.text()).doesNotContain(launch);
        }
    }
}
