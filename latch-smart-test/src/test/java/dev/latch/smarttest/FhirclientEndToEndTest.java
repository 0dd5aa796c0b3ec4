package dev.latch.smarttest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.latch.server.signin.SharedChromium;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * npm {@code fhirclient}, the SMART JavaScript client, in headless Chromium against the stack of
 * examples/smart/run.sh: the sample app (examples/smart/app) launched from Latch's launch simulator (EHR
 * launch) and on its own (standalone, with and without the patient picker), signs in at Latch, reads the
 * patient and their observations through latch gateway from the real HAPI FHIR server, is refused every
 * other patient's data, and refreshes its token.
 */
class FhirclientEndToEndTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static SmartStack stack;
    static ChromeDriver browser;

    @BeforeAll
    static void start() {
        SharedChromium.require();
        stack = SmartStack.get();
        browser = SharedChromium.driver();
    }

    @BeforeEach
    void freshBrowser() {
        // every test signs in anew (all parts run on localhost, whose cookies are one jar)
        browser.get(stack.issuer + "/.well-known/smart-configuration");
        browser.manage().deleteAllCookies();
    }

    @Test
    void standaloneLaunchOfAPatientReadsHerOwnRecordOnlyAndRefreshes() throws Exception {
        browser.get(stack.app + "/launch.html?iss=" + URLEncoder.encode(stack.fhirBase, StandardCharsets.UTF_8));
        signIn("amy");
        approve();

        JsonNode seen = result();
        assertThat(seen.path("patient").asText()).isEqualTo("p1");
        assertThat(seen.path("patientName").asText()).isEqualTo("Amy Shaw");
        assertThat(strings(seen.path("observations"))).containsExactly("o-p1-1", "o-p1-2", "o-p1-3", "o-p1-4");
        assertThat(seen.path("labs").asInt()).isEqualTo(2);
        assertThat(seen.path("fhirUser").asText()).isEqualTo("Patient/p1");
        assertThat(seen.path("idTokenFhirUser").asText()).as("absolute under the FHIR base").isEqualTo(stack.fhirBase + "/Patient/p1");
        assertOthersRefused(seen, "p1");
        assertThat(seen.path("refreshed").asBoolean()).as("a refresh token was granted and used").isTrue();
        assertThat(seen.path("patientAfterRefresh").asText()).isEqualTo("p1");
    }

    @Test
    void standaloneLaunchOfAClinicianPicksAPatientThenOnlyThatPatient() throws Exception {
        browser.get(stack.app + "/launch.html?iss=" + URLEncoder.encode(stack.fhirBase, StandardCharsets.UTF_8));
        signIn("dr.smith");
        assertThat(browser.getTitle()).contains("Choose a patient");
        browser.findElement(By.id("name")).sendKeys("Diaz");
        submit(By.id("search"));
        submit(By.id("patient-p3"));
        approve();

        JsonNode seen = result();
        assertThat(seen.path("patient").asText()).isEqualTo("p3");
        assertThat(seen.path("patientName").asText()).isEqualTo("Carla Diaz");
        assertThat(strings(seen.path("observations"))).containsExactly("o-p3-1", "o-p3-2", "o-p3-3", "o-p3-4");
        assertThat(seen.path("fhirUser").asText()).isEqualTo("Practitioner/pr1");
        assertThat(seen.path("idTokenFhirUser").asText()).isEqualTo(stack.fhirBase + "/Practitioner/pr1");
        assertOthersRefused(seen, "p3");
        assertThat(seen.path("refreshed").asBoolean()).isTrue();
    }

    @Test
    void ehrLaunchFromTheSimulatorCarriesThePatientAndBanner() throws Exception {
        browser.get(stack.issuer + "/smart/simulator");
        signIn("dr.smith");
        assertThat(browser.getTitle()).contains("SMART launch simulator");
        browser.findElement(By.cssSelector("#client_id option[value=sample-smart-app]")).click();
        browser.findElement(By.id("name")).sendKeys("Jones");
        submit(By.id("search"));
        browser.findElement(By.id("patient-p2")).click();
        browser.findElement(By.id("need_patient_banner")).click();
        submit(By.id("launch"));
        // the app's launch page, opened with iss and launch, sends the (signed-in) user to authorize
        approve();

        JsonNode seen = result();
        assertThat(seen.path("patient").asText()).isEqualTo("p2");
        assertThat(seen.path("patientName").asText()).isEqualTo("Bob Jones");
        assertThat(seen.path("needPatientBanner").asBoolean()).isTrue();
        assertThat(strings(seen.path("observations"))).containsExactly("o-p2-1", "o-p2-2", "o-p2-3", "o-p2-4");
        assertOthersRefused(seen, "p2");
        assertThat(seen.path("refreshed").asBoolean()).isTrue();
        assertThat(seen.path("patientAfterRefresh").asText()).as("the refresh keeps the launch context").isEqualTo("p2");
    }

    /** Every attempt at another sample patient's data (read, search by patient, search by subject) got 403 from the FHIR front. */
    private static void assertOthersRefused(JsonNode seen, String own) {
        JsonNode others = seen.path("otherPatients");
        List<String> expected = new ArrayList<>(List.of("p1", "p2", "p3"));
        expected.remove(own);
        assertThat(strings(fieldNames(others))).containsExactlyInAnyOrderElementsOf(expected);
        for (String other : expected) {
            JsonNode attempts = others.path(other);
            for (String kind : List.of("read", "search", "subject")) {
                assertThat(attempts.path(kind).asText()).as(other + " " + kind).isEqualTo("403");
            }
        }
    }

    private static void signIn(String username) {
        browser.findElement(By.id("username")).sendKeys(username);
        browser.findElement(By.id("password")).sendKeys(SmartStack.PASSWORD);
        submit(By.id("sign-in"));
    }

    private static void approve() {
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("Latch sample SMART app");
        submit(By.id("approve"));
    }

    private static void submit(By button) {
        SharedChromium.submit(browser, button);
    }

    /** What the app saw (#result, JSON), once it has written it; an error it reports fails the test with it. */
    private static JsonNode result() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String text = "";
        while (System.nanoTime() < deadline) {
            List<WebElement> found = browser.findElements(By.id("result"));
            text = found.isEmpty() ? "" : found.get(0).getText();
            if (!text.isBlank()) break;
            Thread.sleep(100);
        }
        assertThat(text).as("the app wrote no result; at " + browser.getCurrentUrl() + "\n" + stack.logs()).isNotBlank();
        JsonNode seen = JSON.readTree(text);
        assertThat(seen.has("error")).as("the app failed: " + text + "\n" + stack.logs()).isFalse();
        return seen;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static JsonNode fieldNames(JsonNode object) {
        var out = JSON.createArrayNode();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
