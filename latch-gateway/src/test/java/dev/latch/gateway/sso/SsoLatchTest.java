package dev.latch.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.gateway.EchoUpstream;
import dev.latch.gateway.TestGateway;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import dev.latch.server.signin.SharedChromium;
import dev.latch.server.user.UserProfile;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * {@code mode: sso} with a real Latch as the OpenID provider, walked in the shared headless Chromium:
 * Latch's own sign-in page, the identity the upstream sees, the original URL restored, sessions shared
 * by gateway nodes with the same secrets, a user without the role refused, sign-out ending Latch's session
 * too, refresh before expiry (shared by parallel requests, refused after revocation), and a provider that
 * is down answered with a page naming the cause.
 */
class SsoLatchTest {

    static final String PASSWORD = "a long and real password";
    static final String PORTAL_SECRET = "portal-secret-0123456789-abcdefghijklmnop";
    static final String COOKIE_SECRET = "cookie-secret-0123456789-abcdefghijklmnop";

    static TestServer latch;
    static EchoUpstream service;
    static TestGateway gateway;
    static TestGateway secondNode;
    static ChromeDriver browser;
    static Map<String, String> env;
    static com.nimbusds.jose.jwk.JWK portalKey;
    static java.nio.file.Path portalKeyFile;

    @BeforeAll
    static void start() {
        SharedChromium.require();
        latch = TestServer.start(Map.of("claims.0.claim", "roles", "claims.0.source", "roles"));
        latch.instance().scopes().put("profile", "See your name and profile");
        latch.instance().scopes().put("email", "See your email address");
        latch.instance().users().create(new UserProfile("alice", Map.of("name", "Alice Staff", "email", "alice@example.org",
                "email_verified", true), List.of("staff"), true), PASSWORD.toCharArray());
        latch.instance().users().create(new UserProfile("bob", Map.of("email", "bob@example.org"), List.of(), true), PASSWORD.toCharArray());
        service = EchoUpstream.start();
        env = Map.of("PORTAL_SECRET", PORTAL_SECRET, "COOKIE_SECRET", COOKIE_SECRET);
        portalKey = dev.latch.core.jose.KeyGeneration.withKeyId(dev.latch.core.jose.KeyGeneration.ec(com.nimbusds.jose.jwk.Curve.P_256), "portal-1");
        try {
            portalKeyFile = java.nio.file.Files.createTempFile("portal-key", ".jwk");
            java.nio.file.Files.writeString(portalKeyFile, portalKey.toJSONString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        gateway = TestGateway.start(config(latch.issuer(), "COOKIE_SECRET"), env);
        secondNode = TestGateway.start(config(latch.issuer(), "COOKIE_SECRET"), env);
        List<String> callbacks = new ArrayList<>();
        for (TestGateway g : List.of(gateway, secondNode)) {
            callbacks.add(site(g) + "/oauth2/callback");
            callbacks.add(site(g) + "/fresh-oauth2/callback");
        }
        latch.clients().create(new Client.Builder().clientId("portal-keyed").clientName("Keyed Portal").scope("openid profile email")
                .tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT).tokenEndpointAuthSigningAlg("ES256")
                .jwks(new com.nimbusds.jose.jwk.JWKSet(portalKey).toPublicJWKSet().toJSONObject())
                .grantTypes(List.of("authorization_code")).redirectUris(List.of(site(gateway) + "/keyed-oauth2/callback")).build(),
                null, true, null);
        latch.clients().create(new Client.Builder().clientId("portal").clientName("Estate Portal").scope("openid profile email")
                .grantTypes(List.of("authorization_code", "refresh_token")).refreshTokens(true).accessTokenLifetime(300L)
                .redirectUris(callbacks).postLogoutRedirectUris(List.of(site(gateway) + "/")).build(), PORTAL_SECRET, true, null);
        browser = SharedChromium.driver();
    }

    /** Two sso routes: the whole site for staff, and /fresh/ whose tokens are refreshed on every request. */
    static String config(String issuer, String cookieSecretVariable) {
        return """
                routes:
                  - path: /
                    upstream: %1$s
                    mode: sso
                    sso:
                      issuer: %2$s
                      client-id: portal
                      client-secret: ${env:PORTAL_SECRET}
                      cookie-secret: ["${env:%3$s}"]
                      allowed-roles: [staff]
                  - path: /fresh/
                    upstream: %1$s
                    mode: sso
                    sso:
                      issuer: %2$s
                      client-id: portal
                      client-secret: ${env:PORTAL_SECRET}
                      cookie-secret: ${env:COOKIE_SECRET}
                      cookie-name: _latch_fresh
                      prefix: /fresh-oauth2/
                      refresh-before: 1h
                      forward-access-token: true
                      forward-id-token: true
                  - path: /keyed/
                    upstream: %1$s
                    mode: sso
                    sso:
                      issuer: %2$s
                      client-id: portal-keyed
                      private-key: %4$s
                      alg: ES256
                      cookie-secret: ${env:COOKIE_SECRET}
                      cookie-name: _latch_keyed
                      prefix: /keyed-oauth2/
                """.formatted(service.url(), issuer, cookieSecretVariable, portalKeyFile);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) gateway.close();
        if (secondNode != null) secondNode.close();
        if (service != null) service.close();
        if (latch != null) latch.close();
        if (portalKeyFile != null) portalKeyFile.toFile().delete();
    }

