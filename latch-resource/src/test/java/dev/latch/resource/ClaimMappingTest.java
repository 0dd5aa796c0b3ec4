package dev.latch.resource;

import static dev.latch.resource.Tokens.AUDIENCE;
import static dev.latch.resource.Tokens.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.latch.server.TestClock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where the common issuers put roles, scopes and the client: Keycloak, Entra ID, Auth0-style namespaced claims. */
class ClaimMappingTest {

    static final JWK RS = Tokens.key(JWSAlgorithm.RS256, "rs-1");
    final TestClock clock = TestClock.atNow();

    TokenPrincipal validate(IssuerSettings settings, Map<String, Object> claims) {
        AccessTokenValidator v = AccessTokenValidator.builder(settings).clock(clock).jwks(new JWKSet(RS.toPublicJWK())).build();
        return v.validate(Tokens.sign(RS, JWSAlgorithm.RS256, JOSEObjectType.JWT, claims));
    }

    @Test
    void principalWhenKeycloakShapedThenRealmAndEveryClientsRoles() {
        Map<String, Object> c = Tokens.claims(clock.instant());
        c.remove("client_id");
        c.put("azp", "frontend");
        c.put("scope", "openid profile email");
        c.put("preferred_username", "alice");
        c.put("email", "alice@example.test");
        c.put("realm_access", Map.of("roles", List.of("offline_access", "user")));
        c.put("resource_access", Map.of(
                "orders", Map.of("roles", List.of("orders-reader", "orders-writer")),
                "account", Map.of("roles", List.of("manage-account"))));

        TokenPrincipal p = validate(IssuerSettings.of(ISSUER, AUDIENCE), c);

        assertThat(p.clientId()).isEqualTo("frontend");
        assertThat(p.username()).isEqualTo("alice");
        assertThat(p.email()).isEqualTo("alice@example.test");
        assertThat(p.roles()).containsExactlyInAnyOrder("offline_access", "user", "orders-reader", "orders-writer", "manage-account");
        assertThat(p.scopes()).containsExactlyInAnyOrder("openid", "profile", "email");
    }

    @Test
    void principalWhenEntraShapedThenRolesScpAndAppid() {
        Map<String, Object> c = Tokens.claims(clock.instant());
        c.remove("client_id");
        c.remove("scope");
        c.put("appid", "00000000-1111-2222-3333-444444444444");
        c.put("scp", "Orders.Read User.Read");
        c.put("roles", List.of("Orders.Admin"));
        c.put("groups", List.of("9f3c…group-id"));

        TokenPrincipal p = validate(IssuerSettings.of(ISSUER, AUDIENCE), c);

        assertThat(p.clientId()).isEqualTo("00000000-1111-2222-3333-444444444444");
        assertThat(p.scopes()).containsExactlyInAnyOrder("Orders.Read", "User.Read");
        assertThat(p.roles()).containsExactlyInAnyOrder("Orders.Admin", "9f3c…group-id");
    }

    @Test
    void principalWhenScopesAreAListAndRolesAStringThenBothRead() {
        Map<String, Object> c = Tokens.claims(clock.instant());
        c.put("scope", List.of("read", "write"));
        c.put("roles", "admin");
        TokenPrincipal p = validate(IssuerSettings.of(ISSUER, AUDIENCE), c);
        assertThat(p.scopes()).containsExactlyInAnyOrder("read", "write");
        assertThat(p.roles()).containsExactly("admin");
    }

    @Test
    void principalWhenNamespacedClaimWithDotsThenFoundByItsWholeName() {
        Map<String, Object> c = Tokens.claims(clock.instant());
        c.put("https://example.test/roles", List.of("editor"));
        TokenPrincipal p = validate(IssuerSettings.of(ISSUER, AUDIENCE).withRoleClaims(List.of("https://example.test/roles")), c);
        assertThat(p.roles()).containsExactly("editor");
    }

    @Test
    void principalWhenClientIdClaimsAllPresentThenTheFirstWins() {
        Map<String, Object> c = Tokens.claims(clock.instant());
        c.put("azp", "by-azp");
        c.put("appid", "by-appid");
        assertThat(validate(IssuerSettings.of(ISSUER, AUDIENCE), c).clientId()).isEqualTo("client-1");
    }
}
