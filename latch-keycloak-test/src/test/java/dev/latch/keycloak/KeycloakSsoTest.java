package dev.latch.keycloak;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.core.secret.SecretReference;
import dev.latch.gateway.EchoUpstream;
import dev.latch.gateway.TestGateway;
import dev.latch.gateway.config.GatewayConfig;
import dev.latch.gateway.config.GatewayConfigLoader;
import dev.latch.gateway.sso.SsoRoute;
import dev.latch.server.signin.SharedChromium;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * {@code latch gateway} {@code mode: sso} in front of a web app with a real Keycloak as the identity
 * provider, walked in headless Chromium: Keycloak's own login page, the upstream reading the user's
 * username, email, realm roles and client roles from headers, a user without the required role refused,
 * and sign-out ending the Keycloak session (the next visit shows Keycloak's login page again). The same
 * {@link SsoRoute#check()} that {@code latch gateway --check} runs is pointed at Keycloak with a right and
 * wrong secret and redirect URI.
 */
class KeycloakSsoTest {

    static final String PORTAL_SECRET = "estate-portal-secret";
    static final Map<String, String> ENV = Map.of("PORTAL_SECRET", PORTAL_SECRET, "WRONG_SECRET", "not-the-portal-secret",
            "COOKIE_SECRET", "gateway-cookie-secret-0123456789-abcdefgh");

    static Keycloak keycloak;
    static EchoUpstream app;
    static TestGateway gateway;
    static ChromeDriver browser;

    @BeforeAll
    static void start() {
        SharedChromium.require();
        keycloak = Keycloak.get();
        app = EchoUpstream.start();
        gateway = TestGateway.start(config("PORTAL_SECRET", null), ENV);
        keycloak.admin().addRedirectUri("estate-portal", site() + "/oauth2/callback");
        keycloak.admin().addPostLogoutRedirectUri("estate-portal", site() + "/");
        browser = SharedChromium.driver();
    }

    static String config(String secretVariable, String redirectUri) {
        return """
                routes:
                  - path: /
                    upstream: %s
                    mode: sso
                    sso:
                      issuer: %s
                      client-id: estate-portal
                      client-secret: ${env:%s}
                      scopes: [openid, profile, email]
                      cookie-secret: ${env:COOKIE_SECRET}
                      allowed-roles: [staff]
                      forward-access-token: true
                      forward-id-token: true
                """.formatted(app.url(), keycloak.issuer(), secretVariable)
                + (redirectUri == null ? "" : "      redirect-uri: " + redirectUri + "\n");
    }

    @AfterAll
    static void stop() {
        if (gateway != null) gateway.close();
        if (app != null) app.close();
    }

    @BeforeEach
    void signedOut() {
        browser.executeCdpCommand("Network.clearBrowserCookies", Map.of());
    }

    static String site() {
        return "http://localhost:" + gateway.server().port();
    }

    static void signInAtKeycloak(String username, String password) {
        assertThat(browser.getCurrentUrl()).as("Keycloak's own login page").startsWith(keycloak.url("/realms/estate/"));
        browser.findElement(By.id("username")).sendKeys(username);
        browser.findElement(By.id("password")).sendKeys(password);
        SharedChromium.submit(browser, By.id("kc-login"));
    }

    @Test
    void staffSignsInAtKeycloakThenTheAppSeesUsernameEmailAndRoles() {
        browser.get(site() + "/portal/home?tab=2");
        signInAtKeycloak("alice", "alice-pass-1");

        assertThat(browser.getCurrentUrl()).as("the original URL, restored").isEqualTo(site() + "/portal/home?tab=2");
        Map<String, Object> seen = app.lastAt("/portal/home");
        assertThat(seen.get("query")).isEqualTo("tab=2");
        Map<String, Object> h = EchoUpstream.headersOf(seen);
        assertThat(h.get("x-forwarded-preferred-username")).isEqualTo("alice");
        assertThat(h.get("x-forwarded-email")).isEqualTo("alice@example.org");
        assertThat(h.get("x-forwarded-user")).as("Keycloak's user id").isEqualTo(keycloak.admin().findUser("alice").get("id"));
        assertThat(List.of(((String) h.get("x-forwarded-groups")).split(",")))
                .as("realm roles (realm_access.roles) and client roles (resource_access.estate-portal.roles)")
                .contains("staff", "editor");
        assertThat((String) h.getOrDefault("cookie", "")).doesNotContain("_latch_sso");
        assertThat((String) h.get("authorization")).as("forward-access-token: Keycloak's access token").startsWith("Bearer eyJ");
        assertThat((String) h.get("x-forwarded-id-token")).as("forward-id-token: Keycloak's ID token").startsWith("eyJ");
        assertThat(browser.manage().getCookies().stream().map(org.openqa.selenium.Cookie::getName).filter(n -> n.startsWith("_latch_sso")))
                .as("with the access and ID tokens kept (forward-access-token, forward-id-token), Keycloak's three tokens do not fit one cookie: the session is split").contains("_latch_sso_0", "_latch_sso_1");
    }

    @Test
    void userWithoutTheStaffRoleThen403AndTheAppSeesNothing() {
        int before = app.count();
        browser.get(site() + "/portal/admin");
        signInAtKeycloak("bob", "bob-pass-1");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Not allowed");
        assertThat(browser.findElement(By.id("message")).getText()).contains("signed in as bob", "staff");
        assertThat(app.count()).isEqualTo(before);
    }

    @Test
    void signOutEndsTheKeycloakSessionSoTheNextVisitShowsKeycloakLoginAgain() {
        browser.get(site() + "/");
        signInAtKeycloak("alice", "alice-pass-1");
        assertThat(browser.getCurrentUrl()).isEqualTo(site() + "/");
        String userId = (String) keycloak.admin().findUser("alice").get("id");
        assertThat(sessions(userId)).as("a Keycloak session").isNotEmpty();

        browser.get(site() + "/oauth2/sign_out");
        assertThat(browser.getCurrentUrl()).as("back at the site, which needs a new Keycloak sign-in")
                .startsWith(keycloak.url("/realms/estate/"));
        assertThat(browser.findElement(By.id("kc-login")).isDisplayed()).isTrue();
        assertThat(sessions(userId)).as("Keycloak ended its session").isEmpty();
    }

    private static String sessions(String userId) {
        String body = keycloak.admin().call("GET", "/users/" + userId + "/sessions", null).body();
        return body.equals("[]") ? "" : body;
    }

    @Test
    void checkFindsAWrongSecretAndAnUnregisteredRedirectUriAtKeycloak() throws Exception {
        assertThat(check("PORTAL_SECRET", site() + "/oauth2/callback")).as("everything right").isEmpty();
        assertThat(check("WRONG_SECRET", site() + "/oauth2/callback")).singleElement().asString()
                .contains("refused the client estate-portal", "client-id and client-secret");
        assertThat(check("PORTAL_SECRET", "http://localhost:1/oauth2/callback")).singleElement().asString()
                .contains("redirect URI http://localhost:1/oauth2/callback");
    }

    private static List<String> check(String secretVariable, String redirectUri) throws Exception {
        Path file = Files.createTempFile("gateway", ".yaml");
        Files.writeString(file, config(secretVariable, redirectUri));
        GatewayConfig config = new GatewayConfigLoader(ENV::get, new SecretReference(ENV::get, InputStream::nullInputStream))
                .load(file, Map.of());
        return new SsoRoute(config.routes().getFirst(), HttpClient.newHttpClient(), Clock.systemUTC(), false, reason -> { }).check();
    }
}
