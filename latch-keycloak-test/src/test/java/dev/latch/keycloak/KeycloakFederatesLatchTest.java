package dev.latch.keycloak;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.latch.server.client.Client;
import dev.latch.server.signin.Agent;
import dev.latch.server.signin.BrowserSignIn;
import dev.latch.server.signin.SharedChromium;
import dev.latch.server.signin.SignInFixture;
import dev.latch.server.user.User;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * Keycloak as a client of Latch: a real Keycloak brokers sign-in to a real Latch authorization server
 * (an OpenID Connect identity provider {@code latch} created through Keycloak's Admin API from Latch's
 * discovery document: PKCE S256, client_secret_basic, signatures checked against Latch's JWKS). A person
 * starts at Keycloak's login page for the realm's own application {@code estate-portal}, picks
 * "Sign in with Latch", signs in on Latch's login page and approves its consent page, and arrives back
 * at the application with a Keycloak code — all in headless Chromium. Keycloak then has a user linked
 * to the Latch subject, with the email and name Latch released, and its own ID token says so.
 */
class KeycloakFederatesLatchTest {

    static final String VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"; // RFC 7636 Appendix B, for SignInFixture.CHALLENGE
    static final String PORTAL_SECRET = "estate-portal-secret";

    static Keycloak keycloak;
    static SignInFixture latch;
    static User carol;
    static HttpServer portal;
    static String portalCallback;
    static String portalSignedOut;
    static final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    static final BlockingQueue<String> signedOut = new LinkedBlockingQueue<>();
    static ChromeDriver browser;

    @BeforeAll
    static void start() throws IOException {
        SharedChromium.require();
        keycloak = Keycloak.get();
        String brokerEndpoint = keycloak.issuer() + "/broker/latch/endpoint";

        // Latch, with a person and a confidential client for Keycloak
        latch = new SignInFixture(brokerEndpoint);
        carol = new User(UUID.randomUUID().toString(), "carol",
                Map.of("name", "Carol Cooper", "given_name", "Carol", "family_name", "Cooper",
                        "email", "carol@example.org", "email_verified", true),
                List.of(), latch.hasher.hash(SignInFixture.PASSWORD.toCharArray()), true, 0, 0);
        assertThat(latch.users.insert(carol)).isTrue();
        latch.addClient(new Client.Builder().clientId("keycloak").clientName("Estate Keycloak").scope("openid profile email")
                .tokenEndpointAuthMethod(Client.BASIC).grantTypes(List.of("authorization_code"))
                .redirectUris(List.of(brokerEndpoint)).postLogoutRedirectUris(List.of(brokerEndpoint + "/logout_response")).build());

        // Keycloak's identity provider "latch", from Latch's discovery document
        Map<String, Object> discovery = Keycloak.json(latch.server.get(latch.server.url("/.well-known/openid-configuration")).body());
        assertThat(discovery.get("issuer")).isEqualTo(latch.server.issuer());
        Map<String, String> config = new LinkedHashMap<>();
        config.put("issuer", (String) discovery.get("issuer"));
        config.put("authorizationUrl", (String) discovery.get("authorization_endpoint"));
        config.put("tokenUrl", (String) discovery.get("token_endpoint"));
        config.put("userInfoUrl", (String) discovery.get("userinfo_endpoint"));
        config.put("jwksUrl", (String) discovery.get("jwks_uri"));
        config.put("validateSignature", "true");
        config.put("useJwksUrl", "true");
        config.put("clientId", "keycloak");
        config.put("clientSecret", SignInFixture.SECRET);
        config.put("clientAuthMethod", "client_secret_basic");
        config.put("defaultScope", "openid profile email");
        config.put("pkceEnabled", "true");
        config.put("pkceMethod", "S256");
        config.put("syncMode", "IMPORT");
        // signing out of Keycloak signs out of Latch too (RP-initiated logout, with Keycloak's ID token from Latch as the hint)
        config.put("logoutUrl", (String) discovery.get("end_session_endpoint"));
        config.put("sendIdTokenOnLogout", "true");
        config.put("sendClientIdOnLogout", "true");
        keycloak.admin().createIdentityProvider("latch", "Latch", config);

        // the realm's application: its redirect URI is this small server, which records what arrives
        portal = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        portal.createContext("/cb", exchange -> {
            received.add(exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery());
            byte[] page = "<!DOCTYPE html><title>estate portal</title><p>signed in</p>".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        portal.createContext("/bye", exchange -> {
            signedOut.add(exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery());
            byte[] page = "<!DOCTYPE html><title>estate portal</title><p>signed out</p>".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        portal.start();
        portalCallback = "http://127.0.0.1:" + portal.getAddress().getPort() + "/cb";
        portalSignedOut = "http://127.0.0.1:" + portal.getAddress().getPort() + "/bye";
        keycloak.admin().addRedirectUri("estate-portal", portalCallback);
        keycloak.admin().addPostLogoutRedirectUri("estate-portal", portalSignedOut);

        browser = SharedChromium.driver();
    }

    @AfterAll
    static void stop() {
        if (keycloak != null) {
            try {
                keycloak.admin().deleteIdentityProvider("latch");
            } catch (AssertionError | RuntimeException e) {
                // Keycloak is stopped with the JVM anyway
            }
        }
        if (portal != null) portal.stop(0);
        if (latch != null) latch.close();
    }

    @BeforeEach
    void freshBrowser() {
        received.clear();
        signedOut.clear();
        // every site's cookies: Keycloak's (localhost) and Latch's (127.0.0.1) sessions
        browser.executeCdpCommand("Network.clearBrowserCookies", Map.of());
    }

    static String portalAuthorizationUrl(String state) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("response_type", "code");
        p.put("client_id", "estate-portal");
        p.put("redirect_uri", portalCallback);
        p.put("scope", "openid email profile");
        p.put("state", state);
        p.put("nonce", "nonce-" + state);
        p.put("code_challenge", SignInFixture.CHALLENGE);
        p.put("code_challenge_method", "S256");
        return keycloak.authorizationEndpoint() + "?" + Keycloak.form(p);
    }

    /** At Keycloak's login page: "Sign in with Latch", then Latch's login and consent pages; returns the portal's callback parameters. */
    static Map<String, String> signInThroughLatch(String state) throws InterruptedException {
        browser.get(portalAuthorizationUrl(state));
        assertThat(browser.getCurrentUrl()).as("Keycloak's own login page").startsWith(keycloak.url("/realms/estate/"));
        browser.findElement(By.id("social-latch")).click();
        BrowserSignIn.Shown shown = BrowserSignIn.completeAt(browser, portalCallback, "carol", SignInFixture.PASSWORD);
        assertThat(shown.login()).as("Latch's login page was shown").isTrue();
        String query = received.poll(20, TimeUnit.SECONDS);
        assertThat(query).as("the portal's callback was reached").isNotNull();
        return Agent.query("http://x/?" + query);
    }

    static Map<String, Object> exchange(String code) {
        return keycloak.token(Map.of("grant_type", "authorization_code", "code", code, "redirect_uri", portalCallback,
                "client_id", "estate-portal", "client_secret", PORTAL_SECRET, "code_verifier", VERIFIER));
    }

    static Map<String, Object> claims(String jwt) {
        try {
            return SignedJWT.parse(jwt).getJWTClaimsSet().toJSONObject();
        } catch (ParseException e) {
            throw new AssertionError("not a JWT: " + jwt, e);
        }
    }

    @Test
    void signInAtKeycloakThroughLatchThenCodeAtThePortalAndAUserLinkedToLatch() throws InterruptedException {
        Map<String, String> callback = signInThroughLatch("st-1");

        assertThat(callback).containsKey("code").containsEntry("state", "st-1").doesNotContainKey("error");
        assertThat(callback.get("iss")).as("RFC 9207 iss from Keycloak").isEqualTo(keycloak.issuer());

        // Keycloak made a user of carol, linked to her Latch subject, with what Latch released
        List<Map<String, Object>> users = keycloak.admin().findUsersByEmail("carol@example.org");
        assertThat(users).hasSize(1);
        Map<String, Object> user = users.get(0);
        assertThat(user.get("firstName")).isEqualTo("Carol");
        assertThat(user.get("lastName")).isEqualTo("Cooper");
        assertThat(user.get("emailVerified")).as("trustEmail").isEqualTo(true);
        List<Map<String, Object>> links = keycloak.admin().federatedIdentities((String) user.get("id"));
        assertThat(links).hasSize(1);
        assertThat(links.get(0)).containsEntry("identityProvider", "latch").containsEntry("userId", carol.subject())
                .containsEntry("userName", "carol");

        // the portal's code is good at Keycloak's token endpoint (with its PKCE verifier), and the ID token is carol's
        Map<String, Object> tokens = exchange(callback.get("code"));
        Map<String, Object> idToken = claims((String) tokens.get("id_token"));
        assertThat(idToken.get("iss")).isEqualTo(keycloak.issuer());
        assertThat(idToken.get("aud")).isEqualTo("estate-portal");
        assertThat(idToken.get("nonce")).isEqualTo("nonce-st-1");
        assertThat(idToken.get("email")).isEqualTo("carol@example.org");
        assertThat(idToken.get("sub")).isEqualTo(user.get("id"));
        assertThat(idToken.get("preferred_username")).isEqualTo("carol");
    }

    @Test
    void signInAgainLaterThenTheSameKeycloakUser() throws InterruptedException {
        String firstCode = signInThroughLatch("st-a").get("code");
        String firstSub = (String) claims((String) exchange(firstCode).get("id_token")).get("sub");
        browser.executeCdpCommand("Network.clearBrowserCookies", Map.of());

        String secondCode = signInThroughLatch("st-b").get("code");
        String secondSub = (String) claims((String) exchange(secondCode).get("id_token")).get("sub");

        assertThat(secondSub).isEqualTo(firstSub);
        assertThat(keycloak.admin().findUsersByEmail("carol@example.org")).hasSize(1);
    }

    @Test
    void signOutAtKeycloakThenSignedOutOfLatchTooAndBackAtThePortal() throws InterruptedException {
        Map<String, Object> tokens = exchange(signInThroughLatch("st-out").get("code"));
        String keycloakUser = (String) claims((String) tokens.get("id_token")).get("sub");
        assertThat(keycloak.admin().call("GET", "/users/" + keycloakUser + "/sessions", null).body()).contains("\"userId\"");
        browser.get(latch.server.url("/.well-known/openid-configuration"));
        assertThat(browser.manage().getCookieNamed("latch_session")).as("signed in at Latch").isNotNull();

        // the portal signs carol out at Keycloak (OIDC RP-Initiated Logout), which signs her out at Latch on the way
        browser.get(keycloak.issuer() + "/protocol/openid-connect/logout?" + Keycloak.form(Map.of(
                "id_token_hint", (String) tokens.get("id_token"), "post_logout_redirect_uri", portalSignedOut, "state", "bye-1")));
        String back = signedOut.poll(20, TimeUnit.SECONDS);
        assertThat(back).as("back at the portal's post-logout URI; the browser is at " + browser.getCurrentUrl()
                + " showing: " + browser.findElement(By.tagName("body")).getText()).isNotNull();
        assertThat(Agent.query("http://x/?" + back)).containsEntry("state", "bye-1");

        assertThat(keycloak.admin().call("GET", "/users/" + keycloakUser + "/sessions", null).body()).isEqualTo("[]");
        browser.get(latch.server.url("/.well-known/openid-configuration"));
        assertThat(browser.manage().getCookieNamed("latch_session")).as("signed out at Latch").isNull();
        // the next sign-in asks at both: Keycloak's page with its Latch button, then Latch's login form
        browser.get(portalAuthorizationUrl("st-again"));
        browser.findElement(By.id("social-latch")).click();
        assertThat(browser.findElement(By.id("password")).isDisplayed()).isTrue();
        assertThat(browser.getCurrentUrl()).startsWith(latch.server.issuer());
    }
}
