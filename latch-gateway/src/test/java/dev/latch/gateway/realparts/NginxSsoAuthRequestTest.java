package dev.latch.gateway.realparts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.client.docs.DocExamples;
import dev.latch.gateway.EchoUpstream;
import dev.latch.gateway.TestGateway;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import dev.latch.server.signin.SharedChromium;
import dev.latch.server.user.UserProfile;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * Browser sign-in with nginx in front (the oauth2-proxy set-up): Debian's nginx serves the app and asks the gateway's
 * sso route about every request with {@code auth_request} to {@code /oauth2/auth}, sends people without a session to
 * {@code /oauth2/start}, and proxies the {@code /oauth2/} paths to the gateway, so sign-in happens on nginx's origin.
 * Latch is the provider; the walk runs in headless Chromium.
 */
class NginxSsoAuthRequestTest {

    static final String PASSWORD = "correct horse battery staple";
    static final String PORTAL_SECRET = "portal-secret-0123456789-abcdefghijklmnop";
    static final String COOKIE_SECRET = "cookie-secret-0123456789-abcdefghijklmnop";

    static TestServer latch;
    static EchoUpstream service;
    static TestGateway gateway;
    static NginxProcess nginx;
    static ChromeDriver browser;

    @BeforeAll
    static void start() {
        NginxProcess.requireInstalled(System.getenv());
        SharedChromium.require();
        dev.latch.server.SuiteSecrets.record(PORTAL_SECRET);
        dev.latch.server.SuiteSecrets.record(COOKIE_SECRET);
        dev.latch.server.SuiteSecrets.record(PASSWORD);
        latch = TestServer.start(Map.of("claims.0.claim", "roles", "claims.0.source", "roles"));
        latch.instance().users().create(new UserProfile("alice", Map.of("email", "alice@example.org"), List.of("staff"), true),
                PASSWORD.toCharArray());
        latch.instance().users().create(new UserProfile("bob", Map.of("email", "bob@example.org"), List.of(), true), PASSWORD.toCharArray());
        service = EchoUpstream.start();
        gateway = TestGateway.start("""
                routes:
                  - path: /
                    upstream: %s
                    mode: sso
                    sso:
                      issuer: %s
                      client-id: portal
                      client-secret: ${env:PORTAL_SECRET}
                      cookie-secret: ${env:COOKIE_SECRET}
                      allowed-roles: [staff]
                """.formatted(service.url(), latch.issuer()), Map.of("PORTAL_SECRET", PORTAL_SECRET, "COOKIE_SECRET", COOKIE_SECRET));
        // the documented configuration itself (docs/gateway-configuration.md, "nginx in front: auth_request"), its
        // example ports replaced by the test's
        List<String> documented = DocExamples.fencedBlocks("docs/gateway-configuration.md", "nginx");
        assertThat(documented).as("the nginx example of the gateway's configuration reference").hasSize(1);
        String locations = documented.getFirst().replace("127.0.0.1:8000", "127.0.0.1:" + gateway.server().port())
                .replace("127.0.0.1:9003", "127.0.0.1:" + service.port());
        nginx = NginxProcess.start(dir -> locations);
        latch.clients().create(new Client.Builder().clientId("portal").clientName("Estate Portal").scope("openid profile email")
                .grantTypes(List.of("authorization_code")).redirectUris(List.of(site() + "/oauth2/callback")).build(),
                PORTAL_SECRET, true, null);
        browser = SharedChromium.driver();
    }

    @AfterAll
    static void stop() {
        if (nginx != null) nginx.close();
        if (gateway != null) gateway.close();
        if (service != null) service.close();
        if (latch != null) latch.close();
    }

    @BeforeEach
    void signedOut() {
        browser.get(latch.url("/.well-known/openid-configuration"));
        browser.manage().deleteAllCookies();
    }

    /** nginx's origin as the browser sees it (the host the redirect URI is built from). */
    static String site() {
        return "http://localhost:" + nginx.port();
    }

    static void signInAtLatch(String username) {
        dev.latch.gateway.LatchSignInPage.signIn(browser, latch.issuer(), username, PASSWORD);
    }

    static String sessionCookie() {
        return browser.manage().getCookies().stream().filter(c -> c.getName().startsWith("_latch_sso") && !c.getName().startsWith("_latch_sso_id"))
                .map(c -> c.getName() + "=" + c.getValue()).collect(Collectors.joining("; "));
    }

