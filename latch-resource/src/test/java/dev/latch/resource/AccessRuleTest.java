package dev.latch.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latch.resource.TokenRejectedException.Reason;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The access rule's refusals: RFC 6750 §3.1 insufficient_scope with the scope attribute, and 403 for roles and claims. */
class AccessRuleTest {

    static final TokenPrincipal ALICE = new TokenPrincipal("https://issuer.example.test", "alice", "app", "alice", null,
            Set.of("user"), Set.of("read", "profile"), List.of("api"), Instant.now().plusSeconds(60), null,
            Map.of("tenant", "acme", "groups", List.of("g1", "g2"), "level", 3, "org", Map.of("unit", "sales")));

    static void refused(AccessRule rule, Reason reason, String scope) {
        assertThatThrownBy(() -> rule.check(ALICE)).isInstanceOfSatisfying(TokenRejectedException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.status()).isEqualTo(403);
            assertThat(e.requiredScope()).isEqualTo(scope);
            if (scope != null) {
                assertThat(e.wwwAuthenticate(null)).contains("error=\"insufficient_scope\"").contains("scope=\"" + scope + "\"");
            }
        });
    }

    @Test
    void checkWhenRuleEmptyThenPasses() {
        assertThatCode(() -> AccessRule.NONE.check(ALICE)).doesNotThrowAnyException();
    }

    @Test
    void checkWhenNoneOfAnyScopesThenInsufficientScopeNamingThemSorted() {
        refused(AccessRule.anyScope("write", "admin"), Reason.INSUFFICIENT_SCOPE, "admin write");
        assertThatThrownBy(() -> AccessRule.anyScope("write").check(ALICE)).hasMessageStartingWith("the token lacks a required scope");
        assertThatCode(() -> AccessRule.anyScope("write", "read").check(ALICE)).doesNotThrowAnyException();
    }

    @Test
    void checkWhenSomeOfAllScopesMissingThenInsufficientScopeNamingTheMissing() {
        refused(new AccessRule(Set.of(), Set.of("read", "write", "delete"), Set.of(), Map.of()), Reason.INSUFFICIENT_SCOPE, "delete write");
        assertThatCode(() -> new AccessRule(Set.of(), Set.of("read", "profile"), Set.of(), Map.of()).check(ALICE)).doesNotThrowAnyException();
    }

    @Test
    void checkWhenNoneOfAnyRolesThenForbidden() {
        refused(new AccessRule(Set.of(), Set.of(), Set.of("admin"), Map.of()), Reason.FORBIDDEN, null);
        assertThatThrownBy(() -> new AccessRule(Set.of(), Set.of(), Set.of("admin"), Map.of()).check(ALICE))
                .hasMessageStartingWith("the token lacks a required role");
        assertThatCode(() -> new AccessRule(Set.of(), Set.of(), Set.of("admin", "user"), Map.of()).check(ALICE)).doesNotThrowAnyException();
    }

    @Test
    void checkWhenClaimValueMissingThenForbidden() {
        refused(new AccessRule(Set.of(), Set.of(), Set.of(), Map.of("tenant", List.of("other"))), Reason.FORBIDDEN, null);
        refused(new AccessRule(Set.of(), Set.of(), Set.of(), Map.of("missing", List.of("x"))), Reason.FORBIDDEN, null);
        refused(new AccessRule(Set.of(), Set.of(), Set.of(), Map.of("groups", List.of("g3"))), Reason.FORBIDDEN, null);
    }

    @Test
    void checkWhenClaimValuesHeldThenPasses() {
        Map<String, List<String>> values = Map.of("tenant", List.of("acme", "other"), "groups", List.of("g2"),
                "level", List.of("3"), "org.unit", List.of("sales"));
        assertThatCode(() -> new AccessRule(Set.of(), Set.of(), Set.of(), values).check(ALICE)).doesNotThrowAnyException();
    }
}
