package dev.latch.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latch.core.secret.SecretReference;
import dev.latch.server.config.ConfigLoader;
import dev.latch.server.config.ServerConfig;
import dev.latch.server.user.Authentication;
import dev.latch.server.user.User;
import dev.latch.server.user.UserRegistry;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Users declared in the YAML configuration, applied when the server starts (as `latch serve` does). */
class ConfiguredUsersTest {

    private static final String REFERENCE = "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4";
    private static final String CHEAP = "passwords:\n  argon2id:\n    memory-kib: 64\n    iterations: 1\n";

    @TempDir
    Path dir;
    private final Map<String, String> env = new HashMap<>();
    private TestClock clock;

    @BeforeEach
    void setUp() {
        clock = TestClock.atNow();
        env.put("ALICE_PASSWORD", "alice's first password");
    }

    /** Starts a server on the data directory with {@code yaml}, runs {@code check} on its users, stops it. */
    private void startWith(String yaml, Consumer<UserRegistry> check) throws Exception {
        try (LatchServer server = serverFrom(dir, yaml, env, clock)) {
            check.accept(server.instance().users());
        }
    }

    /**
     * A server (not yet listening) over the data directory in {@code dir}, configured by {@code yaml}
     * as {@code latch serve --config} does, with secret references read from {@code env}.
     */
    static LatchServer serverFrom(Path dir, String yaml, Map<String, String> env, java.time.Clock clock) throws Exception {
        Path file = dir.resolve("latch.yaml");
        Files.writeString(file, yaml);
        SecretReference secrets = new SecretReference(env::get, () -> new ByteArrayInputStream(new byte[0]));
        ServerConfig config = new ConfigLoader(name -> null, secrets).load(file, Map.of("data", dir.resolve("data").toString()));
        LatchInstance instance = LatchInstance.open(config, clock);
        try {
            return LatchServer.create(instance);
        } catch (RuntimeException e) {
            instance.close();
            throw e;
        }
    }

    private static String users(String users) {
        return CHEAP + "users:\n" + users;
    }

    private static final String THREE = users("""
              - username: alice
                password: ${env:ALICE_PASSWORD}
                email: alice@example.org
                name: Alice Liddell
                roles: [admin]
              - username: bob
                password_hash: %s
              - username: carol
                given_name: Carol
            """.formatted(REFERENCE));

    @Test
    void declaredUsersAreCreatedAtStartUp() throws Exception {
        startWith(THREE, users -> {
            assertThat(users.list()).extracting(User::username).containsExactly("alice", "bob", "carol");
            User alice = users.find("alice").orElseThrow();
            assertThat(alice.claims()).containsEntry("email", "alice@example.org").containsEntry("name", "Alice Liddell");
            assertThat(alice.roles()).containsExactly("admin");
            assertThat(alice.passwordHash()).startsWith("$argon2id$v=19$m=64,t=1,p=1$");
            assertThat(users.authenticate("alice", "alice's first password".toCharArray()).succeeded()).isTrue();
            assertThat(users.authenticate("bob", "password".toCharArray()).succeeded()).isTrue();
            assertThat(users.authenticate("carol", "anything".toCharArray()).outcome()).isEqualTo(Authentication.Outcome.NO_PASSWORD);
        });
    }

    @Test
    void restartWithTheSameFileChangesNothing() throws Exception {
        String yaml = users("""
                  - username: alice
                    password: ${env:ALICE_PASSWORD}
                    email: alice@example.org
                  - username: bob
                    password_hash: %s
                """.formatted(new dev.latch.server.user.Argon2idHasher(64, 1, 1).hash("bob's password".toCharArray())));
        List<User> first = new java.util.ArrayList<>();
        startWith(yaml, users -> first.addAll(users.list()));
        clock.advance(Duration.ofDays(1));

        startWith(yaml, users -> assertThat(users.list()).as("subjects, hashes (salts) and updated_at kept").isEqualTo(first));
    }

    @Test
    void restartWithAChangedFileUpdatesTheUserButKeepsItsSubject() throws Exception {
        String[] subject = new String[1];
        startWith(THREE, users -> subject[0] = users.find("alice").orElseThrow().subject());
        env.put("ALICE_PASSWORD", "alice's second password");
        clock.advance(Duration.ofHours(1));

        startWith(users("""
                  - username: Alice
                    password: ${env:ALICE_PASSWORD}
                    email: alice@example.com
                    roles: [admin, ops]
                    enabled: false
                """), users -> {
            User alice = users.find("alice").orElseThrow();
            assertThat(alice.subject()).isEqualTo(subject[0]);
            assertThat(alice.username()).isEqualTo("Alice");
            assertThat(alice.claims()).isEqualTo(Map.of("email", "alice@example.com"));
            assertThat(alice.roles()).containsExactly("admin", "ops");
            assertThat(alice.enabled()).isFalse();
            assertThat(alice.updatedAt()).isEqualTo(clock.instant().getEpochSecond());
            assertThat(users.authenticate("alice", "alice's first password".toCharArray()).outcome())
                    .isEqualTo(Authentication.Outcome.WRONG_PASSWORD);
            assertThat(users.authenticate("alice", "alice's second password".toCharArray()).outcome())
                    .isEqualTo(Authentication.Outcome.DISABLED);
            assertThat(users.list()).as("users left out of the file stay").extracting(User::username).contains("bob", "carol");
        });
    }

