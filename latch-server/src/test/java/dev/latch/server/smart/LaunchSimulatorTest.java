package dev.latch.server.smart;

import static dev.latch.server.OAuthResponses.form;
import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.signin.Agent;
import dev.latch.server.signin.SignInFixture;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The launch simulator over HTTP: never an open door, CSRF-protected, and every refusal a clear page. */
class LaunchSimulatorTest {

    static SmartFixture s;

    @BeforeAll
    static void start() {
        s = new SmartFixture();
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    /** Signs {@code user} in at the simulator; returns the simulator page. */
    static HttpResponse<String> signedIn(Agent agent, String user) {
        HttpResponse<String> login = agent.get(s.server().url("/smart/simulator"));
        HttpResponse<String> r = agent.post(s.server().url("/smart/simulator/login"), "interaction=" + Agent.field(login.body(), "interaction")
                + "&csrf=" + Agent.field(login.body(), "csrf") + "&username=" + user + "&password=" + form(SignInFixture.PASSWORD));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
        return agent.get(s.server().url("/smart/simulator"));
    }

    static int launches() {
        return s.server().sql().query("SELECT client_id FROM smart_launches", rs -> rs.getString(1)).size();
    }

    static HttpResponse<String> post(Agent agent, HttpResponse<String> page, String fields) {
        return agent.post(s.server().url("/smart/simulator"), "interaction=" + Agent.field(page.body(), "interaction")
                + "&csrf=" + Agent.field(page.body(), "csrf") + "&" + fields);
    }

    @Test
    void withoutSessionThenSignInFormOnly() {
        HttpResponse<String> r = new Agent().get(s.server().url("/smart/simulator"));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("name=\"password\"").contains("the SMART launch simulator").doesNotContain("id=\"launch\"");
        assertThat(r.headers().firstValue("Content-Security-Policy")).get().asString().contains("frame-ancestors 'none'");
    }

    @Test
    void launchPostWithoutSessionOrFormThenRefusedAndNothingCreated() {
        int before = launches();
        HttpResponse<String> r = new Agent().post(s.server().url("/smart/simulator"), "action=launch&client_id=app&patient=p1");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("This form has expired");
        assertThat(launches()).isEqualTo(before);
    }

    @Test
    void signedInWithoutRoleThen403() {
        Agent agent = new Agent();
        HttpResponse<String> r = signedIn(agent, s.user("Practitioner/x"));

        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("The launch simulator is for users with the role smart-simulator.");
    }

    @Test
    void launchRedirectsToTheAppsLaunchUrlWithIssAndLaunch() {
        Agent agent = new Agent();
        HttpResponse<String> page = signedIn(agent, s.user(null, "smart-simulator"));
        assertThat(page.body()).contains("SMART launch simulator").contains("value=\"app\"").doesNotContain("value=\"no-launch-uri\"")
                .doesNotContain("value=\"no-launch-scope\"").doesNotContain("value=\"ehr\"");

        HttpResponse<String> r = post(agent, page, "action=launch&client_id=app&user=&patient=p2&encounter=e1");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
        String location = r.headers().firstValue("location").orElseThrow();
        assertThat(location).startsWith(SmartFixture.LAUNCH_URI + "?iss=");
        Map<String, String> q = Agent.query(location);
        assertThat(q.get("iss")).isEqualTo(SmartFixture.BASE);
        assertThat(q.get("launch")).matches("[A-Za-z0-9_-]{43}");
    }

    @Test
    void launchWithForgedOrReplayedCsrfThenRefused() {
        Agent agent = new Agent();
        HttpResponse<String> page = signedIn(agent, s.user(null, "smart-simulator"));
        HttpResponse<String> forged = agent.post(s.server().url("/smart/simulator"), "interaction=" + Agent.field(page.body(), "interaction")
                + "&csrf=forged&action=launch&client_id=app&patient=p1");
        assertThat(forged.statusCode()).isEqualTo(400);

        HttpResponse<String> search = post(agent, page, "action=search&name=smith");
        assertThat(search.statusCode()).isEqualTo(200);
        HttpResponse<String> replayed = post(agent, page, "action=launch&client_id=app&patient=p1");
        assertThat(replayed.statusCode()).isEqualTo(400);
        assertThat(replayed.body()).contains("This form has expired");
    }

    @Test
    void launchWithAnAppThatCannotBeLaunchedThen400WithTheReason() {
        Agent agent = new Agent();
        HttpResponse<String> page = signedIn(agent, s.user(null, "smart-simulator"));

        HttpResponse<String> r = post(agent, page, "action=launch&client_id=no-launch-uri&patient=p1");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("Cannot launch: client_id: the client has no launch URL (initiate_login_uri).");
    }

    @Test
    void launchWithAPatientNotOnTheFhirServerOrAForeignEncounterThenRefused() {
        Agent agent = new Agent();
        HttpResponse<String> page = signedIn(agent, s.user(null, "smart-simulator"));

        HttpResponse<String> unknown = post(agent, page, "action=launch&client_id=app&patient=p404");
        assertThat(unknown.body()).contains("That patient is not on the FHIR server.");
        HttpResponse<String> foreign = post(agent, unknown, "action=launch&client_id=app&patient=p1&encounter=e1");
        assertThat(foreign.body()).contains("Choose one of this patient");
        assertThat(foreign.headers().firstValue("location")).isEmpty();
    }

    @Test
    void fhirServerDownThen502Page() {
        Agent agent = new Agent();
        HttpResponse<String> page = signedIn(agent, s.user(null, "smart-simulator"));
        s.fhir.down(true);
        try {
            HttpResponse<String> r = post(agent, page, "action=search&name=smith");
            assertThat(r.statusCode()).isEqualTo(502);
            assertThat(r.body()).contains("The FHIR server is not answering right now.");
        } finally {
            s.fhir.down(false);
        }
    }
}
