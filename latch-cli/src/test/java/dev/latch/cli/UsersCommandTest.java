package dev.latch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.server.LatchInstance;
import dev.latch.server.http.Json;
import dev.latch.server.user.Authentication;
import dev.latch.server.user.User;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code latch users …} in-process, with cheap Argon2id parameters from a configuration file. */
class UsersCommandTest {

    @TempDir
    Path dir;
    Path data;
    Path config;
    Cli cli;

    @BeforeEach
    void setUp() throws Exception {
        data = dir.resolve("data");
        config = dir.resolve("latch.yaml");
        Files.writeString(config, "passwords:\n  argon2id:\n    memory-kib: 64\n    iterations: 1\n");
        cli = new Cli(data);
    }

    /** Runs {@code latch users ARGS --config … --data …}. */
    private Cli.Result users(String... args) {
        List<String> all = new ArrayList<>(List.of("users"));
        all.addAll(List.of(args));
        all.add("--config");
        all.add(config.toString());
        return cli.run(all.toArray(String[]::new));
    }

    private Cli.Result usersWithStdin(String stdin, String... args) {
        cli.stdin(stdin);
        try {
            return users(args);
        } finally {
            cli.stdin("");
        }
    }

    private static JsonNode json(String text) throws Exception {
        return Json.MAPPER.readTree(text);
    }

    private User stored(String username) {
        try (LatchInstance latch = Instances.open(data)) {
            return latch.users().find(username).orElseThrow();
        }
    }

    private Authentication.Outcome signIn(String username, String password) {
        try (LatchInstance latch = Instances.open(data)) {
            return latch.users().authenticate(username, password.toCharArray()).outcome();
        }
    }

    @Test
    void addWithPasswordFromStandardInputPrintsTheUserAndStoresOnlyAnArgon2idHash() throws Exception {
        Cli.Result r = usersWithStdin("correct horse battery staple\n", "add", "alice", "--email", "alice@example.org",
                "--name", "Alice Liddell", "--given-name", "Alice", "--family-name", "Liddell", "--phone", "+44 1865 270000",
                "--role", "admin", "--role", "ops", "--password-stdin");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        JsonNode u = json(r.out());
        assertThat(u.get("sub").asText()).matches("[A-Za-z0-9_-]{22}");
        assertThat(u.get("username").asText()).isEqualTo("alice");
        assertThat(u.get("enabled").asBoolean()).isTrue();
        assertThat(u.get("has_password").asBoolean()).isTrue();
        assertThat(u.get("roles").toString()).isEqualTo("[\"admin\",\"ops\"]");
        assertThat(u.get("claims").toString()).isEqualTo("{\"name\":\"Alice Liddell\",\"given_name\":\"Alice\",\"family_name\":\"Liddell\","
                + "\"email\":\"alice@example.org\",\"phone_number\":\"+44 1865 270000\"}");
        assertThat(u.get("created_at").asLong()).isEqualTo(u.get("updated_at").asLong()).isPositive();
        assertThat(r.out()).doesNotContain("correct horse").doesNotContain("argon2");
        assertThat(stored("alice").passwordHash()).startsWith("$argon2id$v=19$m=64,t=1,p=1$");
        assertThat(signIn("alice", "correct horse battery staple")).isEqualTo(Authentication.Outcome.SIGNED_IN);
    }

    @Test
    void addQuietPrintsOnlyTheSubject() {
        Cli.Result r = usersWithStdin("a long enough password", "add", "bob", "--password-stdin", "-q");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(stored("bob").subject() + "\n");
    }

    @Test
    void addWithoutPasswordStdinCreatesAUserThatCannotSignInAndSaysSo() throws Exception {
        Cli.Result r = usersWithStdin("ignored password", "add", "carol");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(json(r.out()).get("has_password").asBoolean()).isFalse();
        assertThat(r.errLine()).isEqualTo("latch: user carol has no password and cannot sign in until "
                + "`latch users passwd carol --password-stdin` sets one");
        assertThat(signIn("carol", "ignored password")).isEqualTo(Authentication.Outcome.NO_PASSWORD);
    }

