package dev.latch.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latch.core.secret.SecretReference;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private static ConfigLoader loader(Map<String, String> env) {
        return new ConfigLoader(env::get, new SecretReference(env::get, () -> new ByteArrayInputStream(new byte[0])));
    }

    private Path yaml(String text) throws Exception {
        Path f = dir.resolve("latch.yaml");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void defaultsAreTheSecureOnes() {
        ServerConfig c = loader(Map.of()).load(null, Map.of());
        assertThat(c.issuer()).isEqualTo("http://localhost:8080");
        assertThat(c.management().host()).isEqualTo("127.0.0.1");
        assertThat(c.management().port()).isEqualTo(9080);
        assertThat(c.registration().open()).isFalse();
        assertThat(c.tokens().signingAlg()).isEqualTo("RS256");
        assertThat(c.tokens().accessTokenLifetime()).isEqualTo(Duration.ofHours(1));
        assertThat(c.outbound().allow()).isEmpty();
        assertThat(c.crypto()).isEqualTo("auto");
    }

    @Test
    void yamlThenEnvironmentThenCommandLineEachOverrideTheLast() throws Exception {
        Path f = yaml("port: 7000\nissuer: https://yaml.example\ntokens:\n  access-token-lifetime: 5m\n");
        ServerConfig fromYaml = loader(Map.of()).load(f, Map.of());
        assertThat(fromYaml.port()).isEqualTo(7000);
        assertThat(fromYaml.tokens().accessTokenLifetime()).isEqualTo(Duration.ofMinutes(5));
        ServerConfig fromEnv = loader(Map.of("LATCH_ISSUER", "https://env.example", "LATCH_OUTBOUND_ALLOW", "jwks.internal, 10.0.0.0/8"))
                .load(f, Map.of());
        assertThat(fromEnv.issuer()).isEqualTo("https://env.example");
        assertThat(fromEnv.outbound().allow()).containsExactly("jwks.internal", "10.0.0.0/8");
        Map<String, String> cli = new HashMap<>();
        cli.put("issuer", "https://cli.example/tenant/");
        assertThat(loader(Map.of("LATCH_ISSUER", "https://env.example")).load(f, cli).issuer()).isEqualTo("https://cli.example/tenant");
    }

    @Test
    void secretReferenceThatResolvesToNothingStopsStartUpNamingSettingAndVariable() throws Exception {
        Path f = yaml("database:\n  url: jdbc:postgresql://127.0.0.1/latch\n  password: ${env:PGPASSWORD}\n");
        assertThatThrownBy(() -> loader(Map.of()).load(f, Map.of()))
                .hasMessage("database.password: environment variable PGPASSWORD is not set");
        assertThatThrownBy(() -> loader(Map.of("LATCH_REGISTRATION_TOKEN", "${env:REG}")).load(null, Map.of()))
                .hasMessage("registration.initial-access-token: environment variable REG is not set");
        assertThat(loader(Map.of("PGPASSWORD", "pw")).load(f, Map.of()).database().password()).isEqualTo("pw");
    }

    @Test
    void brandingAndSessionsBoundAndCheckedSoConfigCannotInjectIntoPages() throws Exception {
        ServerConfig d = loader(Map.of()).load(null, Map.of());
        assertThat(d.branding()).isEqualTo(new ServerConfig.Branding("Latch", null, "#1d4ed8"));
        assertThat(d.sessions()).isEqualTo(new ServerConfig.Sessions(Duration.ofMinutes(30), Duration.ofHours(10)));
        ServerConfig c = loader(Map.of()).load(yaml("branding:\n  product-name: Example Health\n  logo-url: https://cdn.example/l.svg\n"
                + "  primary-color: '#0f766e'\nsessions:\n  idle-lifetime: 5m\n  absolute-lifetime: 1h\n"), Map.of());
        assertThat(c.branding()).isEqualTo(new ServerConfig.Branding("Example Health", "https://cdn.example/l.svg", "#0f766e"));
        assertThat(c.sessions().idleLifetime()).isEqualTo(Duration.ofMinutes(5));
        assertThatThrownBy(() -> loader(Map.of()).load(yaml("branding:\n  primary-color: 'red;}body{display:none'\n"), Map.of()))
                .hasMessageStartingWith("branding.primary-color: must be #rgb or #rrggbb");
        assertThatThrownBy(() -> loader(Map.of()).load(yaml("branding:\n  logo-url: javascript:alert(1)\n"), Map.of()))
                .hasMessageStartingWith("branding.logo-url: must be an https URL");
        assertThatThrownBy(() -> loader(Map.of()).load(yaml("sessions:\n  idle-lifetime: 2h\n  absolute-lifetime: 1h\n"), Map.of()))
                .hasMessageStartingWith("sessions.idle-lifetime:");
    }

    @Test
    void unknownSettingsAreRefusedByName() throws Exception {
        assertThatThrownBy(() -> loader(Map.of()).load(yaml("prot: 80\n"), Map.of())).hasMessageContaining("unknown setting 'prot'");
        assertThatThrownBy(() -> loader(Map.of()).load(yaml("tokens:\n  lifetime: 5m\n"), Map.of()))
                .hasMessageStartingWith("tokens.lifetime: unknown setting");
    }

    @Test
    void badValuesNameTheSetting() throws Exception {
        assertThatThrownBy(() -> loader(Map.of()).load(yaml("port: eighty\n"), Map.of())).hasMessage("port: not a whole number (was eighty)");
        assertThatThrownBy(() -> loader(Map.of()).load(yaml("tokens:\n  access-token-lifetime: soon\n"), Map.of()))
                .hasMessageStartingWith("tokens.access-token-lifetime: not a duration");
        // found by fuzzing: past a long's range, or past what a Duration holds, was a NumberFormatException / ArithmeticException
        assertThatThrownBy(() -> loader(Map.of()).load(yaml("sessions:\n  idle-lifetime: 3099999999999999999999m\n"), Map.of()))
                .hasMessage("sessions.idle-lifetime: too long a duration (was 3099999999999999999999m)");
        assertThatThrownBy(() -> loader(Map.of()).load(yaml("tokens:\n  access-token-lifetime: 999999999999999999d\n"), Map.of()))
                .hasMessage("tokens.access-token-lifetime: too long a duration (was 999999999999999999d)");
        assertThatThrownBy(() -> loader(Map.of()).load(yaml("tokens:\n  signing-alg: none\n"), Map.of()))
                .hasMessageStartingWith("tokens.signing-alg: unsupported signing algorithm: none");
        assertThatThrownBy(() -> loader(Map.of()).load(yaml("crypto: fast\n"), Map.of()))
                .hasMessage("crypto: must be one of jdk, native, auto (was fast)");
        assertThatThrownBy(() -> loader(Map.of()).load(yaml("tls:\n  cert: a.pem\n"), Map.of()))
                .hasMessage("tls: --tls-cert and --tls-key go together");
    }

    @Test
    void aBadWholeNumberInASectionNamesTheFullSetting() {
        assertThatThrownBy(() -> loader(Map.of("LATCH_MANAGEMENT_PORT", "ninety")).load(null, Map.of()))
                .hasMessage("management.port: not a whole number (was ninety)");
        assertThatThrownBy(() -> loader(Map.of()).load(null, Map.of("database.pool-size", "many")))
                .hasMessage("database.pool-size: not a whole number (was many)");
        assertThatThrownBy(() -> loader(Map.of()).load(null, Map.of("outbound.max-bytes", "1MB")))
                .hasMessage("outbound.max-bytes: not a whole number (was 1MB)");
    }

    @Test
    void issuerMustBeHttpsOutsideLocalhostWithoutQueryOrFragment() {
        assertThatThrownBy(() -> loader(Map.of()).load(null, Map.of("issuer", "http://auth.example.org")))
                .hasMessageStartingWith("issuer: must use https (RFC 8414 §2)");
        assertThatThrownBy(() -> loader(Map.of()).load(null, Map.of("issuer", "https://auth.example.org?x=1")))
                .hasMessage("issuer: must have no query or fragment (RFC 8414 §2)");
        assertThat(loader(Map.of()).load(null, Map.of("issuer", "http://127.0.0.1:9000")).issuer()).isEqualTo("http://127.0.0.1:9000");
    }

    @Test
    void withTlsTheDefaultIssuerIsHttps() {
        Map<String, String> o = new HashMap<>();
        o.put("port", "8443");
        o.put("tls.cert", "c.pem");
        o.put("tls.key", "k.pem");
        assertThat(loader(Map.of()).load(null, o).issuer()).isEqualTo("https://localhost:8443");
    }

    @Test
    void durationsAcceptUnitsAndIso8601() {
        assertThat(ConfigLoader.parseDuration("x", "300")).isEqualTo(Duration.ofSeconds(300));
        assertThat(ConfigLoader.parseDuration("x", "5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(ConfigLoader.parseDuration("x", "1d")).isEqualTo(Duration.ofDays(1));
        assertThat(ConfigLoader.parseDuration("x", "PT2H")).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void passwordHashingDefaultsToOwaspMinimumAndCanBeSetInYamlOrByName() throws Exception {
        ServerConfig.Passwords defaults = loader(Map.of()).load(null, Map.of()).passwords();
        assertThat(defaults.argon2id()).isEqualTo(new ServerConfig.Argon2id(19_456, 2, 1));
        assertThat(defaults.minLength()).isEqualTo(8);

        Path f = yaml("passwords:\n  min-length: 12\n  argon2id:\n    memory-kib: 65536\n    iterations: 3\n    parallelism: 4\n");
        ServerConfig.Passwords set = loader(Map.of()).load(f, Map.of()).passwords();
        assertThat(set.argon2id()).isEqualTo(new ServerConfig.Argon2id(65_536, 3, 4));
        assertThat(set.minLength()).isEqualTo(12);

        ServerConfig.Passwords cheap = loader(Map.of()).load(null, Map.of("passwords.argon2id.memory-kib", "64",
                "passwords.argon2id.iterations", "1")).passwords();
        assertThat(cheap.argon2id()).isEqualTo(new ServerConfig.Argon2id(64, 1, 1));
    }

    @Test
    void badPasswordHashingSettingsNameTheSetting() throws Exception {
        assertThatThrownBy(() -> loader(Map.of()).load(yaml("passwords:\n  argon2id:\n    memory: 64\n"), Map.of()))
                .hasMessage("passwords.argon2id.memory: unknown setting (known: iterations, memory-kib, parallelism)");
        assertThatThrownBy(() -> loader(Map.of()).load(yaml("passwords:\n  bcrypt: {}\n"), Map.of()))
                .hasMessage("passwords.bcrypt: unknown setting (known: argon2id, min-length)");
        assertThatThrownBy(() -> loader(Map.of()).load(yaml("passwords:\n  argon2id:\n    memory-kib: lots\n"), Map.of()))
                .hasMessage("passwords.argon2id.memory-kib: not a whole number (was lots)");
        assertThatThrownBy(() -> loader(Map.of()).load(yaml("passwords:\n  argon2id:\n    memory-kib: 4\n"), Map.of()))
                .hasMessage("passwords.argon2id: memory-kib must be 8-1048576 (at least 8 × parallelism; was 4)");
        assertThatThrownBy(() -> loader(Map.of()).load(yaml("passwords:\n  argon2id:\n    iterations: 0\n"), Map.of()))
                .hasMessage("passwords.argon2id: iterations must be 1-100 (was 0)");
        assertThatThrownBy(() -> loader(Map.of()).load(yaml("passwords:\n  min-length: 0\n"), Map.of()))
                .hasMessage("passwords.min-length: must be 1-1024 (was 0)");
    }

    @Test
    void usersAreReadWithTheirPasswordsResolvedFromReferences() throws Exception {
        Files.writeString(dir.resolve("bob.pw"), "bob's password\n");
        Path f = yaml("""
                users:
                  - username: alice
                    password: ${env:ALICE_PASSWORD}
                    email: alice@example.org
                    email_verified: true
                    name: Alice Liddell
                    address:
                      locality: Oxford
                      postal_code: 12345
                    roles: [admin, ops]
                  - username: bob
                    password: ${file:%s}
                    roles: viewer
                    enabled: false
                  - username: carol
                    password_hash: $argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4
                """.formatted(dir.resolve("bob.pw")));

        java.util.List<ServerConfig.UserSetting> users = loader(Map.of("ALICE_PASSWORD", "alice's password")).load(f, Map.of()).users();

        assertThat(users).hasSize(3);
        ServerConfig.UserSetting alice = users.get(0);
        assertThat(alice.username()).isEqualTo("alice");
        assertThat(alice.password()).isEqualTo("alice's password");
        assertThat(alice.claims()).containsEntry("email", "alice@example.org").containsEntry("email_verified", true)
                .containsEntry("name", "Alice Liddell").containsEntry("address", Map.of("locality", "Oxford", "postal_code", 12345));
        assertThat(alice.roles()).containsExactly("admin", "ops");
        assertThat(alice.enabled()).isTrue();
        assertThat(alice.toString()).doesNotContain("alice's password");
        assertThat(users.get(1).password()).isEqualTo("bob's password");
        assertThat(users.get(1).roles()).containsExactly("viewer");
        assertThat(users.get(1).enabled()).isFalse();
        assertThat(users.get(2).password()).isNull();
        assertThat(users.get(2).passwordHash()).startsWith("$argon2id$");
    }

    @Test
    void aPasswordWrittenIntoTheFileIsRefusedNamingTheUser() throws Exception {
        assertThatThrownBy(() -> loader(Map.of()).load(yaml("users:\n  - username: a\n    password: hunter2hunter2\n"), Map.of()))
                .hasMessage("users[0].password: must be ${env:NAME} or ${file:PATH}, not the password itself "
                        + "(or give password_hash, an Argon2id PHC string)");
        assertThatThrownBy(() -> loader(Map.of()).load(yaml("users:\n  - username: a\n    password: ${env:NOPE}\n"), Map.of()))
                .hasMessage("users[0].password: environment variable NOPE is not set");
    }

    @Test
    void badUserEntriesNameTheEntryAndField() throws Exception {
        assertThatThrownBy(() -> loader(Map.of()).load(yaml("users: alice\n"), Map.of())).hasMessage("users: must be a list");
        assertThatThrownBy(() -> loader(Map.of()).load(yaml("users:\n  - alice\n"), Map.of())).hasMessage("users[0]: must be a mapping");
        assertThatThrownBy(() -> loader(Map.of()).load(yaml("users:\n  - email: a@example.org\n"), Map.of()))
                .hasMessage("users[0].username: required");
        assertThatThrownBy(() -> loader(Map.of()).load(yaml("users:\n  - username: a\n  - username: b\n    mail: b@example.org\n"), Map.of()))
                .hasMessageStartingWith("users[1].mail: unknown setting (known: username, password, password_hash, roles, enabled, fhir-user, "
                        + "and the OpenID Connect standard claims name, given_name,");
        assertThatThrownBy(() -> loader(Map.of("P", "pw-from-env")).load(
                yaml("users:\n  - username: a\n    password: ${env:P}\n    password_hash: $argon2id$x\n"), Map.of()))
                .hasMessage("users[0]: give password or password_hash, not both");
        assertThatThrownBy(() -> loader(Map.of()).load(yaml("users:\n  - username: a\n    enabled: maybe\n"), Map.of()))
                .hasMessage("users[0].enabled: must be true or false");
        assertThatThrownBy(() -> loader(Map.of()).load(yaml("users:\n  - username: a\n    roles: {admin: true}\n"), Map.of()))
                .hasMessage("users[0].roles: must be a list of role names");
    }
}
