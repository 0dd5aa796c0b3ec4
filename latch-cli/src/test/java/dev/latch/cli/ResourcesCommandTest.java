package dev.latch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import dev.latch.server.http.Json;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code latch resources set/list/remove}: the per-resource access-token profile from the command line. */
class ResourcesCommandTest {

    static final String API = "https://api.example.org";

    @TempDir
    Path dir;
    Cli cli;

    @BeforeEach
    void setUp() {
        cli = new Cli(dir.resolve("data"));
    }

    @Test
    void setListAndRemoveAResourceProfile() throws Exception {
        Cli.Result added = cli.run("resources", "set", API, "--token-profile", "jwt");
        assertThat(added.exit()).as(added.err()).isZero();
        assertThat(added.out()).isEqualTo("added resource " + API + ": token-profile jwt\n");
        assertThat(cli.run("resources", "set", "urn:example:fhir", "--token-profile", "rfc9068").exit()).isZero();

        Cli.Result list = cli.run("resources", "list");
        assertThat(list.out()).isEqualTo("""
                URI                      TOKEN_PROFILE
                https://api.example.org  jwt
                urn:example:fhir         rfc9068
                *                        rfc9068
                """);

        Cli.Result updated = cli.run("resources", "set", API, "--token-profile", "RFC9068");
        assertThat(updated.out()).isEqualTo("updated resource " + API + ": token-profile rfc9068\n");

        Path config = dir.resolve("latch.yaml");
        Files.writeString(config, "tokens:\n  default-profile: jwt\n");
        JsonNode json = Json.MAPPER.readTree(cli.run("resources", "list", "--json", "--config", config.toString()).out());
        assertThat(json.get("default-profile").asText()).isEqualTo("jwt");
        assertThat(json.get("resources").toString())
                .isEqualTo("[{\"uri\":\"https://api.example.org\",\"token-profile\":\"rfc9068\"},{\"uri\":\"urn:example:fhir\",\"token-profile\":\"rfc9068\"}]");

        Cli.Result removed = cli.run("resources", "remove", API);
        assertThat(removed.exit()).isZero();
        assertThat(removed.out()).isEqualTo("removed resource " + API + "\n");
        Cli.Result again = cli.run("resources", "remove", API);
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.errLine()).isEqualTo("latch: no resource " + API + " (`latch resources list` shows them)");
    }

    @Test
    void badProfilesAndIndicatorsAreRefusedNamingThem() {
        Cli.Result profile = cli.run("resources", "set", API, "--token-profile", "at+jwt");
        assertThat(profile.exit()).isEqualTo(2);
        assertThat(profile.err()).contains("--token-profile").contains("must be one of rfc9068, jwt (was at+jwt)");

        Cli.Result missing = cli.run("resources", "set", API);
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("--token-profile");

        Cli.Result fragment = cli.run("resources", "set", "https://api.example.org/#part", "--token-profile", "jwt");
        assertThat(fragment.exit()).isEqualTo(1);
        assertThat(fragment.errLine()).isEqualTo("latch: https://api.example.org/#part must be an absolute URI without fragment (RFC 8707 §2)");

        Cli.Result relative = cli.run("resources", "set", "api", "--token-profile", "jwt");
        assertThat(relative.exit()).isEqualTo(1);
        assertThat(relative.errLine()).isEqualTo("latch: api must be an absolute URI without fragment (RFC 8707 §2)");
    }

    @Test
    void aRunningServerTypesTheNextTokensByTheProfileSetFromTheCommandLine() throws Exception {
        try (TestServer server = TestServer.start()) {
            String secret = server.register(new Client.Builder().clientId("caller").allowedResources(List.of(API)).build()).clientSecret();
            Cli onServer = new Cli(server.data());
            assertThat(typ(server, secret)).isEqualTo(new JOSEObjectType("at+jwt"));

            assertThat(onServer.run("resources", "set", API, "--token-profile", "jwt").exit()).isZero();
            assertThat(Poll.until(Duration.ofSeconds(5), () -> JOSEObjectType.JWT.equals(typ(server, secret)) ? true : null)).isTrue();

            assertThat(onServer.run("resources", "remove", API).exit()).isZero();
            assertThat(Poll.until(Duration.ofSeconds(5), () -> JOSEObjectType.JWT.equals(typ(server, secret)) ? null : true)).isTrue();
            assertThat(typ(server, secret)).isEqualTo(new JOSEObjectType("at+jwt"));
        }
    }

    private static JOSEObjectType typ(TestServer server, String secret) {
        HttpResponse<String> r = server.postForm("/token", "grant_type=client_credentials&resource=" + URLEncoder.encode(API, StandardCharsets.UTF_8),
                "Authorization", ClientsWithRunningServerTest.basic("caller", secret));
        try {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            return SignedJWT.parse(Json.MAPPER.readTree(r.body()).get("access_token").asText()).getHeader().getType();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