    @Test
    void aPasswordIsNeverTakenFromTheCommandLine() {
        Cli.Result r = users("add", "dave", "--password", "hunter2hunter2");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("latch: Unknown options: '--password'");
        Cli.Result p = users("add", "dave", "--password-stdin=hunter2hunter2");
        assertThat(p.exit()).isEqualTo(2);
        assertThat(Files.exists(data)).isFalse();
    }

    @Test
    void standardInputIsThePasswordLessOneLineEndWithSpacesKept() {
        assertThat(usersWithStdin("  spaced out password  \r\n", "add", "erin", "--password-stdin").exit()).isZero();

        assertThat(signIn("erin", "  spaced out password  ")).isEqualTo(Authentication.Outcome.SIGNED_IN);
        assertThat(signIn("erin", "spaced out password")).isEqualTo(Authentication.Outcome.WRONG_PASSWORD);
    }

    @Test
    void unusableStandardInputFailsNamingTheOptionAndCreatesNothing() {
        Cli.Result empty = usersWithStdin("", "add", "fred", "--password-stdin");
        assertThat(empty.exit()).isEqualTo(1);
        assertThat(empty.errLine()).isEqualTo("latch: --password-stdin: standard input is empty");
        Cli.Result newline = usersWithStdin("\n", "add", "fred", "--password-stdin");
        assertThat(newline.errLine()).isEqualTo("latch: --password-stdin: standard input is empty");
        Cli.Result two = usersWithStdin("first password\nsecond password\n", "add", "fred", "--password-stdin");
        assertThat(two.exit()).isEqualTo(1);
        assertThat(two.errLine()).isEqualTo("latch: --password-stdin: standard input holds more than one line");
        Cli.Result huge = usersWithStdin("x".repeat(9000), "add", "fred", "--password-stdin");
        assertThat(huge.errLine()).isEqualTo("latch: --password-stdin: standard input is longer than 8192 bytes");
        Cli.Result shortOne = usersWithStdin("short\n", "add", "fred", "--password-stdin");
        assertThat(shortOne.exit()).isEqualTo(1);
        assertThat(shortOne.errLine()).isEqualTo("latch: the password must be at least 8 characters");
        assertThat(users("list", "--json").out().strip()).isEqualTo("[ ]");
    }

