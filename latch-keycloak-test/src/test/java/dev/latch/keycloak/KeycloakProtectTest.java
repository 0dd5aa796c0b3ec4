package dev.latch.keycloak;

import static dev.latch.gateway.EchoUpstream.headersOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import dev.latch.gateway.EchoUpstream;
import dev.latch.gateway.TestGateway;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code latch gateway} protecting a service with a real Keycloak's access tokens, configured only
 * with what an operator writes: the realm's issuer URL and the API's audience (Keycloak's
 * {@code oidc-audience-mapper} puts {@code https://api.example.org} into the tokens of
 * {@code estate-machine} and {@code estate-cli}). The gateway finds the JWKS by discovery; roles are
 * read from Keycloak's own claims ({@code realm_access.roles}, {@code resource_access.<client>.roles})
 * by the default {@code roles-claim}.
 */
class KeycloakProtectTest {

    static final String API = "https://api.example.org";

    static Keycloak keycloak;
    static EchoUpstream service;
    static TestGateway gateway;

    @BeforeAll
    static void start() {
        keycloak = Keycloak.get();
        service = EchoUpstream.start();
        gateway = TestGateway.start("""
                issuers:
                  - id: keycloak
                    issuer: %s
                    audience: %s
                    # Keycloak's access tokens are typed JWT (not RFC 9068's at+jwt)
                    typ: JWT
                    # a key rotation at Keycloak is seen on the first token with the new kid (see keyRotation…)
                    jwks-refetch-interval: 1ms
                routes:
                  - path: /api/
                    upstream: %s
                    mode: protect
                    issuer: keycloak
                  - path: /staff/
                    upstream: %s
                    mode: protect
                    issuer: keycloak
                    roles: [staff]
                """.formatted(keycloak.issuer(), API, service.url(), service.url()));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) gateway.close();
        if (service != null) service.close();
    }

    static HttpResponse<String> get(String path, String token) {
        return gateway.get(path, "Authorization", "Bearer " + token);
    }

    static String aliceToken() {
        return (String) keycloak.passwordGrant("estate-cli", "estate-cli-secret", "alice", "alice-pass-1").get("access_token");
    }

    static String bobToken() {
        return (String) keycloak.passwordGrant("estate-cli", "estate-cli-secret", "bob", "bob-pass-1").get("access_token");
    }

    static Map<String, Object> claims(String jwt) {
        try {
            return SignedJWT.parse(jwt).getJWTClaimsSet().toJSONObject();
        } catch (ParseException e) {
            throw new AssertionError("not a JWT: " + jwt, e);
        }
    }

    static List<String> groups(Map<String, Object> headers) {
        Object value = headers.get("x-forwarded-groups");
        assertThat(value).as("X-Forwarded-Groups reached the service").isNotNull();
        return Arrays.stream(value.toString().split(",")).map(String::trim).toList();
    }

    @Test
    void clientCredentialsTokenOfAServiceAccountThenPassesWithItsIdentityAndRealmRole() {
        String token = keycloak.clientCredentialsToken("estate-machine", "estate-machine-secret");
        Map<String, Object> claims = claims(token);
        assertThat(claims.get("iss")).isEqualTo(keycloak.issuer());

        HttpResponse<String> r = get("/api/orders", token);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Map<String, Object> h = headersOf(EchoUpstream.parse(r.body()));
        assertThat(h.get("x-forwarded-user")).isEqualTo(claims.get("sub"));
        assertThat(h.get("x-forwarded-client-id")).isEqualTo("estate-machine");
        assertThat(h.get("x-forwarded-preferred-username")).isEqualTo("service-account-estate-machine");
        assertThat(groups(h)).contains("staff");
        assertThat(h).as("the token stays at the gateway").doesNotContainKey("authorization");
    }

    @Test
    void userTokenOfAliceThenPassesWithRealmAndClientRoles() {
        String token = aliceToken();
        Map<String, Object> claims = claims(token);

        HttpResponse<String> r = get("/api/orders", token);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Map<String, Object> h = headersOf(EchoUpstream.parse(r.body()));
        assertThat(h.get("x-forwarded-user")).isEqualTo(claims.get("sub"));
        assertThat(h.get("x-forwarded-email")).isEqualTo("alice@example.org");
        assertThat(h.get("x-forwarded-preferred-username")).isEqualTo("alice");
        assertThat(h.get("x-forwarded-client-id")).isEqualTo("estate-cli");
        // realm_access.roles, and resource_access.estate-cli.roles and resource_access.estate-portal.roles
        assertThat(groups(h)).contains("staff", "reader", "editor");
    }

    @Test
    void routeRequiringStaffThenAliceInAndBobRefusedWith403() {
        HttpResponse<String> alice = get("/staff/rota", aliceToken());
        assertThat(alice.statusCode()).as(alice.body()).isEqualTo(200);
        assertThat(EchoUpstream.parse(alice.body()).get("path")).isEqualTo("/staff/rota");

        int before = service.count();
        HttpResponse<String> bob = get("/staff/rota", bobToken());

        assertThat(bob.statusCode()).as(bob.body()).isEqualTo(403);
        assertThat(bob.headers().firstValue("WWW-Authenticate").orElseThrow())
                .startsWith("Bearer").contains("error=\"insufficient_scope\"");
        assertThat(service.count()).as("bob's request never reached the service").isEqualTo(before);
        // bob's token is otherwise good: the route without a rule lets it through
        assertThat(get("/api/orders", bobToken()).statusCode()).isEqualTo(200);
    }

    @Test
    void tokenForAnotherApiThen401InvalidToken() {
        String token = keycloak.clientCredentialsToken("estate-reports", "estate-reports-secret");
        assertThat(claims(token).get("aud")).isEqualTo("https://reports.example.org");
        int before = service.count();

        HttpResponse<String> r = get("/api/orders", token);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow())
                .startsWith("Bearer").contains("error=\"invalid_token\"").contains("not meant for this resource");
        assertThat(service.count()).isEqualTo(before);
    }

    @Test
    void idTokenOfAliceIsNotAnAccessTokenForTheApiThen401() {
        String idToken = (String) keycloak.passwordGrant("estate-cli", "estate-cli-secret", "alice", "alice-pass-1").get("id_token");
        assertThat(claims(idToken).get("aud")).isEqualTo("estate-cli");

        HttpResponse<String> r = get("/api/orders", idToken);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"invalid_token\"")
                .contains("not meant for this resource");
    }

    @Test
    void tokenWithAForgedSignatureThen401() {
        String token = aliceToken();
        String[] parts = token.split("\\.");
        char last = parts[2].charAt(parts[2].length() / 2);
        String forged = parts[0] + "." + parts[1] + "." + parts[2].substring(0, parts[2].length() / 2)
                + (last == 'A' ? 'B' : 'A') + parts[2].substring(parts[2].length() / 2 + 1);

        HttpResponse<String> r = get("/api/orders", forged);

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"invalid_token\"")
                .contains("signature is invalid");
        // the same token unforged passes
        assertThat(get("/api/orders", token).statusCode()).isEqualTo(200);
    }

    @Test
    void keyRotationAtKeycloakThenTokensOfTheNewKeyAndOfTheOldPass() throws ParseException {
        String before = aliceToken();
        assertThat(get("/api/orders", before).statusCode()).isEqualTo(200); // the gateway holds Keycloak's JWKS as it was

        keycloak.admin().addRsaSigningKey("rotated-" + System.nanoTime(), 1000 + (int) (System.nanoTime() % 1000));
        String after = aliceToken();
        assertThat(SignedJWT.parse(after).getHeader().getKeyID()).as("signed with the new key")
                .isNotEqualTo(SignedJWT.parse(before).getHeader().getKeyID());

        HttpResponse<String> r = get("/api/orders", after);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(get("/api/orders", before).statusCode()).as("a token of the old key still passes").isEqualTo(200);
    }
}
