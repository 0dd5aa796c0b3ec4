package dev.latch.server.signin;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/** The sign-in pages in a real headless Chromium, ending at a real callback server. */
class BrowserSignInTest {

    static HttpServer callback;
    static final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    static SignInFixture f;
    static ChromeDriver browser;
    static int users;

    @BeforeAll
    static void start() throws IOException {
        SharedChromium.require();
        callback = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        callback.createContext("/cb", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(exchange.getRequestMethod() + " " + (exchange.getRequestMethod().equals("POST") ? body : exchange.getRequestURI().getRawQuery()));
            byte[] page = "<!DOCTYPE html><title>callback</title><p>received</p>".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        callback.start();
        f = new SignInFixture("http://127.0.0.1:" + callback.getAddress().getPort() + "/cb");
        f.addClient(new dev.latch.server.client.Client.Builder().clientId("rp").scope("openid")
                .tokenEndpointAuthMethod(dev.latch.server.client.Client.BASIC).grantTypes(java.util.List.of("authorization_code"))
                .redirectUris(java.util.List.of(f.redirectUri)).postLogoutRedirectUris(java.util.List.of(f.redirectUri)).build());
        browser = SharedChromium.driver();
    }

    @AfterAll
    static void stop() {
        if (callback != null) callback.stop(0);
        if (f != null) f.close();
    }

    @BeforeEach
    void freshBrowserState() {
        received.clear();
        browser.get(f.server.url("/.well-known/oauth-authorization-server"));
        browser.manage().deleteAllCookies();
    }

    static String freshUser() {
        String name = "browser-user" + (++users);
        f.users.add(name, SignInFixture.PASSWORD, f.hasher);
        return name;
    }

    void signIn(String username, String password) {
        browser.get(f.authorizeUrl(f.request()));
        browser.findElement(By.id("username")).sendKeys(username);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("sign-in")).click();
    }

    static Map<String, String> callbackParameters() throws InterruptedException {
        String got = received.poll(20, TimeUnit.SECONDS);
        assertThat(got).as("the callback was reached").isNotNull();
        return Agent.query("http://x/?" + got.substring(got.indexOf(' ') + 1));
    }

    @Test
    void loginPageRendersAccessibly() {
        browser.get(f.authorizeUrl(f.request()));
        assertThat(browser.getTitle()).contains("Sign in");
        assertThat(browser.findElement(By.cssSelector("html")).getAttribute("lang")).isEqualTo("en");
        assertThat(browser.findElement(By.cssSelector("label[for=username]")).getText()).isEqualTo("Username");
        assertThat(browser.findElement(By.cssSelector("label[for=password]")).getText()).isEqualTo("Password");
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("Web App");
    }

    @Test
    void loginWhenCsrfTokenMissingThenRejected() {
        browser.get(f.authorizeUrl(f.request()));
        browser.executeScript("document.querySelector('input[name=csrf]').remove()");
        browser.findElement(By.id("username")).sendKeys(freshUser());
        browser.findElement(By.id("password")).sendKeys(SignInFixture.PASSWORD);
        browser.findElement(By.id("sign-in")).click();
        assertThat(browser.findElement(By.id("message")).getText()).contains("This form has expired");
        assertThat(browser.manage().getCookieNamed("latch_session")).isNull();
    }

    @Test
    void wrongPasswordThenMessageAndNoSession() {
        signIn(freshUser(), "not the password");
        assertThat(browser.findElement(By.id("message")).getText()).isEqualTo("The username or password is incorrect.");
        assertThat(browser.manage().getCookieNamed("latch_session")).isNull();
    }

    @Test
    void consentDeniedThenAccessDeniedAtClient() throws InterruptedException {
        signIn(freshUser(), SignInFixture.PASSWORD);
        browser.findElement(By.id("deny")).click();
        assertThat(callbackParameters()).containsEntry("error", "access_denied").containsEntry("state", "st-1")
                .containsEntry("iss", f.server.issuer());
    }

    @Test
    void loginAndConsentThenCodeAtClientAndThenFormPostWithoutPages() throws InterruptedException {
        signIn(freshUser(), SignInFixture.PASSWORD);
        org.openqa.selenium.WebElement approve = browser.findElement(By.id("approve")); // waits for the consent page
        assertThat(browser.manage().getCookieNamed("latch_session").isHttpOnly()).isTrue();
        approve.click();
        Map<String, String> q = callbackParameters();
        assertThat(q).containsKey("code").containsEntry("state", "st-1").containsEntry("iss", f.server.issuer());

        // signed in and consented: form_post answers at once with an auto-submitting page (nonce script under CSP)
        Map<String, String> p = f.request();
        p.put("response_mode", "form_post");
        p.put("state", "st-2");
        browser.get(f.authorizeUrl(p));
        String posted = received.poll(20, TimeUnit.SECONDS);
        assertThat(posted).startsWith("POST ").contains("code=").contains("state=st-2");
    }

    @Test
    void logoutConfirmedOnThePageThenSessionEndsAndBrowserReturnsToTheClientWithState() throws InterruptedException {
        signIn(freshUser(), SignInFixture.PASSWORD);
        browser.findElement(By.id("approve")).click();
        callbackParameters();

        browser.get(f.server.url("/logout?" + SignInFixture.form(Map.of("client_id", "rp", "post_logout_redirect_uri", f.redirectUri,
                "state", "bye-1"))));
        assertThat(browser.getTitle()).contains("Sign out");
        assertThat(browser.manage().getCookieNamed("latch_session")).isNotNull();
        browser.findElement(By.id("logout")).click();

        assertThat(callbackParameters()).containsEntry("state", "bye-1");
        browser.get(f.server.url("/.well-known/oauth-authorization-server"));
        assertThat(browser.manage().getCookieNamed("latch_session")).isNull();
        // signed out: the next sign-in request shows the login form again
        browser.get(f.authorizeUrl(f.request()));
        assertThat(browser.findElement(By.id("password")).isDisplayed()).isTrue();
    }
}
