package dev.latch.cli.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.cli.Cli;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    // ------------------------------------------------------------------ sso routes against a real Latch

    private static final String SSO_SECRET = "gateway-sso-secret-0123456789-abcdef";
    private static final String COOKIE_SECRET = "0123456789abcdef0123456789abcdef";
    private static final String REDIRECT = "https://app.example.org/oauth2/callback";

    /** A confidential client {@code web} at {@code latch} with {@link #SSO_SECRET} and {@link #REDIRECT} registered. */
    private static void registerWeb(TestServer latch) {
        latch.clients().create(new Client.Builder().clientId("web").clientName("Web app behind the gateway")
                .scope("openid profile email offline_access").grantTypes(List.of("authorization_code", "refresh_token"))
                .redirectUris(List.of(REDIRECT)).build(), SSO_SECRET, true, null);
    }

    private Path ssoConfig(String issuer, String redirectUri) throws Exception {
        return write("""
                routes:
                  - path: /
                    upstream: http://127.0.0.1:9001
                    mode: sso
                    sso:
                      issuer: %s
                      client-id: web
                      client-secret: ${env:SSO_SECRET}
                      cookie-secret: ${env:COOKIE_SECRET}
                      redirect-uri: %s
                """.formatted(issuer, redirectUri));
    }

    private static Cli.Result check(Path file, String clientSecret, String... flags) {
        List<String> args = new java.util.ArrayList<>(List.of("gateway", "--check"));
        args.addAll(List.of(flags));
        args.addAll(List.of("--config", file.toString()));
        return new Cli(null).env("SSO_SECRET", clientSecret).env("COOKIE_SECRET", COOKIE_SECRET).raw(args.toArray(String[]::new));
    }

    @Test
    void checkWhenSsoClientAndRedirectUriRegisteredThenExit0() throws Exception {
        try (TestServer latch = TestServer.start()) {
            registerWeb(latch);
            Path file = ssoConfig(latch.issuer(), REDIRECT);

            Cli.Result r = check(file, SSO_SECRET);

            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.err()).isEmpty();
            assertThat(r.out()).contains(file + ": valid (1 route, 0 issuers; every sign-in provider accepts the client)");
        }
    }

    @Test
    void checkWhenSsoClientSecretWrongThenExit1NamingTheClient() throws Exception {
        try (TestServer latch = TestServer.start()) {
            registerWeb(latch);
            Path file = ssoConfig(latch.issuer(), REDIRECT);

            Cli.Result r = check(file, "not-the-secret");

            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.out()).isEmpty();
            assertThat(r.err().lines().toList()).singleElement().asString()
                    .startsWith(file + ": route /: sso: the provider refused the client web (invalid_client")
                    .endsWith("check client-id and client-secret or private-key");
        }
    }

    @Test
    void checkWhenSsoRedirectUriNotRegisteredThenExit1NamingIt() throws Exception {
        try (TestServer latch = TestServer.start()) {
            registerWeb(latch);
            String other = "https://other.example.org/oauth2/callback";
            Path file = ssoConfig(latch.issuer(), other);

            Cli.Result r = check(file, SSO_SECRET);

            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err().lines().toList()).singleElement().asString()
                    .startsWith(file + ": route /: sso: the provider refused an authorization request for client web with redirect URI " + other)
                    .endsWith("register that redirect URI for the client");
        }
    }

    @Test
    void checkWhenSsoIssuerUnreachableThenExit1NamingItAndOfflineDoesNotContactIt() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Path file = ssoConfig("http://127.0.0.1:" + closed, REDIRECT);

        Cli.Result r = check(file, SSO_SECRET);

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().lines().toList()).singleElement().asString().startsWith(file + ": route /: sso: ")
                .contains("http://127.0.0.1:" + closed);
        Cli.Result offline = check(file, SSO_SECRET, "--offline");
        assertThat(offline.exit()).as(offline.err()).isZero();
        assertThat(offline.out()).contains(file + ": valid (1 route, 0 issuers; sign-in providers not contacted)");
    }

    @Test
    void checkOfflineWhenTheProviderWouldRefuseThenExit0WithoutContactingIt() throws Exception {
        try (TestServer latch = TestServer.start()) {
            Path file = ssoConfig(latch.issuer(), REDIRECT); // no client registered: online, the check would fail

            assertThat(check(file, SSO_SECRET).exit()).isEqualTo(1);
            Cli.Result offline = check(file, SSO_SECRET, "--offline");
            assertThat(offline.exit()).as(offline.err()).isZero();
            assertThat(offline.out()).contains("sign-in providers not contacted");
        }
    }
}
