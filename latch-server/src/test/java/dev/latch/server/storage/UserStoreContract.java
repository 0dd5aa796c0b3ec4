package dev.latch.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.user.JdbcUserStore;
import dev.latch.server.user.User;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link dev.latch.server.user.UserStore} must do, on each database. */
public abstract class UserStoreContract extends StoreContract {

    private static final String HASH = "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4";

    private JdbcUserStore store;

    @BeforeEach
    void createStore() {
        store = new JdbcUserStore(sql);
    }

    static User fullUser(String subject, String username) {
        Map<String, Object> address = new LinkedHashMap<>();
        address.put("street_address", "Bahnhofstrasse 1\nHinterhaus");
        address.put("locality", "Zürich");
        address.put("postal_code", "8001");
        address.put("country", "CH");
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("name", "Zoë Müller — 東京 ✓");
        claims.put("given_name", "Zoë");
        claims.put("family_name", "Müller");
        claims.put("email", "zoe@example.org");
        claims.put("email_verified", true);
        claims.put("phone_number", "+41 44 555 12 12");
        claims.put("phone_number_verified", false);
        claims.put("address", address);
        return new User(subject, username, claims, List.of("admin", "fhir/Patient.read"), HASH, true, 1_700_000_000L, 1_700_000_001L,
                "Practitioner/pr-123");
    }

    static User minimalUser(String subject, String username) {
        return new User(subject, username, Map.of(), List.of(), null, true, 5L, 6L);
    }

    @Test
    void insertThenFindBySubjectAndUsernameReturnsEveryField() {
        User u = fullUser("sub-full", "zoë");

        assertThat(store.insert(u)).isTrue();

        assertThat(store.findBySubject("sub-full")).contains(u);
        assertThat(store.findByUsername("zoë")).contains(u);
    }

    @Test
    void insertWithoutPasswordClaimsOrRolesKeepsThemEmpty() {
        User u = new User("sub-min", "min", Map.of(), List.of(), null, false, 5L, 6L);

        store.insert(u);

        User found = store.findBySubject("sub-min").orElseThrow();
        assertThat(found).isEqualTo(u);
        assertThat(found.passwordHash()).isNull();
        assertThat(found.enabled()).isFalse();
    }

    @Test
    void findByUsernameIgnoresCaseAndKeepsTheStoredSpelling() {
        store.insert(minimalUser("s1", "Alice"));

        assertThat(store.findByUsername("alice")).get().extracting(User::username).isEqualTo("Alice");
        assertThat(store.findByUsername("ALICE")).isPresent();
        assertThat(store.findByUsername("ＡＬＩＣＥ")).as("full-width letters").isPresent();
        assertThat(store.findByUsername("alicia")).isEmpty();
    }

    @Test
    void insertWhenUsernameTakenIgnoringCaseThenFalseAndFirstKept() {
        User first = fullUser("s1", "Alice");
        store.insert(first);

        assertThat(store.insert(minimalUser("s2", "alice"))).isFalse();
        assertThat(store.insert(minimalUser("s3", "Alice"))).isFalse();

        assertThat(store.findByUsername("alice")).contains(first);
        assertThat(store.findBySubject("s2")).isEmpty();
        assertThat(store.list()).hasSize(1);
    }

    @Test
    void insertWhenSubjectTakenThenFalseAndFirstKept() {
        User first = fullUser("same", "one");
        store.insert(first);

        assertThat(store.insert(minimalUser("same", "two"))).isFalse();

        assertThat(store.findBySubject("same")).contains(first);
        assertThat(store.findByUsername("two")).isEmpty();
    }

    @Test
    void eszettAndDoubleSAreOneUsername() {
        store.insert(minimalUser("s1", "Straße"));

        assertThat(store.findByUsername("STRASSE")).isPresent();
        assertThat(store.insert(minimalUser("s2", "strasse"))).isFalse();
    }

    @Test
    void findWhenUnknownThenEmpty() {
        assertThat(store.findByUsername("nobody")).isEmpty();
        assertThat(store.findBySubject("nobody")).isEmpty();
    }