    @BeforeEach
    void signedOut() {
        browser.get(latch.url("/.well-known/openid-configuration"));
        browser.manage().deleteAllCookies();
    }

    static String site(TestGateway g) {
        return "http://localhost:" + g.server().port();
    }

    /** Signs in on Latch's own page (and approves the portal the first time). */
    static void signInAtLatch(String username) {
        dev.latch.gateway.LatchSignInPage.signIn(browser, latch.issuer(), username, PASSWORD);
    }

    static String cookieHeader(String... names) {
        List<String> wanted = List.of(names);
        return browser.manage().getCookies().stream()
                .filter(c -> wanted.stream().anyMatch(n -> c.getName().equals(n) || c.getName().startsWith(n + "_")))
                .map(c -> c.getName() + "=" + c.getValue()).collect(Collectors.joining("; "));
    }

    static HttpResponse<String> api(TestGateway g, String path, String cookie) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(site(g) + path)).timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json");
        if (cookie != null && !cookie.isEmpty()) b.header("Cookie", cookie);
        return TestGateway.send(b.build());
    }

    @Test
    void pageBehindSsoThenLatchSignInThenUpstreamSeesTheUserAtTheOriginalUrl() {
        browser.get(site(gateway) + "/favicon.ico");
        browser.manage().addCookie(new Cookie("theme", "dark", "/"));
        browser.get(site(gateway) + "/reports/q?year=2026&name=a%20b");
        signInAtLatch("alice");

        assertThat(browser.getCurrentUrl()).isEqualTo(site(gateway) + "/reports/q?year=2026&name=a%20b");
        Map<String, Object> seen = service.lastAt("/reports/q");
        assertThat(seen.get("path")).isEqualTo("/reports/q");
        assertThat(seen.get("query")).isEqualTo("year=2026&name=a%20b");
        Map<String, Object> h = EchoUpstream.headersOf(seen);
        assertThat((String) h.get("x-forwarded-user")).isNotBlank();
        assertThat(h.get("x-forwarded-preferred-username")).isEqualTo("alice");
        assertThat(h.get("x-forwarded-email")).isEqualTo("alice@example.org");
        assertThat(h.get("x-forwarded-groups")).isEqualTo("staff");
        // a browser's cookie jar ignores ports, so Latch's own cookies (another port of localhost) come along too
        assertThat((String) h.get("cookie")).as("the app's own cookies pass, the gateway's never do").contains("theme=dark")
                .doesNotContain("_latch_sso");
        assertThat(h).as("tokens go upstream only where the route says").doesNotContainKeys("authorization", "x-forwarded-access-token",
                "x-forwarded-id-token");

        Cookie session = browser.manage().getCookies().stream().filter(c -> SessionCookies.isPart(c.getName(), "_latch_sso"))
                .findFirst().orElseThrow();
        assertThat(session.isHttpOnly()).isTrue();
        assertThat(session.isSecure()).as("http here; Secure on https").isFalse();
        assertThat(session.getSameSite()).isEqualTo("Lax");
        assertThat(session.getPath()).isEqualTo("/");
        assertThat(browser.manage().getCookies()).as("the sign-in cookie is gone once used")
                .noneMatch(c -> c.getName().contains("_login_"));
        assertThat(new String(Base64.getUrlDecoder().decode(session.getValue()), StandardCharsets.ISO_8859_1))
                .as("sealed, not readable").doesNotContain("alice");

        HttpResponse<String> me = api(gateway, "/oauth2/userinfo", cookieHeader("_latch_sso"));
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(me.body()).contains("\"preferredUsername\":\"alice\"", "\"groups\":[\"staff\"]");
    }

    @Test
    void apiCallWithoutSessionThen401JsonAndTheSessionCookieWorksOnEveryNodeWithTheSameSecret() {
        HttpResponse<String> anonymous = api(gateway, "/api/items", null);
        HttpResponse<String> forged = TestGateway.send(HttpRequest.newBuilder(URI.create(site(gateway) + "/api/items"))
                .header("Accept", "application/json").header("X-Forwarded-User", "admin").build());
        assertThat(forged.statusCode()).as("identity headers sent by a caller are no session").isEqualTo(401);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(anonymous.body()).contains("\"error\":\"unauthorized\"");

        browser.get(site(gateway) + "/");
        signInAtLatch("alice");
        String cookie = cookieHeader("_latch_sso");
        int before = service.count();
        HttpResponse<String> spoofing = TestGateway.send(HttpRequest.newBuilder(URI.create(site(gateway) + "/api/items"))
                .header("Accept", "application/json").header("Cookie", cookie).header("X-Forwarded-Preferred-Username", "mallory")
                .header("X-Forwarded-Id-Token", "forged").header("X-Forwarded-Access-Token", "forged").build());
        assertThat(spoofing.statusCode()).isEqualTo(200);
        Map<String, Object> spoofed = EchoUpstream.headersOf(service.lastAt("/api/items"));
        assertThat(spoofed.get("x-forwarded-preferred-username")).as("the caller's copy is replaced").isEqualTo("alice");
        assertThat(spoofed).as("the caller's token headers are removed").doesNotContainKeys("x-forwarded-id-token", "x-forwarded-access-token");
        assertThat(api(gateway, "/api/items", cookie).statusCode()).isEqualTo(200);
        assertThat(api(secondNode, "/api/items", cookie).statusCode()).as("another node, same secret, no shared state").isEqualTo(200);
        assertThat(EchoUpstream.headersOf(service.lastAt("/api/items")).get("x-forwarded-preferred-username")).isEqualTo("alice");

        String value = cookie.substring(cookie.indexOf('=') + 1);
        char flipped = value.charAt(40) == 'A' ? 'B' : 'A';
        String tampered = "_latch_sso=" + value.substring(0, 40) + flipped + value.substring(41);
        assertThat(api(gateway, "/api/items", tampered).statusCode()).as("one character changed").isEqualTo(401);
        Map<String, String> otherEnv = new java.util.HashMap<>(env);
        otherEnv.put("OTHER_SECRET", "another-secret-0123456789-abcdefghijklmn");
        try (TestGateway otherSecret = TestGateway.start(config(latch.issuer(), "OTHER_SECRET"), otherEnv)) {
            assertThat(api(otherSecret, "/api/items", cookie).statusCode())
                    .as("a node with another secret cannot read it").isEqualTo(401);
        }
        assertThat(service.count() - before).as("only the three accepted requests reached the upstream").isEqualTo(3);
    }

    @Test
    void userWithoutTheRequiredRoleThen403PageNamingTheRole() {
        int before = service.count();
        browser.get(site(gateway) + "/admin");
        signInAtLatch("bob");
        assertThat(browser.getCurrentUrl()).isEqualTo(site(gateway) + "/admin");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Not allowed");
        assertThat(browser.findElement(By.id("message")).getText()).contains("signed in as bob", "staff");
        assertThat(api(gateway, "/admin", cookieHeader("_latch_sso")).statusCode()).isEqualTo(403);
        assertThat(service.count()).as("nothing reached the upstream").isEqualTo(before);
    }

    @Test
    void signOutEndsTheLatchSessionSoTheNextVisitShowsLatchSignIn() throws Exception {
        browser.get(site(gateway) + "/");
        signInAtLatch("alice");
        assertThat(browser.getCurrentUrl()).isEqualTo(site(gateway) + "/");
        // the session cookie every request carries holds no ID token (the route does not forward it): that goes in a
        // cookie only the route's own /oauth2/ paths receive, and sign-out hints the provider's logout with it
        assertThat(browser.manage().getCookieNamed("_latch_sso_id")).as("not sent outside /oauth2/").isNull();
        String session = cookieHeader("_latch_sso");
        SsoSession opened = SsoSession.fromJson(new SessionCookies(List.of(COOKIE_SECRET), false)
                .open("latch-sso-session", session.substring(session.indexOf('=') + 1)));
        assertThat(opened.idToken()).isNull();
        assertThat(opened.username()).isEqualTo("alice");
        browser.get(site(gateway) + "/oauth2/userinfo");
        org.openqa.selenium.Cookie idCookie = browser.manage().getCookieNamed("_latch_sso_id");
        assertThat(idCookie).isNotNull();
        assertThat(idCookie.getPath()).isEqualTo("/oauth2/");
        assertThat(idCookie.isHttpOnly()).isTrue();
        HttpResponse<String> signOut = TestGateway.send(HttpRequest.newBuilder(URI.create(site(gateway) + "/oauth2/sign_out"))
                .header("Cookie", cookieHeader("_latch_sso")).build());
        assertThat(signOut.statusCode()).isEqualTo(302);
        String hint = java.net.URLDecoder.decode(signOut.headers().firstValue("Location").orElseThrow()
                .replaceAll(".*[?&]id_token_hint=([^&]*).*", "$1"), StandardCharsets.UTF_8);
        assertThat(com.nimbusds.jwt.SignedJWT.parse(hint).getJWTClaimsSet().getSubject()).as("the ID token of alice's sign-in")
                .isEqualTo(opened.subject());
        assertThat(signOut.headers().allValues("Set-Cookie")).as("both cookies cleared")
                .anyMatch(c -> c.startsWith("_latch_sso=;")).anyMatch(c -> c.startsWith("_latch_sso_id=;") && c.contains("Path=/oauth2/"));

        browser.get(site(gateway) + "/oauth2/sign_out");
        assertThat(browser.getCurrentUrl()).as("back at the site, which needs a new sign-in at Latch").startsWith(latch.issuer());
        assertThat(browser.findElements(By.id("username"))).as("Latch asks for the password again").isNotEmpty();
        assertThat(browser.manage().getCookies()).noneMatch(c -> SessionCookies.isPart(c.getName(), "_latch_sso"));
    }

    @Test
    void clientAuthenticatedWithAPrivateKeyJwtSignsInToo() {
        browser.get(site(gateway) + "/keyed/home");
        signInAtLatch("bob");
        assertThat(browser.getCurrentUrl()).isEqualTo(site(gateway) + "/keyed/home");
        assertThat(EchoUpstream.headersOf(service.lastAt("/keyed/home")).get("x-forwarded-email")).isEqualTo("bob@example.org");
    }

    @Test
    void openRedirectThroughStartRefusedAndTheUserLandsOnTheSite() {
        browser.get(site(gateway) + "/");
        signInAtLatch("alice");
        browser.get(site(gateway) + "/oauth2/start?rd=//evil.example/steal");
        assertThat(browser.getCurrentUrl()).isEqualTo(site(gateway) + "/");
        browser.get(site(gateway) + "/oauth2/start?rd=/inbox%3Fpage%3D2");
        assertThat(browser.getCurrentUrl()).isEqualTo(site(gateway) + "/inbox?page=2");
    }

    @Test
    void callbackWithoutItsSignInCookieThen400PageNotASession() {
        HttpResponse<String> r = TestGateway.send(HttpRequest.newBuilder(URI.create(site(gateway) + "/oauth2/callback?code=abc&state=0123456789abcdef"))
                .header("Accept", "text/html").build());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("No sign-in was started in this browser");
        assertThat(r.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("_latch_sso="));
    }

    @Test
    void tokensRefreshedBeforeExpirySharedByParallelRequestsAndARevokedSessionSignsInAgain() throws Exception {
        browser.get(site(gateway) + "/fresh/start");
        signInAtLatch("alice");
        assertThat(browser.getCurrentUrl()).isEqualTo(site(gateway) + "/fresh/start");
        String first = cookieHeader("_latch_fresh");

        browser.navigate().refresh();
        String second = cookieHeader("_latch_fresh");
        assertThat(second).as("refreshed (refresh-before 1h > the 5 min tokens), so sealed anew").isNotEqualTo(first);
        Map<String, Object> fresh = EchoUpstream.headersOf(service.lastAt("/fresh/start"));
        assertThat(fresh.get("x-forwarded-preferred-username")).isEqualTo("alice");
        String accessToken = (String) fresh.get("x-forwarded-access-token");
        assertThat(fresh.get("authorization")).as("forward-access-token").isEqualTo("Bearer " + accessToken);
        assertThat((String) fresh.get("x-forwarded-id-token")).as("forward-id-token").startsWith("eyJ");
        HttpResponse<String> introspected = TestGateway.send(HttpRequest.newBuilder(URI.create(latch.url("/introspect")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("portal:" + PORTAL_SECRET).getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString("token=" + accessToken)).build());
        assertThat(introspected.body()).as("the forwarded access token is a live Latch token").contains("\"active\":true");

        // Latch rotates refresh tokens and ends the family when an old one is used again: parallel requests with one
        // cookie must share a single refresh
        List<CompletableFuture<HttpResponse<String>>> parallel = new ArrayList<>();
        for (int i = 0; i < 4; i++) parallel.add(CompletableFuture.supplyAsync(() -> api(gateway, "/fresh/data", second)));
        for (CompletableFuture<HttpResponse<String>> f : parallel) assertThat(f.get().statusCode()).isEqualTo(200);
        HttpResponse<String> latest = api(gateway, "/fresh/data", second);
        assertThat(latest.statusCode()).isEqualTo(200);
        String third = latest.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("_latch_fresh"))
                .map(c -> c.substring(0, c.indexOf(';'))).collect(Collectors.joining("; "));
        assertThat(third).isNotEmpty();

        // start with a session that is due renews it and goes straight back to rd, no provider page (nginx's sign-in
        // redirect after an auth 401 lands here)
        HttpResponse<String> started = api(gateway, "/fresh-oauth2/start?rd=%2Ffresh%2Fdata%3Fx%3D1", third);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(302);
        assertThat(started.headers().firstValue("location")).hasValue("/fresh/data?x=1");
        String renewed = started.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("_latch_fresh"))
                .map(c -> c.substring(0, c.indexOf(';'))).collect(Collectors.joining("; "));
        assertThat(renewed).as("renewed by start").isNotEmpty().isNotEqualTo(third);

        // userinfo renews a session that is due exactly as the route does (it used to answer from the old tokens)
        HttpResponse<String> me = api(gateway, "/fresh-oauth2/userinfo", renewed);
        assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
        assertThat(me.body()).contains("\"preferredUsername\":\"alice\"");
        String fourth = me.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("_latch_fresh"))
                .map(c -> c.substring(0, c.indexOf(';'))).collect(Collectors.joining("; "));
        assertThat(fourth).as("userinfo refreshed the session and sealed it anew").isNotEmpty().isNotEqualTo(renewed);

        // the provider refuses the refresh once the refresh token is revoked: the session is over
        SessionCookies cookies = new SessionCookies(List.of(COOKIE_SECRET), false);
        SsoSession session = SsoSession.fromJson(cookies.open("latch-sso-session", fourth.substring(fourth.indexOf('=') + 1)));
        assertThat(session).isNotNull();
        HttpResponse<String> revoked = TestGateway.send(HttpRequest.newBuilder(URI.create(latch.url("/revoke")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("portal:" + PORTAL_SECRET).getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString("token_type_hint=refresh_token&token=" + session.refreshToken())).build());
        assertThat(revoked.statusCode()).isEqualTo(200);
        // another node (it has not shared this refresh) asks Latch, which refuses
        HttpResponse<String> after = api(secondNode, "/fresh/data", fourth);
        assertThat(after.statusCode()).as(after.body()).isEqualTo(401);
        assertThat(after.headers().allValues("Set-Cookie")).as("the dead session's cookie is cleared")
                .anyMatch(c -> c.startsWith("_latch_fresh=;") || c.startsWith("_latch_fresh_0=;"));
        HttpResponse<String> meAfter = api(secondNode, "/fresh-oauth2/userinfo", fourth);
        assertThat(meAfter.statusCode()).as("userinfo does not vouch for a session the provider ended, though its access token has not expired")
                .isEqualTo(401);
        assertThat(meAfter.headers().allValues("Set-Cookie")).as("and clears its cookie, as the route does")
                .anyMatch(c -> c.startsWith("_latch_fresh=;") || c.startsWith("_latch_fresh_0=;"));
    }

    @Test
    void providerUnreachableThenPageNamingTheCauseAndHealthzSaysSoWhileManagementAnswers() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String down = "http://127.0.0.1:" + closed + "/realms/estate";
        try (TestGateway lonely = TestGateway.start(config(down, "COOKIE_SECRET"), env)) {
            browser.get(site(lonely) + "/admin/console");
            assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Sign-in is unavailable");
            assertThat(browser.findElement(By.id("message")).getText()).contains(down);
            HttpResponse<String> health = TestGateway.send(HttpRequest.newBuilder(URI.create(lonely.managementUrl("/healthz"))).build());
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("\"sign-in\"", down);
            assertThat(api(lonely, "/api", null).statusCode()).as("an API call is told to sign in, not given a page").isEqualTo(401);
        }
    }
}