    static HttpResponse<String> get(String url, String cookie) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (cookie != null) b.header("Cookie", cookie);
        return TestGateway.send(b.build());
    }

    @Test
    void aPageBehindNginxSendsTheBrowserThroughLatchAndTheAppSeesTheUserNginxGotFromTheGateway() {
        browser.get(site() + "/reports/q?year=2026&name=a%20b");
        signInAtLatch("alice");

        assertThat(browser.getCurrentUrl()).as("back at the page, its whole query kept").isEqualTo(site() + "/reports/q?year=2026&name=a%20b");
        assertThat(service.lastAt("/reports/q").get("query")).isEqualTo("year=2026&name=a%20b");
        Map<String, Object> h = EchoUpstream.headersOf(service.lastAt("/reports/q"));
        assertThat((String) h.get("x-forwarded-user")).isNotBlank();
        assertThat(h.get("x-forwarded-preferred-username")).isEqualTo("alice");
        assertThat(h.get("x-forwarded-email")).isEqualTo("alice@example.org");
        assertThat(h.get("x-forwarded-groups")).isEqualTo("staff");

        // the gateway's answer to nginx's question, asked directly
        HttpResponse<String> auth = get("http://127.0.0.1:" + gateway.server().port() + "/oauth2/auth", sessionCookie());
        assertThat(auth.statusCode()).as(auth.body()).isEqualTo(202);
        assertThat(auth.headers().firstValue("x-forwarded-preferred-username")).hasValue("alice");
        assertThat(auth.headers().firstValue("x-forwarded-groups")).hasValue("staff");
        assertThat(auth.headers().firstValue("cache-control")).hasValue("no-store");
        assertThat(auth.headers().map()).as("auth answers the browser's origin: never a token").doesNotContainKeys("authorization",
                "x-forwarded-access-token", "x-forwarded-id-token", "set-cookie");
        assertThat(auth.body()).isEmpty();

        // a caller's own identity header next to alice's session: the app sees alice, as nginx got her from the gateway
        HttpResponse<String> forged = TestGateway.send(HttpRequest.newBuilder(URI.create(site() + "/ledger"))
                .header("Cookie", sessionCookie()).header("X-Forwarded-User", "admin").header("X-Forwarded-Groups", "admins").build());
        assertThat(forged.statusCode()).isEqualTo(200);
        Map<String, Object> seen = EchoUpstream.headersOf(service.lastAt("/ledger"));
        assertThat(seen.get("x-forwarded-user")).isEqualTo(h.get("x-forwarded-user")).isNotEqualTo("admin");
        assertThat(seen.get("x-forwarded-groups")).isEqualTo("staff");

        // with a live session, start goes straight back to rd (no provider page)
        HttpResponse<String> start = get(site() + "/oauth2/start?rd=%2Freports%2Fq%3Fyear%3D2027", sessionCookie());
        assertThat(start.statusCode()).isEqualTo(302);
        assertThat(start.headers().firstValue("location")).hasValue("/reports/q?year=2027");
    }

    @Test
    void withoutASessionNginxSendsTheBrowserToSignInAndTheAppSeesNothing() {
        int before = service.count();

        HttpResponse<String> r = get(site() + "/reports/q?year=2026&name=a%20b", null);
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("location")).get().asString()
                .as("where the gateway said: start, with the whole original URI percent-encoded")
                .endsWith("/oauth2/start?rd=%2Freports%2Fq%3Fyear%3D2026%26name%3Da%2520b");

        HttpResponse<String> forged = TestGateway.send(HttpRequest.newBuilder(URI.create(site() + "/reports/q"))
                .header("X-Forwarded-User", "admin").header("Cookie", "_latch_sso=forged").build());
        assertThat(forged.statusCode()).as("a caller's identity header or a forged cookie is no session").isEqualTo(302);
        assertThat(service.count()).isEqualTo(before);

        HttpResponse<String> direct = TestGateway.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.server().port()
                + "/oauth2/auth")).header("Cookie", "_latch_sso=forged").header("X-Original-URI", "//evil.example/x").build());
        assertThat(direct.statusCode()).isEqualTo(401);
        assertThat(direct.headers().firstValue("x-latch-sign-in")).as("an off-site original URI never becomes rd")
                .hasValue("/oauth2/start?rd=%2F");
        assertThat(direct.headers().allValues("set-cookie")).as("auth never sets a cookie").isEmpty();
        HttpResponse<String> post = TestGateway.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.server().port()
                + "/oauth2/auth")).POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    void aUserWithoutTheRequiredRoleIsRefusedByNginxAndTheAppSeesNothing() {
        int before = service.count();
        browser.get(site() + "/reports/q");
        signInAtLatch("bob");

        assertThat(service.count()).as("nginx refused bob: the gateway answered 403").isEqualTo(before);
        assertThat(browser.findElement(By.tagName("body")).getText()).contains("403");
        HttpResponse<String> auth = get("http://127.0.0.1:" + gateway.server().port() + "/oauth2/auth", sessionCookie());
        assertThat(auth.statusCode()).isEqualTo(403);
        assertThat(auth.body()).contains("forbidden").contains("staff");
    }
}