    @Test
    void listReturnsAllOrderedByUsernameIgnoringCase() {
        store.insert(minimalUser("1", "bob"));
        store.insert(minimalUser("2", "Carol"));
        store.insert(minimalUser("3", "alice"));

        assertThat(store.list()).extracting(User::username).containsExactly("alice", "bob", "Carol");
    }

    @Test
    void listWhenEmptyThenEmpty() {
        assertThat(store.list()).isEmpty();
    }

    @Test
    void updateReplacesEverythingButSubjectAndCreationTime() {
        store.insert(fullUser("upd", "old"));
        User changed = new User("upd", "New", Map.of("name", "Renamed"), List.of("viewer"), null, false, 1L, 1_800_000_000L,
                "Patient/p-9");

        assertThat(store.update(changed)).isTrue();

        User now = store.findBySubject("upd").orElseThrow();
        assertThat(now.fhirUser()).isEqualTo("Patient/p-9");
        assertThat(store.update(new User("upd", "New", Map.of(), List.of(), null, false, 1L, 1_800_000_001L))).isTrue();
        assertThat(store.findBySubject("upd").orElseThrow().fhirUser()).isNull();
        assertThat(store.update(changed)).isTrue();
        now = store.findBySubject("upd").orElseThrow();
        assertThat(now.username()).isEqualTo("New");
        assertThat(now.claims()).isEqualTo(Map.of("name", "Renamed"));
        assertThat(now.roles()).containsExactly("viewer");
        assertThat(now.passwordHash()).isNull();
        assertThat(now.enabled()).isFalse();
        assertThat(now.updatedAt()).isEqualTo(1_800_000_000L);
        assertThat(now.createdAt()).isEqualTo(1_700_000_000L);
        assertThat(store.findByUsername("old")).isEmpty();
        assertThat(store.findByUsername("new")).isPresent();
    }

    @Test
    void updateThatOnlyChangesCaseOfTheUsernameSucceeds() {
        store.insert(minimalUser("s1", "alice"));

        assertThat(store.update(minimalUser("s1", "Alice"))).isTrue();

        assertThat(store.findByUsername("ALICE")).get().extracting(User::username).isEqualTo("Alice");
    }

    @Test
    void updateOntoAnotherUsersUsernameThenFalseAndNothingChanges() {
        User alice = fullUser("a", "alice");
        User bob = fullUser("b", "bob");
        store.insert(alice);
        store.insert(bob);

        assertThat(store.update(new User("b", "ALICE", Map.of(), List.of(), null, false, 1L, 2L))).isFalse();

        assertThat(store.findBySubject("b")).contains(bob);
        assertThat(store.findBySubject("a")).contains(alice);
    }

    @Test
    void updateWhenUnknownThenFalseAndNothingCreated() {
        assertThat(store.update(fullUser("ghost", "ghost"))).isFalse();
        assertThat(store.findBySubject("ghost")).isEmpty();
    }

    @Test
    void deleteRemovesOnlyThatUserAndFreesTheUsername() {
        store.insert(fullUser("gone", "gone"));
        store.insert(fullUser("stays", "stays"));

        assertThat(store.delete("gone")).isTrue();

        assertThat(store.findBySubject("gone")).isEmpty();
        assertThat(store.findBySubject("stays")).isPresent();
        assertThat(store.delete("gone")).isFalse();
        assertThat(store.insert(minimalUser("new-subject", "Gone"))).isTrue();
    }

    @Test
    void longestUsernameAndManyRolesRoundTrip() {
        String username = "ü".repeat(100);
        List<String> roles = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            roles.add("role-" + "r".repeat(190) + "-" + i);
        }
        User u = new User("long", username, Map.of("name", "n".repeat(1000)), roles, HASH, true, 1L, 2L);

        assertThat(store.insert(u)).isTrue();

        assertThat(store.findByUsername(username.toUpperCase())).contains(u);
    }
}
