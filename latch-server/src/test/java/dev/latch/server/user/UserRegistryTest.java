package dev.latch.server.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latch.server.TestClock;
import dev.latch.server.storage.Database;
import dev.latch.server.storage.TestDatabase;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one set of user checks, on a real (H2) store, with cheap Argon2id parameters. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UserRegistryTest {

    /** The reference implementation's Argon2id hash of "password" (m=256, t=2, p=1). */
    private static final String REFERENCE = "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4";

    private TestDatabase testDatabase;
    private Database database;
    private TestClock clock;
    private UserRegistry users;

    @BeforeAll
    void open() {
        testDatabase = TestDatabase.h2();
        database = testDatabase.open();
    }

    @AfterAll
    void close() {
        database.close();
        testDatabase.close();
    }

    @BeforeEach
    void emptyUsers() {
        database.sql().update("DELETE FROM users");
        clock = TestClock.atNow();
        users = registry(new Argon2idHasher(64, 1, 1));
    }

    private UserRegistry registry(PasswordHasher hasher) {
        return new UserRegistry(new JdbcUserStore(database.sql()), hasher, clock, 8);
    }

    private static UserProfile profile(String username) {
        return new UserProfile(username, Map.of(), List.of(), true);
    }

    private static UserProfile profile(String username, Map<String, ?> claims) {
        return new UserProfile(username, claims, List.of(), true);
    }

    @Test
    void createGivesA128BitRandomSubjectNeverDerivedFromTheUsername() {
        User a = users.create(profile("alice"), null);
        users.remove("alice");
        User again = users.create(profile("alice"), null);

        assertThat(a.subject()).matches("[A-Za-z0-9_-]{22}").doesNotContainIgnoringCase("alice");
        assertThat(again.subject()).isNotEqualTo(a.subject());
        assertThat(again.createdAt()).isEqualTo(clock.instant().getEpochSecond());
    }

    @Test
    void createWithPasswordStoresOnlyAnArgon2idHash() {
        User u = users.create(profile("bob"), "hunter2-but-longer".toCharArray());

        assertThat(u.passwordHash()).startsWith("$argon2id$v=19$m=64,t=1,p=1$").doesNotContain("hunter2");
        assertThat(users.find("bob").orElseThrow().passwordHash()).isEqualTo(u.passwordHash());
    }

    @Test
    void usernameIsTrimmedAndKeptAsGivenButUniqueIgnoringCase() {
        User alice = users.create(profile("  Alice "), null);

        assertThat(alice.username()).isEqualTo("Alice");
        assertThat(users.find("alice")).contains(alice);
        assertThat(users.find(" ALICE ")).contains(alice);
        assertThatThrownBy(() -> users.create(profile("alice"), null))
                .isInstanceOf(InvalidUserException.class)
                .hasMessage("username alice is taken (by Alice; usernames are compared ignoring case)");
        assertThatThrownBy(() -> users.create(profile("Alice"), null)).hasMessage("username Alice is taken");
    }

    @Test
    void usernameIsStoredInNfc() {
        User u = users.create(profile("Jose\u0301"), null);

        assertThat(u.username()).isEqualTo("Jos\u00e9");
        assertThat(users.find("JOSE\u0301")).contains(u);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "tab\there", "line\nbreak", "nul\u0000", "zero\u200bwidth", "right\u202eleft",
            "bell\u0007", "private\ue000use", "para\u2029graph"})
    void usernamesWithControlOrInvisibleCharactersOrEmptyAreRefused(String username) {
        assertThatThrownBy(() -> users.create(profile(username), null)).isInstanceOf(InvalidUserException.class)
                .hasMessageMatching("username (is empty|contains a control or invisible character \\(U\\+[0-9A-F]{4}\\))");
        assertThat(users.list()).isEmpty();
    }

    @Test
    void usernameOfAHundredCharactersIsTheLongest() {
        assertThat(users.create(profile("ü".repeat(100)), null).username()).hasSize(100);
        assertThat(users.create(profile("😀".repeat(100)), null).username()).as("100 code points").hasSize(200);
        assertThatThrownBy(() -> users.create(profile("u".repeat(101)), null)).hasMessage("username is longer than 100 characters");
    }

    @Test
    void usernamesMayHoldSpacesAtSignsAndNonLatinLetters() {
        for (String name : List.of("jane doe", "jane@example.org", "山田太郎", "Ωmega", "-dash")) {
            assertThat(users.create(profile(name), null).username()).isEqualTo(name);
        }
    }

    @Test
    void onlyOidcStandardClaimsAreAccepted() {
        assertThatThrownBy(() -> users.create(profile("u", Map.of("nmae", "x")), null))
                .hasMessageStartingWith("unknown claim 'nmae' (OpenID Connect standard claims: name, given_name, family_name,");
        assertThatThrownBy(() -> users.create(profile("u", Map.of("sub", "x")), null))
                .hasMessage("sub cannot be set: Latch generates the subject, and it never changes");
        assertThatThrownBy(() -> users.create(profile("u", Map.of("updated_at", 5)), null))
                .hasMessage("updated_at cannot be set: Latch keeps the time of the last change");
        assertThatThrownBy(() -> users.create(profile("u", Map.of("roles", "admin")), null)).hasMessageStartingWith("unknown claim 'roles'");
        assertThat(users.list()).isEmpty();
    }

    @Test
    void claimsAreCheckedAndStoredInStandardOrder() {
        Map<String, Object> given = new LinkedHashMap<>();
        given.put("email", "Zoe.Muller+latch@example.org");
        given.put("address", "Bahnhofstrasse 1\n8001 Zürich");
        given.put("phone_number", "+41 44 555 12 12;ext=42");
        given.put("email_verified", true);
        given.put("name", "  Zoë Müller ");
        given.put("birthdate", "0000-02-29");
        given.put("zoneinfo", "Europe/Zurich");
        given.put("locale", "de-CH");
        given.put("website", "https://zoe.example");
        given.put("nickname", null);

        User u = users.create(profile("zoe", given), null);

        assertThat(u.claims()).containsExactly(
                Map.entry("name", "Zoë Müller"),
                Map.entry("website", "https://zoe.example"),
                Map.entry("email", "Zoe.Muller+latch@example.org"),
                Map.entry("email_verified", true),
                Map.entry("birthdate", "0000-02-29"),
                Map.entry("zoneinfo", "Europe/Zurich"),
                Map.entry("locale", "de-CH"),
                Map.entry("phone_number", "+41 44 555 12 12;ext=42"),
                Map.entry("address", Map.of("formatted", "Bahnhofstrasse 1\n8001 Zürich")));
        assertThat(users.find("zoe").orElseThrow().claims()).isEqualTo(u.claims());
    }

    @Test
    void badClaimValuesNameTheClaim() {
        assertRefused(Map.of("email", "not-an-email"), "email: not-an-email is not an email address");
        assertRefused(Map.of("email", "a b@example.org"), "email: a b@example.org is not an email address");
        assertRefused(Map.of("email", "x@"), "email: x@ is not an email address");
        assertRefused(Map.of("email_verified", "yes"), "email_verified must be true or false");
        assertRefused(Map.of("phone_number", "call me"), "phone_number: call me is not a telephone number (E.164 recommended, e.g. +1 425 555 1212)");
        assertRefused(Map.of("birthdate", "1990-02-30"), "birthdate: 1990-02-30 is not a date");
        assertRefused(Map.of("birthdate", "30.01.1990"), "birthdate: 30.01.1990 is not YYYY-MM-DD or YYYY");
        assertRefused(Map.of("zoneinfo", "Mars/Olympus"), "zoneinfo: Mars/Olympus is not a time zone of the zoneinfo database (e.g. Europe/Paris)");
        assertRefused(Map.of("locale", "english please"), "locale: english please is not a BCP 47 language tag (e.g. en-US)");
        assertRefused(Map.of("picture", "javascript:alert(1)"), "picture: javascript:alert(1) must be an absolute http(s) URL");
        assertRefused(Map.of("name", "two\nlines"), "name contains a control character");
        assertRefused(Map.of("name", "   "), "name is empty");
        assertRefused(Map.of("name", "n".repeat(1001)), "name is longer than 1000 characters");
        assertRefused(Map.of("name", List.of("a")), "name must be a string");
        assertRefused(Map.of("address", Map.of("city", "Bern")), "address: unknown member 'city' (members: formatted, street_address, locality, region, postal_code, country)");
        assertRefused(Map.of("address", 5), "address must be a string or a mapping of formatted, street_address, locality, region, postal_code, country");
        assertThat(users.list()).isEmpty();
    }

    private void assertRefused(Map<String, ?> claims, String message) {
        assertThatThrownBy(() -> users.create(profile("claims", claims), null)).isInstanceOf(InvalidUserException.class).hasMessage(message);
    }

    @Test
    void rolesAreTokensDeduplicatedInOrder() {
        User u = users.create(new UserProfile("r", Map.of(), List.of("admin", " fhir/Patient.read ", "admin", "ops"), true), null);

        assertThat(u.roles()).containsExactly("admin", "fhir/Patient.read", "ops");
        assertThatThrownBy(() -> users.create(new UserProfile("s", Map.of(), List.of("two words"), true), null))
                .hasMessage("role 'two words' may hold only printable ASCII without spaces, \" or \\");
        assertThat(users.create(new UserProfile("s", Map.of(), List.of("a,b", "x:y|z"), true), null).roles()).containsExactly("a,b", "x:y|z");
        assertThatThrownBy(() -> users.create(new UserProfile("t", Map.of(), List.of("rôle"), true), null))
                .hasMessageStartingWith("role 'rôle' may hold only printable ASCII");
        assertThatThrownBy(() -> users.create(new UserProfile("t", Map.of(), List.of(""), true), null)).hasMessage("a role is empty");
        assertThatThrownBy(() -> users.create(new UserProfile("t", Map.of(), List.of("r".repeat(201)), true), null))
                .hasMessage("role names are at most 200 characters");
    }

    @Test
    void passwordRulesAreCheckedBeforeAnythingIsStored() {
        assertThatThrownBy(() -> users.create(profile("p"), "short".toCharArray())).hasMessage("the password must be at least 8 characters");
        assertThatThrownBy(() -> users.create(profile("p"), new char[0])).hasMessage("the password is empty");
        assertThatThrownBy(() -> users.create(profile("p"), "tab\tinside-it".toCharArray())).hasMessage("the password contains a control character");
        assertThatThrownBy(() -> users.create(profile("p"), "x".repeat(1025).toCharArray())).hasMessage("the password must be at most 1024 characters");
        assertThatThrownBy(() -> users.create(profile("p"), new char[] {'a', 'b', 'c', 'd', 'e', 'f', 'g', '\ud800'}))
                .hasMessage("the password is not valid Unicode text");
        assertThat(users.list()).isEmpty();
        assertThat(users.create(profile("p"), " spaces count ".toCharArray()).passwordHash()).isNotNull();
        assertThat(users.create(profile("q"), "😀😀😀😀😀😀😀😀".toCharArray()).passwordHash()).as("8 code points").isNotNull();
    }

    @Test
    void updateKeepsSubjectPasswordAndCreationTimeAndOnlyTouchesUpdatedAtWhenSomethingChanged() {
        User created = users.create(profile("carol", Map.of("name", "Carol")), "carol-password".toCharArray());
        clock.advance(Duration.ofHours(1));

        User unchanged = users.update("carol", profile("carol", Map.of("name", "Carol")));
        assertThat(unchanged).isEqualTo(created);

        clock.advance(Duration.ofHours(1));
        User renamed = users.update("CAROL", new UserProfile("Carol", Map.of("name", "Carol C."), List.of("ops"), false));

        assertThat(renamed.subject()).isEqualTo(created.subject());
        assertThat(renamed.passwordHash()).isEqualTo(created.passwordHash());
        assertThat(renamed.username()).isEqualTo("Carol");
        assertThat(renamed.claims()).isEqualTo(Map.of("name", "Carol C."));
        assertThat(renamed.roles()).containsExactly("ops");
        assertThat(renamed.enabled()).isFalse();
        assertThat(renamed.createdAt()).isEqualTo(created.createdAt());
        assertThat(renamed.updatedAt()).isEqualTo(created.updatedAt() + 7200);
        assertThat(users.find("carol")).contains(renamed);
    }

    @Test
    void renameOntoAnotherUsersNameIsRefusedAndChangesNothing() {
        users.create(profile("dave"), null);
        User erin = users.create(profile("erin"), null);

        assertThatThrownBy(() -> users.update("erin", profile("Dave"))).hasMessage("username Dave is taken (by dave; usernames are compared ignoring case)");
        assertThat(users.find("erin")).contains(erin);
    }

    @Test
    void changingAnUnknownUserSaysSo() {
        assertThatThrownBy(() -> users.update("nobody", profile("nobody"))).hasMessage("no user nobody");
        assertThatThrownBy(() -> users.setPassword("nobody", "long-enough-password".toCharArray())).hasMessage("no user nobody");
        assertThatThrownBy(() -> users.setEnabled("nobody", false)).hasMessage("no user nobody");
        assertThat(users.remove("nobody")).isFalse();
    }

    @Test
    void authenticateSucceedsOnlyWithTheRightPasswordOfAnEnabledUser() {
        users.create(profile("frank"), "frank's password".toCharArray());
        users.create(profile("nopass"), null);
        users.create(new UserProfile("off", Map.of(), List.of(), false), "off's password".toCharArray());

        Authentication ok = users.authenticate("FRANK", "frank's password".toCharArray());
        assertThat(ok.succeeded()).isTrue();
        assertThat(ok.user().username()).isEqualTo("frank");
        assertThat(users.authenticate("frank", "Frank's password".toCharArray()).outcome()).isEqualTo(Authentication.Outcome.WRONG_PASSWORD);
        assertThat(users.authenticate("frank", new char[0]).outcome()).isEqualTo(Authentication.Outcome.WRONG_PASSWORD);
        assertThat(users.authenticate("nobody", "frank's password".toCharArray()).outcome()).isEqualTo(Authentication.Outcome.UNKNOWN_USER);
        assertThat(users.authenticate("x".repeat(100_000), "frank's password".toCharArray()).outcome()).isEqualTo(Authentication.Outcome.UNKNOWN_USER);
        assertThat(users.authenticate(null, "pw".toCharArray()).outcome()).isEqualTo(Authentication.Outcome.UNKNOWN_USER);
        assertThat(users.authenticate("nopass", "anything at all".toCharArray()).outcome()).isEqualTo(Authentication.Outcome.NO_PASSWORD);
        assertThat(users.authenticate("off", "wrong".toCharArray()).outcome()).isEqualTo(Authentication.Outcome.WRONG_PASSWORD);
        assertThat(users.authenticate("off", "off's password".toCharArray()).outcome()).isEqualTo(Authentication.Outcome.DISABLED);
        users.setEnabled("off", true);
        assertThat(users.authenticate("off", "off's password".toCharArray()).succeeded()).isTrue();
    }

    @Test
    void anUnknownUserCostsOneDummyVerificationAtTheConfiguredParameters() {
        CountingHasher counting = new CountingHasher(new Argon2idHasher(64, 1, 1));
        UserRegistry registry = registry(counting);
        registry.create(profile("nopass"), null);

        registry.authenticate("nobody", "pw".toCharArray());
        registry.authenticate("nopass", "pw".toCharArray());

        assertThat(counting.dummies).isEqualTo(2);
        assertThat(counting.verifications).isZero();
    }

    @Test
    void aHashMadeElsewhereSignsInAndIsReplacedWhenWeakerThanConfigured() {
        UserRegistry stronger = registry(new Argon2idHasher(512, 2, 1));
        User imported = stronger.createWithPasswordHash(profile("gina"), REFERENCE);
        clock.advance(Duration.ofMinutes(5));

        Authentication a = stronger.authenticate("gina", "password".toCharArray());

        assertThat(a.succeeded()).isTrue();
        String rehashed = stronger.find("gina").orElseThrow().passwordHash();
        assertThat(rehashed).startsWith("$argon2id$v=19$m=512,t=2,p=1$").isNotEqualTo(REFERENCE);
        assertThat(a.user().passwordHash()).isEqualTo(rehashed);
        assertThat(stronger.find("gina").orElseThrow().updatedAt()).as("a rehash is no change to the user").isEqualTo(imported.updatedAt());
        assertThat(stronger.authenticate("gina", "password".toCharArray()).succeeded()).isTrue();
    }

    @Test
    void aHashAtLeastAsStrongAsConfiguredIsKept() {
        String strong = new Argon2idHasher(256, 2, 2).hash("password".toCharArray());
        users.createWithPasswordHash(profile("hank"), strong);

        assertThat(users.authenticate("hank", "password".toCharArray()).succeeded()).isTrue();
        assertThat(users.find("hank").orElseThrow().passwordHash()).isEqualTo(strong);
    }

    @Test
    void theReferenceHashIsReplacedForItsEightByteSaltEvenWhereItsCostIsEnough() {
        users.createWithPasswordHash(profile("iris"), REFERENCE);

        assertThat(users.authenticate("iris", "password".toCharArray()).succeeded()).isTrue();
        assertThat(users.find("iris").orElseThrow().passwordHash()).startsWith("$argon2id$v=19$m=64,t=1,p=1$");
    }

    @Test
    void malformedPasswordHashIsRefused() {
        assertThatThrownBy(() -> users.createWithPasswordHash(profile("ivy"), "$2b$10$abcdefghijklmnopqrstuu"))
                .hasMessageStartingWith("password_hash must be an Argon2id PHC string");
        assertThatThrownBy(() -> users.createWithPasswordHash(profile("ivy"), null))
                .hasMessageStartingWith("password_hash must be an Argon2id PHC string");
        assertThat(users.list()).isEmpty();
    }

    @Test
    void setPasswordReplacesTheOldOne() {
        users.create(profile("jill"), "first password".toCharArray());
        clock.advance(Duration.ofSeconds(30));

        User u = users.setPassword("JILL", "second password".toCharArray());

        assertThat(u.updatedAt()).isEqualTo(clock.instant().getEpochSecond());
        assertThat(users.authenticate("jill", "first password".toCharArray()).succeeded()).isFalse();
        assertThat(users.authenticate("jill", "second password".toCharArray()).succeeded()).isTrue();
    }

    /** Counts what the registry asks of the real hasher. */
    private static final class CountingHasher implements PasswordHasher {
        private final PasswordHasher real;
        int verifications;
        int dummies;

        CountingHasher(PasswordHasher real) {
            this.real = real;
        }

        @Override
        public String hash(char[] password) {
            return real.hash(password);
        }

        @Override
        public boolean verify(char[] password, String hash) {
            verifications++;
            return real.verify(password, hash);
        }

        @Override
        public boolean needsRehash(String hash) {
            return real.needsRehash(hash);
        }

        @Override
        public boolean verifyAgainstDummy(char[] password) {
            dummies++;
            return real.verifyAgainstDummy(password);
        }
    }
}