    @Test
    void addWhenUsernameTakenIgnoringCaseThenExit1NamingTheHolder() {
        assertThat(users("add", "Gina").exit()).isZero();

        Cli.Result r = users("add", "gina");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLine()).isEqualTo("latch: username gina is taken (by Gina; usernames are compared ignoring case)");
    }

    @Test
    void addWithBadValuesSaysWhichAndCreatesNothing() {
        assertThat(users("add", "h", "--email", "not-an-email").errLine()).isEqualTo("latch: email: not-an-email is not an email address");
        assertThat(users("add", "h", "--phone", "call me").errLine())
                .isEqualTo("latch: phone_number: call me is not a telephone number (E.164 recommended, e.g. +1 425 555 1212)");
        assertThat(users("add", "h", "--role", "two words").errLine())
                .isEqualTo("latch: role 'two words' may hold only printable ASCII without spaces, \" or \\");
        assertThat(users("add", "tab\there").errLine()).isEqualTo("latch: username contains a control or invisible character (U+0009)");
        Cli.Result blank = users("add", " ");
        assertThat(blank.exit()).isEqualTo(1);
        assertThat(blank.errLine()).isEqualTo("latch: username is empty");
        assertThat(users("add").exit()).as("USERNAME missing").isEqualTo(2);
        assertThat(users("list").out()).isEqualTo("USERNAME  SUB  ENABLED  PASSWORD  ROLES  EMAIL  NAME\n");
    }

    @Test
    void listPrintsATableSortedByUsernameOrJson() throws Exception {
        usersWithStdin("ian's password", "add", "ian", "--email", "ian@example.org", "--role", "ops", "--password-stdin");
        users("add", "Hal", "--name", "Hal Nine");
        String ian = stored("ian").subject();
        String hal = stored("hal").subject();

        Cli.Result table = users("list");

        assertThat(table.exit()).isZero();
        assertThat(table.out()).isEqualTo(
                  "USERNAME  SUB                     ENABLED  PASSWORD  ROLES  EMAIL            NAME    \n".stripTrailing() + "\n"
                + "Hal       " + hal + "  yes      no        -      -                Hal Nine\n"
                + "ian       " + ian + "  yes      yes       ops    ian@example.org  -\n");
        JsonNode list = json(users("list", "--json").out());
        assertThat(list).hasSize(2);
        assertThat(list.get(0).get("username").asText()).isEqualTo("Hal");
        assertThat(list.get(1).get("claims").get("email").asText()).isEqualTo("ian@example.org");
        assertThat(list.toString()).doesNotContain("argon2");
    }

    @Test
    void showFindsTheUserIgnoringCaseAndNeverShowsTheHash() throws Exception {
        usersWithStdin("jill's password", "add", "Jill", "--password-stdin");

        Cli.Result r = users("show", "JILL");

        assertThat(r.exit()).isZero();
        JsonNode u = json(r.out());
        assertThat(u.get("username").asText()).isEqualTo("Jill");
        assertThat(u.get("sub").asText()).isEqualTo(stored("jill").subject());
        assertThat(r.out()).doesNotContain("argon2").doesNotContain("password_hash");
        Cli.Result missing = users("show", "nobody");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.errLine()).isEqualTo("latch: no user nobody");
    }

    @Test
    void passwdReplacesThePasswordFromStandardInput() {
        usersWithStdin("first password", "add", "kim", "--password-stdin");

        Cli.Result r = usersWithStdin("second password\n", "passwd", "KIM", "--password-stdin");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("set the password of user kim\n");
        assertThat(signIn("kim", "first password")).isEqualTo(Authentication.Outcome.WRONG_PASSWORD);
        assertThat(signIn("kim", "second password")).isEqualTo(Authentication.Outcome.SIGNED_IN);
    }

    @Test
    void passwdNeedsPasswordStdinAndAnExistingUser() {
        usersWithStdin("first password", "add", "lee", "--password-stdin");

        Cli.Result noOption = usersWithStdin("second password", "passwd", "lee");
        assertThat(noOption.exit()).isEqualTo(2);
        assertThat(noOption.err()).startsWith("latch: Missing required option: '--password-stdin'");
        Cli.Result unknown = usersWithStdin("second password", "passwd", "nobody", "--password-stdin");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.errLine()).isEqualTo("latch: no user nobody");
        Cli.Result tooShort = usersWithStdin("short", "passwd", "lee", "--password-stdin");
        assertThat(tooShort.errLine()).isEqualTo("latch: the password must be at least 8 characters");
        assertThat(signIn("lee", "first password")).isEqualTo(Authentication.Outcome.SIGNED_IN);
    }

    @Test
    void disableStopsSignInAndEnableAllowsItAgain() throws Exception {
        usersWithStdin("max's password", "add", "max", "--password-stdin");

        Cli.Result off = users("disable", "Max");
        assertThat(off.exit()).isZero();
        assertThat(off.out()).isEqualTo("disabled user max\n");
        assertThat(signIn("max", "max's password")).isEqualTo(Authentication.Outcome.DISABLED);
        assertThat(json(users("show", "max").out()).get("enabled").asBoolean()).isFalse();

        Cli.Result on = users("enable", "max");
        assertThat(on.out()).isEqualTo("enabled user max\n");
        assertThat(signIn("max", "max's password")).isEqualTo(Authentication.Outcome.SIGNED_IN);
        assertThat(users("disable", "nobody").errLine()).isEqualTo("latch: no user nobody");
        assertThat(users("enable", "nobody").exit()).isEqualTo(1);
    }

    @Test
    void removeDeletesTheUserAndTheSameUsernameLaterGetsANewSubject() throws Exception {
        users("add", "ned");
        String first = stored("ned").subject();

        Cli.Result r = users("remove", "NED");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo("removed user ned\n");
        Cli.Result again = users("remove", "ned");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.errLine()).isEqualTo("latch: no user ned");
        users("add", "ned");
        assertThat(stored("ned").subject()).isNotEqualTo(first);
    }

    @Test
    void consentsListsTheUsersConsentsWithClientScopeAndTime() {
        users("add", "carol");
        String sub = stored("carol").subject();
        try (LatchInstance latch = Instances.open(data)) {
            var consents = new dev.latch.server.consent.ConsentStore(latch.database().sql());
            consents.remember(sub, "web", "openid profile", 1_700_000_000L);
            consents.remember(sub, "spa", "openid", 1_700_000_100L, "sid-1");
        }

        Cli.Result r = users("consents", "CAROL");

        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).startsWith("CLIENT").contains("SCOPE").contains("GRANTED").contains("LASTS");
        assertThat(lines.get(1)).startsWith("spa").contains("openid").contains("2023-11-14T22:15:00Z").contains("session");
        assertThat(lines.get(2)).startsWith("web").contains("openid profile").contains("2023-11-14T22:13:20Z").contains("until revoked");
        assertThat(lines).hasSize(3);
    }

    @Test
    void consentsRevokeRemovesTheConsentAndRevokesThatClientsRefreshTokens() {
        users("add", "dave");
        String sub = stored("dave").subject();
        try (LatchInstance latch = Instances.open(data)) {
            var consents = new dev.latch.server.consent.ConsentStore(latch.database().sql());
            consents.remember(sub, "web", "openid offline_access", 1_700_000_000L);
            consents.remember(sub, "other", "openid", 1_700_000_000L);
            var refresh = latch.refreshTokens();
            long now = latch.clock().instant().getEpochSecond();
            for (String client : List.of("web", "other")) {
                refresh.start(new dev.latch.server.refresh.RefreshTokenStore.Family(null, client, sub, "openid offline_access", List.of(),
                        now, "sid", List.of("pwd"), now, now + 3600), now + 3600);
            }
        }

        Cli.Result r = users("consents", "dave", "--revoke", "web");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("revoked consent of dave for client web (1 consent, 1 refresh token family)\n");
        try (LatchInstance latch = Instances.open(data)) {
            var sql = latch.database().sql();
            assertThat(sql.query("SELECT client_id FROM consents WHERE subject = ?", rs -> rs.getString(1), sub)).containsExactly("other");
            assertThat(sql.query("SELECT client_id FROM refresh_families WHERE subject = ? AND revoked_at IS NULL", rs -> rs.getString(1), sub))
                    .containsExactly("other");
        }
        Cli.Result again = users("consents", "dave", "--revoke", "web");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.errLine()).isEqualTo("latch: user dave has no consent for client web");
    }

    @Test
    void consentsOfAnUnknownUserThenExit1AndWithoutUsernameExit2() {
        users("add", "erin");
        Cli.Result unknown = users("consents", "nobody");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.errLine()).isEqualTo("latch: no user nobody");
        assertThat(users("consents").exit()).isEqualTo(2);
    }

    @Test
    void usernamesStartingWithADashWork() throws Exception {
        // after "--" everything is positional, so the shared options come first
        Cli.Result add = cli.raw("users", "add", "--config", config.toString(), "--data", data.toString(), "--", "-dash");
        assertThat(add.exit()).as(add.err()).isZero();

        assertThat(json(users("show", "-dash").out()).get("username").asText()).isEqualTo("-dash");
        assertThat(users("disable", "-dash").out()).isEqualTo("disabled user -dash\n");
        assertThat(users("remove", "-dash").out()).isEqualTo("removed user -dash\n");
    }

    @Test
    void commandsOnExistingUsersRefuseADataDirectoryWithoutData() {
        for (String[] args : new String[][] {{"list"}, {"show", "x"}, {"disable", "x"}, {"enable", "x"}, {"remove", "x"}}) {
            Cli.Result r = users(args);
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(1);
            assertThat(r.errLine()).startsWith("latch: no Latch data in " + data);
        }
        Cli.Result passwd = usersWithStdin("a long password", "passwd", "x", "--password-stdin");
        assertThat(passwd.errLine()).startsWith("latch: no Latch data in " + data);
        assertThat(Files.exists(data)).isFalse();
    }

    @Test
    void configShowListsDeclaredUsersWithPasswordsAndHashesRedacted() throws Exception {
        Files.writeString(config, """
                passwords:
                  min-length: 10
                  argon2id: {memory-kib: 64, iterations: 1}
                users:
                  - username: olga
                    password: ${env:OLGA_PASSWORD}
                    email: olga@example.org
                    roles: [admin]
                  - username: pam
                    password_hash: $argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4
                """);

        Cli.Result r = new Cli(null).env("OLGA_PASSWORD", "olga's secret password").raw("config", "show", "--config", config.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("passwords:\n  argon2id:\n    memory-kib: 64\n    iterations: 1\n    parallelism: 1\n  min-length: 10\n")
                .contains("- username: olga\n  password: <redacted>\n  email: olga@example.org\n  roles:\n  - admin\n  enabled: true\n")
                .contains("- username: pam\n  password_hash: <redacted>\n")
                .doesNotContain("olga's secret").doesNotContain("argon2id$");
    }

    @Test
    void fhirUserIsSetOnAddChangedByUpdateAndRefusedWhenNotAReference() throws Exception {
        Cli.Result added = users("add", "drhouse", "--fhir-user", "Practitioner/123");
        assertThat(added.exit()).as(added.err()).isZero();
        assertThat(json(added.out()).get("fhir_user").asText()).isEqualTo("Practitioner/123");
        assertThat(stored("drhouse").fhirUser()).isEqualTo("Practitioner/123");

        Cli.Result updated = users("update", "DrHouse", "--fhir-user", "PractitionerRole/pr-7.a");
        assertThat(updated.exit()).as(updated.err()).isZero();
        assertThat(updated.out().strip()).isEqualTo("updated user drhouse: fhirUser PractitionerRole/pr-7.a");
        assertThat(stored("drhouse").fhirUser()).isEqualTo("PractitionerRole/pr-7.a");
        // other changes keep it
        assertThat(users("disable", "drhouse").exit()).isZero();
        assertThat(stored("drhouse").fhirUser()).isEqualTo("PractitionerRole/pr-7.a");

        for (String bad : List.of("Observation/1", "Practitioner/", "practitioner/1", "https://fhir.example/Practitioner/1", "Patient/a b")) {
            Cli.Result refused = users("add", "x" + Math.abs(bad.hashCode()), "--fhir-user", bad);
            assertThat(refused.exit()).as(bad).isEqualTo(1);
            assertThat(refused.errLine()).as(bad).startsWith("latch: fhir-user " + bad + " is not a FHIR reference Type/id");
        }
        Cli.Result refusedUpdate = users("update", "drhouse", "--fhir-user", "Device/1");
        assertThat(refusedUpdate.exit()).isEqualTo(1);
        assertThat(stored("drhouse").fhirUser()).isEqualTo("PractitionerRole/pr-7.a");

        Cli.Result cleared = users("update", "drhouse", "--no-fhir-user");
        assertThat(cleared.out().strip()).isEqualTo("updated user drhouse: no fhirUser");
        assertThat(stored("drhouse").fhirUser()).isNull();
        assertThat(users("update", "drhouse").exit()).isEqualTo(2);
        assertThat(users("update", "drhouse", "--fhir-user", "Patient/1", "--no-fhir-user").exit()).isEqualTo(2);
    }
}
