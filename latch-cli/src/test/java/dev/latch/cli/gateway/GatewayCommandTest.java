package dev.latch.cli.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.cli.Cli;
import dev.latch.server.TestServer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code latch gateway --check}: exit 0 when valid, 1 with one line per problem, 2 for usage errors. */
class GatewayCommandTest {

    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void checkWhenValidAndIssuerReachableThenExit0() throws Exception {
        try (TestServer latch = TestServer.start()) {
            Path file = write("""
                    issuers:
                      - id: latch
                        issuer: %s
                        audience: https://api.example.org
                    routes:
                      - path: /api/
                        upstream: http://127.0.0.1:9001
                        mode: protect
                        issuer: latch
                    """.formatted(latch.issuer()));
            Cli.Result r = new Cli(null).raw("gateway", "--check", "--config", file.toString());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("valid (1 route, 1 issuer; every issuer reachable)");
        }
    }

    @Test
    void checkWhenIssuerUnreachableThenExit1NamingItAndOfflineSkipsIt() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Path file = write("""
                issuers:
                  - id: down
                    issuer: http://127.0.0.1:%d
                    audience: https://api.example.org
                routes:
                  - path: /
                    upstream: http://127.0.0.1:9001
                    mode: protect
                    issuer: down
                """.formatted(closed));
        Cli.Result r = new Cli(null).raw("gateway", "--check", "--config", file.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("issuers.down:");
        Cli.Result offline = new Cli(null).raw("gateway", "--check", "--offline", "--config", file.toString());
        assertThat(offline.exit()).as(offline.err()).isZero();
    }

    @Test
    void checkWhenSeveralProblemsThenOneLineEachWithFileAndLine() throws Exception {
        Path file = write("""
                routes:
                  - path: api
                    upstream: ftp://x
                    mode: protect
                """);
        Cli.Result r = new Cli(null).raw("gateway", "--check", "--config", file.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().lines().toList()).hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(line -> assertThat(line).startsWith(file + ":"));
        assertThat(r.err()).contains(":2: routes[0].path").contains(":3: routes[0].upstream");
    }

    @Test
    void hostFlagOverridesTheFileAndIsChecked() throws Exception {
        Path file = write("""
                host: 127.0.0.1
                routes:
                  - path: /
                    upstream: http://127.0.0.1:9001
                    mode: passthrough
                """);
        assertThat(new Cli(null).raw("gateway", "--check", "--offline", "--host", "::1", "--config", file.toString()).exit()).isZero();
        Cli.Result bad = new Cli(null).raw("gateway", "--check", "--offline", "--host", "not a host!", "--config", file.toString());
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("--host");
    }

    @Test
    void withoutConfigThenUsageErrorExit2() {
        Cli.Result r = new Cli(null).raw("gateway", "--check");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--config FILE is required");
        Cli.Result missing = new Cli(null).raw("gateway", "--check", "--config", dir.resolve("nope.yaml").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("no such file");
    }

    @Test
    void secretFromEmptyEnvironmentVariableThenProblemNamesIt() throws Exception {
        Path file = write("""
                routes:
                  - path: /
                    upstream: http://127.0.0.1:9001
                    mode: attach
                    token:
                      issuer: http://127.0.0.1:8080
                      client-id: job
                      client-secret: ${env:JOB_SECRET}
                """);
        Cli.Result r = new Cli(null).env("JOB_SECRET", "").raw("gateway", "--check", "--offline", "--config", file.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("JOB_SECRET").contains("empty");
    }
}
