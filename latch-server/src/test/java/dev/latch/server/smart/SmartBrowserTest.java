package dev.latch.server.smart;

import static dev.latch.server.OAuthResponses.assertNoStoreJson;
import static dev.latch.server.OAuthResponses.basic;
import static dev.latch.server.OAuthResponses.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.core.pkce.Pkce;
import dev.latch.server.signin.Agent;
import dev.latch.server.signin.BrowserCallback;
import dev.latch.server.signin.SharedChromium;
import dev.latch.server.signin.SignInFixture;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The patient picker and the launch simulator in a real headless Chromium: the simulator opens the
 * app's launch URL with iss and launch, the app's authorization with that launch ends in a code whose
 * tokens carry the chosen patient and encounter; the picker does the same for a standalone launch.
 */
class SmartBrowserTest {

    static SmartFixture s;
    static BrowserCallback redirect;
    static BrowserCallback launchUrl;
    static ChromeDriver browser;

    @BeforeAll
    static void start() {
        SharedChromium.require();
        s = new SmartFixture();
        redirect = new BrowserCallback();
        launchUrl = new BrowserCallback();
        s.f.addClient(SmartFixture.app("browser-app").clientName("Chart Viewer").redirectUris(List.of(redirect.uri()))
                .initiateLoginUri(launchUrl.uri()).build());
        browser = SharedChromium.driver();
    }

    @AfterAll
    static void stop() {
        if (redirect != null) redirect.close();
        if (launchUrl != null) launchUrl.close();
        if (s != null) s.close();
    }

    @BeforeEach
    void freshBrowserState() {
        redirect.clear();
        launchUrl.clear();
        browser.get(s.server().url("/.well-known/oauth-authorization-server"));
        browser.manage().deleteAllCookies();
    }

    static Map<String, String> request(String scope, String... extra) {
        Map<String, String> p = new LinkedHashMap<>(SmartFixture.request("browser-app", scope, extra));
        p.put("redirect_uri", redirect.uri());
        return p;
    }

    /** Fills and sends the sign-in form, then waits until the browser has left that page (a form post is not waited for by click). */
    static void signIn(String username) {
        browser.findElement(By.id("username")).sendKeys(username);
        browser.findElement(By.id("password")).sendKeys(SignInFixture.PASSWORD);
        submit(By.id("sign-in"));
    }

    static void submit(By button) {
        SharedChromium.submit(browser, button);
    }

    static JsonNode exchange(String code) {
        return assertNoStoreJson(s.server().postForm("/token", "grant_type=authorization_code&code=" + form(code) + "&redirect_uri="
                + form(redirect.uri()) + "&code_verifier=" + SmartFixture.VERIFIER, "Authorization", basic("browser-app", SignInFixture.SECRET)), 200);
    }

    @Test
    void simulatorLaunchesTheAppWhoseAuthorizationCarriesTheChosenPatientAndEncounter() throws Exception {
        String operator = s.user("Practitioner/dr1", "smart-simulator");
        browser.get(s.server().url("/smart/simulator"));
        signIn(operator);
        assertThat(browser.getTitle()).contains("SMART launch simulator");

        browser.findElement(By.cssSelector("#client_id option[value=browser-app]")).click();
        browser.findElement(By.id("name")).sendKeys("smith");
        submit(By.id("search"));
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("Bert Smith").contains("Carla Smithers").doesNotContain("Amy Shaw");
        browser.findElement(By.id("patient-p2")).click();
        submit(By.id("visits"));
        assertThat(browser.findElement(By.id("chosen")).getText()).isEqualTo("Bert Smith");
        browser.findElement(By.id("encounter-e2")).click();
        browser.findElement(By.id("need_patient_banner")).click();
        browser.findElement(By.id("launch")).click();

        Map<String, String> launched = Agent.query(launchUrl.next().asUri(launchUrl.uri()));
        assertThat(launched).containsEntry("iss", SmartFixture.BASE).containsKey("launch");

        // the app, launched, sends the user to authorize with the launch (already signed in: consent only)
        browser.get(s.f.authorizeUrl(request("openid launch patient/Patient.rs", "launch", launched.get("launch"), "aud", launched.get("iss"))));
        browser.findElement(By.id("approve")).click();
        Map<String, String> callback = Agent.query(redirect.next().asUri(redirect.uri()));
        JsonNode tokens = exchange(callback.get("code"));
        assertThat(tokens.path("patient").asText()).isEqualTo("p2");
        assertThat(tokens.path("encounter").asText()).isEqualTo("e2");
        assertThat(tokens.path("need_patient_banner").asBoolean()).isTrue();
    }

    @Test
    void simulatorForAUserWithoutTheRoleIsForbidden() {
        browser.get(s.server().url("/smart/simulator"));
        signIn(s.user("Practitioner/dr2"));

        assertThat(browser.findElement(By.tagName("main")).getText()).contains("The launch simulator is for users with the role smart-simulator.");
        assertThat(browser.findElements(By.id("launch"))).isEmpty();
    }

    @Test
    void simulatorSignInWithWrongPasswordShowsTheMessage() {
        browser.get(s.server().url("/smart/simulator"));
        browser.findElement(By.id("username")).sendKeys(s.user(null, "smart-simulator"));
        browser.findElement(By.id("password")).sendKeys("wrong password");
        browser.findElement(By.id("sign-in")).click();

        assertThat(browser.findElement(By.id("message")).getText()).isEqualTo("The username or password is incorrect.");
        assertThat(browser.manage().getCookieNamed("latch_session")).isNull();
    }

    @Test
    void pickerInTheBrowserThenTokenCarriesThePickedPatient() throws Exception {
        browser.get(s.f.authorizeUrl(request("openid launch/patient patient/Patient.rs", "aud", SmartFixture.BASE)));
        signIn(s.user("Practitioner/dr3"));
        assertThat(browser.getTitle()).contains("Choose a patient");

        browser.findElement(By.id("name")).sendKeys("shaw");
        submit(By.id("search"));
        assertThat(browser.findElements(By.cssSelector("button.patient"))).hasSize(1);
        submit(By.id("patient-p1"));
        browser.findElement(By.id("approve")).click();

        Map<String, String> callback = Agent.query(redirect.next().asUri(redirect.uri()));
        assertThat(exchange(callback.get("code")).path("patient").asText()).isEqualTo("p1");
    }

    @Test
    void aPatientAskedForAnEncounterChoosesOneOfTheirOwnVisitsInTheBrowser() throws Exception {
        browser.get(s.f.authorizeUrl(request("openid launch/patient launch/encounter patient/Patient.rs", "aud", SmartFixture.BASE)));
        signIn(s.user("Patient/p2"));
        assertThat(browser.getTitle()).contains("Choose a visit");
        assertThat(browser.findElement(By.id("chosen")).getText()).isEqualTo("Bert Smith");
        assertThat(browser.findElements(By.id("name"))).as("a patient never searches other patients").isEmpty();

        submit(By.id("encounter-e2"));
        browser.findElement(By.id("approve")).click();

        Map<String, String> callback = Agent.query(redirect.next().asUri(redirect.uri()));
        JsonNode tokens = exchange(callback.get("code"));
        assertThat(tokens.path("patient").asText()).isEqualTo("p2");
        assertThat(tokens.path("encounter").asText()).isEqualTo("e2");
    }

    @Test
    void challengeIsTheFixturesVerifier() {
        assertThat(SmartFixture.request("app", "openid").get("code_challenge")).isEqualTo(Pkce.s256(SmartFixture.VERIFIER));
    }
}
