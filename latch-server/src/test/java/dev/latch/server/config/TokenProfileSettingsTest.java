package dev.latch.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latch.server.resource.TokenProfile;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tokens.default-profile} and {@code resources:}: bound as documented, every bad value refused at its file and line. */
class TokenProfileSettingsTest {

    @TempDir
    Path dir;

    private static ConfigLoader loader() {
        return ConfigFiles.loader();
    }

    private Path yaml(String text) throws Exception {
        return ConfigFiles.yaml(dir, text);
    }

    @Test
    void withoutSettingsEveryTokenIsRfc9068AndNoResourceIsDeclared() {
        ServerConfig c = loader().load(null, Map.of());
        assertThat(c.tokens().defaultProfile()).isEqualTo(TokenProfile.RFC9068);
        assertThat(c.resources()).isEmpty();
    }

    @Test
    void theDocumentedExampleBinds() throws Exception {
        ServerConfig c = loader().load(yaml("""
                tokens:
                  default-profile: jwt
                resources:
                  - uri: https://api.example.org
                    token-profile: jwt
                  - uri: urn:example:fhir
                    token-profile: RFC9068
                """), Map.of());
        assertThat(c.tokens().defaultProfile()).isEqualTo(TokenProfile.JWT);
        assertThat(c.resources()).containsExactly(new ServerConfig.ResourceSetting("https://api.example.org", TokenProfile.JWT),
                new ServerConfig.ResourceSetting("urn:example:fhir", TokenProfile.RFC9068));
    }

    @Test
    void resourcesCanBeGivenByIndexOnTheCommandLine() {
        ServerConfig c = loader().load(null, Map.of("resources.0.uri", "https://api.example.org", "resources.0.token-profile", "jwt",
                "tokens.default-profile", "rfc9068"));
        assertThat(c.resources()).containsExactly(new ServerConfig.ResourceSetting("https://api.example.org", TokenProfile.JWT));
        assertThat(c.tokens().defaultProfile()).isEqualTo(TokenProfile.RFC9068);
    }

    @Test
    void anUnknownDefaultProfileIsRefusedAtItsLine() throws Exception {
        Path f = yaml("port: 8080\ntokens:\n  default-profile: spring\n");
        assertThatThrownBy(() -> loader().load(f, Map.of()))
                .hasMessage(f + ":3: tokens.default-profile: must be one of rfc9068, jwt (was spring)");
    }

    @Test
    void badResourceEntriesAreRefusedAtTheirLineNamingTheKey() throws Exception {
        Path unknownProfile = yaml("resources:\n  - uri: https://api.example.org\n    token-profile: at+jwt\n");
        assertThatThrownBy(() -> loader().load(unknownProfile, Map.of()))
                .hasMessage(unknownProfile + ":3: resources[0].token-profile: must be one of rfc9068, jwt (was at+jwt)");

        Path unknownKey = yaml("resources:\n  - uri: https://api.example.org\n    profile: jwt\n");
        assertThatThrownBy(() -> loader().load(unknownKey, Map.of()))
                .hasMessage(unknownKey + ":3: resources[0].profile: unknown setting (known: token-profile, uri)");

        Path fragment = yaml("resources:\n  - uri: https://api.example.org/#x\n    token-profile: jwt\n");
        assertThatThrownBy(() -> loader().load(fragment, Map.of()))
                .hasMessage(fragment + ":2: resources[0].uri: https://api.example.org/#x must be an absolute URI without fragment (RFC 8707 §2)");

        Path relative = yaml("resources:\n  - uri: /api\n    token-profile: jwt\n");
        assertThatThrownBy(() -> loader().load(relative, Map.of())).hasMessageStartingWith(relative + ":2: resources[0].uri: /api must be");

        Path noUri = yaml("resources:\n  - token-profile: jwt\n");
        assertThatThrownBy(() -> loader().load(noUri, Map.of())).hasMessageStartingWith(noUri + ":2: resources[0].uri: required");

        Path noProfile = yaml("resources:\n  - uri: https://api.example.org\n");
        assertThatThrownBy(() -> loader().load(noProfile, Map.of()))
                .hasMessage(noProfile + ":2: resources[0].token-profile: required: one of rfc9068, jwt");

        Path twice = yaml("resources:\n  - uri: https://a.example\n    token-profile: jwt\n  - uri: https://a.example\n    token-profile: rfc9068\n");
        assertThatThrownBy(() -> loader().load(twice, Map.of()))
                .hasMessage(twice + ":4: resources[1].uri: https://a.example is declared twice (first as resources[0])");

        Path notAList = yaml("resources: https://api.example.org\n");
        assertThatThrownBy(() -> loader().load(notAList, Map.of()))
                .hasMessage(notAList + ":1: resources: must be a list of {uri, token-profile}");

        Path notAMapping = yaml("resources:\n  - https://api.example.org\n");
        assertThatThrownBy(() -> loader().load(notAMapping, Map.of()))
                .hasMessage(notAMapping + ":2: resources[0]: must be a mapping {uri, token-profile}");
    }

    @Test
    void aBadValueFromTheCommandLineIsNamedWithoutALine() {
        assertThatThrownBy(() -> loader().load(null, Map.of("tokens.default-profile", "JWT2")))
                .hasMessage("tokens.default-profile: must be one of rfc9068, jwt (was JWT2)");
    }
}