    @Test
    void aPasswordHashChangedInTheFileReplacesTheStoredOne() throws Exception {
        startWith(THREE, users -> { });
        String other = new dev.latch.server.user.Argon2idHasher(64, 1, 1).hash("bob's new password".toCharArray());

        startWith(users("  - username: bob\n    password_hash: " + other + "\n"), users -> {
            assertThat(users.find("bob").orElseThrow().passwordHash()).isEqualTo(other);
            assertThat(users.authenticate("bob", "bob's new password".toCharArray()).succeeded()).isTrue();
        });
    }

    @Test
    void aUserDeclaredWithoutPasswordKeepsOneSetWithTheCli() throws Exception {
        startWith(THREE, users -> users.setPassword("carol", "carol's own password".toCharArray()));

        startWith(THREE, users -> assertThat(users.authenticate("carol", "carol's own password".toCharArray()).succeeded()).isTrue());
    }

    @Test
    void aBadUserStopsStartUpNamingTheEntry() {
        assertThatThrownBy(() -> startWith(users("  - username: ok\n  - username: dave\n    email: not-an-email\n"), users -> { }))
                .isInstanceOf(ConfigLoader.ConfigException.class)
                .hasMessage("users[1] (dave): email: not-an-email is not an email address");
        assertThatThrownBy(() -> startWith(users("  - username: erin\n    password_hash: $2b$10$notargon\n"), users -> { }))
                .hasMessageStartingWith("users[0] (erin): password_hash must be an Argon2id PHC string");
        env.put("SHORT", "short");
        assertThatThrownBy(() -> startWith(users("  - username: fred\n    password: ${env:SHORT}\n"), users -> { }))
                .hasMessage("users[0] (fred): the password must be at least 8 characters");
    }

    @Test
    void twoEntriesForOneUsernameAreRefusedBeforeAnythingIsWritten() {
        assertThatThrownBy(() -> startWith(users("  - username: Gail\n  - username: gail\n"), users -> { }))
                .isInstanceOf(ConfigLoader.ConfigException.class)
                .hasMessage("users[1].username: gail is declared twice (first as users[0] (Gail); usernames are compared ignoring case)");
        assertThat(dir.resolve("data")).as("no database was even opened").doesNotExist();
    }

    @Test
    void parametersBelowOwaspMinimumAreLoggedAsAWarning() throws Exception {
        try (LogCapture log = LogCapture.start()) {
            startWith(CHEAP, users -> { });
            assertThat(log.lines()).anyMatch(l -> l.contains("WARN passwords.argon2id (m=64 KiB, t=1, p=1) is weaker than OWASP's minimum"));
        }
        try (LogCapture log = LogCapture.start()) {
            startWith("passwords:\n  argon2id:\n    memory-kib: 47104\n    iterations: 1\n", users -> { });
            assertThat(log.lines()).noneMatch(l -> l.contains("passwords.argon2id"));
        }
    }

    @Test
    void fhirUserIsDeclaredAppliedChangedAndCheckedWithItsPlace() throws Exception {
        startWith(users("  - username: pat\n    fhir-user: Patient/example\n  - username: doc\n"),
                registry -> {
                    assertThat(registry.find("pat").orElseThrow().fhirUser()).isEqualTo("Patient/example");
                    assertThat(registry.find("doc").orElseThrow().fhirUser()).isNull();
                });
        startWith(users("  - username: pat\n    fhir-user: RelatedPerson/rp-1\n"),
                registry -> assertThat(registry.find("pat").orElseThrow().fhirUser()).isEqualTo("RelatedPerson/rp-1"));
        assertThatThrownBy(() -> startWith(users("  - username: pat\n    fhir-user: Encounter/1\n"), registry -> {}))
                .hasMessageStartingWith("users[0] (pat): fhir-user Encounter/1 is not a FHIR reference Type/id");
        assertThatThrownBy(() -> startWith(users("  - username: pat\n    fhir-user: [Patient/1]\n"), registry -> {}))
                .hasMessageContaining("users[0].fhir-user: must be a FHIR reference");
    }
}
