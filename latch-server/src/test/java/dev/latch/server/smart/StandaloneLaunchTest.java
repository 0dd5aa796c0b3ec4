package dev.latch.server.smart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.server.LogCapture;
import dev.latch.server.signin.Agent;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SMART standalone launch (SMART App Launch 2.2 §"Standalone Launch") over HTTP: a patient gets their
 * own record, a practitioner (or a user with role smart-picker) picks one from the FHIR server, anyone
 * else is refused; the picker's form is CSRF-protected and a FHIR server that is down is a clear page.
 */
class StandaloneLaunchTest {

    static SmartFixture s;

    @BeforeAll
    static void start() {
        s = new SmartFixture();
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    static Map<String, String> standalone(String scope) {
        return SmartFixture.request("app", scope, "aud", SmartFixture.BASE);
    }

    static HttpResponse<String> post(Agent agent, HttpResponse<String> page, String fields) {
        return agent.post(s.server().url("/authorize/patient"), "interaction=" + Agent.field(page.body(), "interaction")
                + "&csrf=" + Agent.field(page.body(), "csrf") + (fields.isEmpty() ? "" : "&" + fields));
    }

    @Test
    void patientUserGetsOwnRecordWithoutPicker() {
        Agent agent = new Agent();
        HttpResponse<String> consent = s.signIn(agent, standalone("openid launch/patient patient/Patient.rs"), s.user("Patient/p3"));

        JsonNode tokens = s.exchange("app", SmartFixture.callback(s.approve(agent, consent)).get("code"));

        assertThat(tokens.path("patient").asText()).isEqualTo("p3");
        assertThat(s.fhir.queries).noneMatch(q -> q.contains("p3"));
    }

    @Test
    void practitionerPicksPatientFromFhirSearchThenTokenCarriesIt() {
        Agent agent = new Agent();
        HttpResponse<String> picker = s.signIn(agent, standalone("openid launch/patient patient/Patient.rs"), s.user("Practitioner/dr1"));
        assertThat(picker.statusCode()).isEqualTo(200);
        assertThat(picker.body()).contains("Choose a patient").contains("Amy Shaw").contains("Bert Smith");
        assertThat(picker.headers().firstValue("Cache-Control")).hasValue("no-store");

        HttpResponse<String> results = post(agent, picker, "name=smith");
        assertThat(results.body()).contains("Bert Smith").contains("Carla Smithers").doesNotContain("Amy Shaw");
        assertThat(s.fhir.queries).contains("Patient?name=smith&_count=20");
        assertThat(s.fhir.accepts).contains("application/fhir+json");

        HttpResponse<String> consent = post(agent, results, "patient=p3");
        JsonNode tokens = s.exchange("app", SmartFixture.callback(s.approve(agent, consent)).get("code"));
        assertThat(tokens.path("patient").asText()).isEqualTo("p3");
        assertThat(tokens.has("encounter")).isFalse();
    }

    @Test
    void userWithPickerRoleMayPick() {
        Agent agent = new Agent();
        HttpResponse<String> picker = s.signIn(agent, standalone("openid launch/patient"), s.user(null, "smart-picker"));

        HttpResponse<String> consent;
        try (LogCapture log = LogCapture.start()) {
            consent = post(agent, picker, "patient=p1");
            assertThat(log.audit("smart.pick")).singleElement().satisfies(e -> {
                assertThat(e.path("outcome").asText()).isEqualTo("success");
                assertThat(e.path("client_id").asText()).isEqualTo("app");
                assertThat(e.path("patient").asText()).isEqualTo("p1");
                assertThat(e.path("user").asText()).isNotEmpty();
            });
        }

        assertThat(s.exchange("app", SmartFixture.callback(s.approve(agent, consent)).get("code")).path("patient").asText()).isEqualTo("p1");
    }

    @Test
    void launchEncounterThenPickerAsksForOneOfThePatientsVisits() {
        Agent agent = new Agent();
        HttpResponse<String> picker = s.signIn(agent, standalone("openid launch/patient launch/encounter"), s.user("PractitionerRole/r1"));
        HttpResponse<String> visits = post(agent, picker, "patient=p2");
        assertThat(visits.body()).contains("Choose a visit").contains("Check-up").contains("Emergency");

        HttpResponse<String> foreign = post(agent, visits, "patient=p2&step=encounter&encounter=e9");
        assertThat(foreign.body()).contains("Choose one of this patient's visits.");

        HttpResponse<String> consent = post(agent, foreign, "patient=p2&step=encounter&encounter=e2");
        JsonNode tokens = s.exchange("app", SmartFixture.callback(s.approve(agent, consent)).get("code"));
        assertThat(tokens.path("patient").asText()).isEqualTo("p2");
        assertThat(tokens.path("encounter").asText()).isEqualTo("e2");
    }

    @Test
    void launchEncounterWhenPatientHasNoVisitsThenContinueWithoutOne() {
        Agent agent = new Agent();
        HttpResponse<String> picker = s.signIn(agent, standalone("openid launch/patient launch/encounter"), s.user("Practitioner/dr2"));
        HttpResponse<String> visits = post(agent, picker, "patient=p1");
        assertThat(visits.body()).contains("This patient has no encounters.");

        HttpResponse<String> consent = post(agent, visits, "patient=p1&step=encounter&no-encounter=yes");
        JsonNode tokens = s.exchange("app", SmartFixture.callback(s.approve(agent, consent)).get("code"));
        assertThat(tokens.path("patient").asText()).isEqualTo("p1");
        assertThat(tokens.has("encounter")).isFalse();
    }

    @Test
    void pickedPatientNotOnTheFhirServerIsRefusedOnThePage() {
        Agent agent = new Agent();
        HttpResponse<String> picker = s.signIn(agent, standalone("openid launch/patient"), s.user("Practitioner/dr3"));

        HttpResponse<String> r = post(agent, picker, "patient=p404");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("That patient is not on the FHIR server.");
        assertThat(r.headers().firstValue("location")).isEmpty();
    }

    @Test
    void userWithoutPatientRecordOrPickerRightThenAccessDenied() {
        HttpResponse<String> r = s.signIn(new Agent(), standalone("openid launch/patient"), s.user(null));

        EhrLaunchAuthorizeTest.assertRefusedAtCallback(r, "access_denied",
                "this user has no patient record (fhirUser) and may not choose a patient");
    }

    @Test
    void relatedPersonIsNotAPicker() {
        HttpResponse<String> r = s.signIn(new Agent(), standalone("openid launch/patient"), s.user("RelatedPerson/rp1"));

        EhrLaunchAuthorizeTest.assertRefusedAtCallback(r, "access_denied",
                "this user has no patient record (fhirUser) and may not choose a patient");
    }

    @Test
    void standaloneWithAnAudThatIsNotAConfiguredFhirServerThenInvalidRequest() {
        Map<String, String> request = standalone("openid launch/patient");
        request.put("aud", "https://other.example/fhir");

        // refused as the request arrives, before anyone signs in: aud names no configured FHIR server
        HttpResponse<String> r = new Agent().get(s.f.authorizeUrl(request));

        EhrLaunchAuthorizeTest.assertRefusedAtCallback(r, "invalid_request",
                "aud must be the FHIR server's base URL (https://fhir.example/r4); https://other.example/fhir is not one");
    }

    @Test
    void pickerFormWithoutTheRightCsrfTokenIsRefused() {
        Agent agent = new Agent();
        HttpResponse<String> picker = s.signIn(agent, standalone("openid launch/patient"), s.user("Practitioner/dr4"));

        HttpResponse<String> forged = agent.post(s.server().url("/authorize/patient"), "interaction="
                + Agent.field(picker.body(), "interaction") + "&csrf=forged&patient=p1");
        HttpResponse<String> otherBrowser = new Agent().post(s.server().url("/authorize/patient"), "interaction="
                + Agent.field(picker.body(), "interaction") + "&csrf=" + Agent.field(picker.body(), "csrf") + "&patient=p1");

        assertThat(forged.statusCode()).isEqualTo(400);
        assertThat(forged.body()).contains("This form has expired");
        assertThat(otherBrowser.statusCode()).isEqualTo(400);
        assertThat(otherBrowser.body()).contains("This form has expired");
    }

    @Test
    void pickerFormReplayedIsRefused() {
        Agent agent = new Agent();
        HttpResponse<String> picker = s.signIn(agent, standalone("openid launch/patient"), s.user("Practitioner/dr5"));
        post(agent, picker, "name=smith");

        HttpResponse<String> replay = post(agent, picker, "patient=p1");

        assertThat(replay.statusCode()).isEqualTo(400);
        assertThat(replay.body()).contains("This form has expired");
    }

    @Test
    void pickingWhenTheRequestIsNotAStandaloneLaunchIsRefused() {
        Agent agent = new Agent();
        // a consent page's form, sent to the picker: the request asks no launch/patient
        HttpResponse<String> consent = s.signIn(agent, SmartFixture.request("app", "openid"), s.user("Practitioner/dr6"));

        HttpResponse<String> r = post(agent, consent, "patient=p1");

        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("You may not choose a patient");
    }

    @Test
    void fhirServerDownThenPickerSaysSoWith502AndNeverAServerError() {
        Agent agent = new Agent();
        s.fhir.down(true);
        try {
            HttpResponse<String> picker = s.signIn(agent, standalone("openid launch/patient"), s.user("Practitioner/dr7"));
            assertThat(picker.statusCode()).isEqualTo(502);
            assertThat(picker.body()).contains("The patient directory (FHIR server) is not answering right now.");

            HttpResponse<String> pick = post(agent, picker, "patient=p1");
            assertThat(pick.statusCode()).isEqualTo(502);
            assertThat(pick.body()).contains("not answering");

            s.fhir.down(false);
            HttpResponse<String> consent = post(agent, pick, "patient=p1");
            assertThat(s.exchange("app", SmartFixture.callback(s.approve(agent, consent)).get("code")).path("patient").asText()).isEqualTo("p1");
        } finally {
            s.fhir.down(false);
        }
    }

    @Test
    void promptNoneWhenAPatientMustBePickedThenInteractionRequired() {
        Agent agent = new Agent();
        String user = s.user("Practitioner/dr8");
        s.approve(agent, s.signIn(agent, SmartFixture.request("app", "openid"), user));
        Map<String, String> request = standalone("openid launch/patient");
        request.put("prompt", "none");

        EhrLaunchAuthorizeTest.assertRefusedAtCallback(agent.get(s.f.authorizeUrl(request)), "interaction_required",
                "the user must choose a patient");
    }

    @Test
    void patientUserAskingLaunchEncounterChoosesOneOfTheirOwnVisitsAndCannotSearch() {
        Agent agent = new Agent();
        HttpResponse<String> visits = s.signIn(agent, standalone("openid launch/patient launch/encounter"), s.user("Patient/p2"));
        assertThat(visits.statusCode()).isEqualTo(200);
        assertThat(visits.body()).contains("Choose a visit").contains("Check-up").contains("Emergency")
                .doesNotContain("id=\"name\"").doesNotContain("Choose a patient");

        HttpResponse<String> foreign = post(agent, visits, "patient=p2&step=encounter&encounter=e9");
        assertThat(foreign.body()).contains("Choose one of this patient's visits.");

        HttpResponse<String> consent;
        try (LogCapture log = LogCapture.start()) {
            consent = post(agent, foreign, "patient=p2&step=encounter&encounter=e2");
            assertThat(log.audit("smart.pick")).singleElement().satisfies(e -> assertThat(e.path("patient").asText()).isEqualTo("p2"));
        }
        JsonNode tokens = s.exchange("app", SmartFixture.callback(s.approve(agent, consent)).get("code"));
        assertThat(tokens.path("patient").asText()).isEqualTo("p2");
        assertThat(tokens.path("encounter").asText()).isEqualTo("e2");
    }

    @Test
    void patientUserPostingASearchOrAnotherPatientToThePickerIsRefused() {
        Agent agent = new Agent();
        String user = s.user("Patient/p2");
        HttpResponse<String> visits = s.signIn(agent, standalone("openid launch/patient launch/encounter"), user);

        HttpResponse<String> search = post(agent, visits, "name=smith");
        assertThat(search.statusCode()).isEqualTo(403);
        assertThat(search.body()).contains("You may not choose a patient").doesNotContain("Bert Smith");

        Agent again = new Agent();
        HttpResponse<String> visits2 = s.signIn(again, standalone("openid launch/patient launch/encounter"), user);
        HttpResponse<String> other = post(again, visits2, "patient=p3&step=encounter&no-encounter=yes");
        assertThat(other.statusCode()).isEqualTo(403);

        Agent withoutEncounter = new Agent();
        HttpResponse<String> consent = s.signIn(withoutEncounter, standalone("openid launch/patient"), user);
        HttpResponse<String> pick = post(withoutEncounter, consent, "patient=p3");
        assertThat(pick.statusCode()).as("without launch/encounter a Patient user never reaches the picker").isEqualTo(403);
    }

    @Test
    void patientUserWhoseRecordGoesAwayBetweenTheVisitPageAndTheChoiceGetsA404NeverTheSearch() {
        s.fhir.patient("p77", "Gone", "Soon", "1970-01-01", "female").encounter("e77", "p77", "Check-up", "2024-01-01");
        Agent agent = new Agent();
        HttpResponse<String> visits = s.signIn(agent, standalone("openid launch/patient launch/encounter"), s.user("Patient/p77"));
        assertThat(visits.body()).contains("Choose a visit").contains("Gone Soon");
        s.fhir.withoutPatient("p77");

        HttpResponse<String> r = post(agent, visits, "patient=p77&step=encounter&encounter=e77");

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("Your patient record (Patient/p77) is not on the FHIR server")
                .doesNotContain("id=\"name\"").doesNotContain("Amy Shaw").doesNotContain("Bert Smith");
    }

    @Test
    void patientUserWhoseRecordIsNotOnTheFhirServerOrWhenItIsDownGetsAClearPage() {
        HttpResponse<String> missing = s.signIn(new Agent(), standalone("openid launch/patient launch/encounter"), s.user("Patient/p404"));
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("Your patient record (Patient/p404) is not on the FHIR server");

        s.fhir.down(true);
        try {
            HttpResponse<String> down = s.signIn(new Agent(), standalone("openid launch/patient launch/encounter"), s.user("Patient/p2"));
            assertThat(down.statusCode()).isEqualTo(502);
            assertThat(down.body()).contains("your visits cannot be listed").doesNotContain("id=\"name\"");
        } finally {
            s.fhir.down(false);
        }
    }

    @Test
    void promptNoneWhenAPatientUserMustChooseAVisitThenInteractionRequired() {
        Agent agent = new Agent();
        String user = s.user("Patient/p2");
        s.approve(agent, s.signIn(agent, SmartFixture.request("app", "openid"), user));
        Map<String, String> request = standalone("openid launch/patient launch/encounter");
        request.put("prompt", "none");

        EhrLaunchAuthorizeTest.assertRefusedAtCallback(agent.get(s.f.authorizeUrl(request)), "interaction_required",
                "the user must choose a visit");
    }
}
