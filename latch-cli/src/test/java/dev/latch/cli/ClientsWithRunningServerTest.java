package dev.latch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.TestServer;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The clients commands on the data of a running server: the issue's "a running server sees such changes within 5 seconds". */
class ClientsWithRunningServerTest {

    static final Duration WITHIN = Duration.ofSeconds(5);
    static TestServer server;
    static Cli cli;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        cli = new Cli(server.data());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String basic(String id, String secret) {
        String raw = URLEncoder.encode(id, StandardCharsets.UTF_8) + ":" + URLEncoder.encode(secret, StandardCharsets.UTF_8);
        return "Basic " + Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    static HttpResponse<String> token(String id, String secret) {
        return server.postForm("/token", "grant_type=client_credentials", "Authorization", basic(id, secret));
    }

    /** Polls the token endpoint until it answers {@code status}; returns the last response. */
    static HttpResponse<String> tokenUntil(int status, String id, String secret) {
        HttpResponse<String>[] last = new HttpResponse[1];
        Poll.until(WITHIN, () -> {
            last[0] = token(id, secret);
            return last[0].statusCode() == status ? last[0] : null;
        });
        return last[0];
    }

    static String[] quietLines(Cli.Result r) {
        assertThat(r.exit()).as(r.err()).isZero();
        return r.out().split("\n");
    }

    @Test
    void clientAddedWhileServerRunsGetsTokensWithinFiveSeconds() {
        // the server has just looked the client up and found nothing: that answer must not stick
        assertThat(token("late", "whatever-it-is-not-registered-yet").statusCode()).isEqualTo(401);
        String[] added = quietLines(cli.run("clients", "add", "--client-id", "late", "--scope", "read", "-q"));
        HttpResponse<String> r = tokenUntil(200, "late", added[1]);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"scope\":\"read\"");
    }

    @Test
    void rotatedSecretReplacesTheOldOneWithinFiveSeconds() {
        String[] added = quietLines(cli.run("clients", "add", "--client-id", "rot", "-q"));
        assertThat(tokenUntil(200, "rot", added[1]).statusCode()).isEqualTo(200);
        String[] rotated = quietLines(cli.run("clients", "rotate-secret", "rot", "-q"));
        assertThat(tokenUntil(401, "rot", added[1]).statusCode()).isEqualTo(401);
        assertThat(token("rot", rotated[1]).statusCode()).isEqualTo(200);
    }

    @Test
    void disabledThenRemovedClientIsRefusedWithinFiveSeconds() {
        String[] added = quietLines(cli.run("clients", "add", "--client-id", "bye", "-q"));
        assertThat(tokenUntil(200, "bye", added[1]).statusCode()).isEqualTo(200);
        assertThat(cli.run("clients", "update", "bye", "--disabled").exit()).isZero();
        HttpResponse<String> disabled = tokenUntil(401, "bye", added[1]);
        assertThat(disabled.statusCode()).isEqualTo(401);
        assertThat(disabled.body()).contains("\"error\":\"invalid_client\"");
        assertThat(cli.run("clients", "update", "bye", "--enabled").exit()).isZero();
        assertThat(tokenUntil(200, "bye", added[1]).statusCode()).isEqualTo(200);
        assertThat(cli.run("clients", "remove", "bye").exit()).isZero();
        assertThat(tokenUntil(401, "bye", added[1]).statusCode()).isEqualTo(401);
    }

    /**
     * A second process on the embedded database while the server holds it: H2's AUTO_SERVER mode must
     * let it in (without it the file is locked: "Database may be already in use").
     */
    @Test
    void cliInAnotherProcessWorksOnTheEmbeddedDatabaseTheServerHolds() throws Exception {
        server.basicClient("added-by-the-server-process", "read");
        String secret = "secret-for-the-other-process-0123456789";
        Path secretFile = dir.resolve("secret");
        Files.writeString(secretFile, secret);
        Process p = java("dev.latch.cli.Main", "clients", "add", "--data", server.data().toString(), "--client-id", "other-process",
                "--secret", "${file:" + secretFile + "}", "-q");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(err).isZero();
        assertThat(out).isEqualTo("other-process\n");
        assertThat(tokenUntil(200, "other-process", secret).statusCode()).isEqualTo(200);

        Process list = java("dev.latch.cli.Main", "clients", "list", "--data", server.data().toString());
        assertThat(list.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String listed = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(list.exitValue()).as(new String(list.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        assertThat(listed).contains("other-process").contains("added-by-the-server-process");
    }

    /** Starts {@code main} in a new JVM with this test's class path. */
    static Process java(String main, String... args) throws IOException {
        String javaBinary = ProcessHandle.current().info().command().orElse("java");
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(javaBinary, "--enable-native-access=ALL-UNNAMED"));
        command.addAll(dev.latch.server.SuiteSecrets.childJvmOptions());
        command.addAll(List.of("-cp", classPath, main));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("LATCH_MASTER_KEY");
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return pb.start();
    }
}
