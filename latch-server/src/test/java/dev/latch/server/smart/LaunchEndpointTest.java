package dev.latch.server.smart;

import static dev.latch.server.OAuthResponses.assertError;
import static dev.latch.server.OAuthResponses.assertNoStoreJson;
import static dev.latch.server.OAuthResponses.json;
import static dev.latch.server.OAuthResponses.basic;
import static dev.latch.server.OAuthResponses.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.server.LogCapture;
import dev.latch.server.signin.Agent;
import dev.latch.server.signin.SignInFixture;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code POST /smart/launch}: who may create an EHR launch, what it answers, and every refusal with its exact error. */
class LaunchEndpointTest {

    static SmartFixture s;
    static String ehrToken;

    @BeforeAll
    static void start() {
        s = new SmartFixture();
        ehrToken = s.ehrToken();
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    @Test
    void launchWhenEhrTokenAndValidBodyThen201WithLaunchUrlOfTheApp() {
        HttpResponse<String> r;
        try (LogCapture log = LogCapture.start()) {
            r = s.postLaunch(ehrToken, "application/json", """
                    {"client_id": "app", "patient": "p2", "encounter": "e1", "fhirContext": [{"reference": "DocumentReference/77"}],
                     "intent": "reconcile-medications", "need_patient_banner": false, "smart_style_url": "https://ehr.example/style.json",
                     "tenant": "north"}""");
            assertThat(log.audit("smart.launch")).singleElement().satisfies(e -> {
                assertThat(e.path("outcome").asText()).isEqualTo("success");
                assertThat(e.path("client_id").asText()).isEqualTo("app");
                assertThat(e.path("patient").asText()).isEqualTo("p2");
                assertThat(e.path("actor").asText()).isEqualTo("client:ehr");
                assertThat(e.path("ip").asText()).isEqualTo("127.0.0.1");
            });
            assertThat(log.text()).doesNotContain(json(r).path("launch").asText()).doesNotContain(ehrToken);
        }

        JsonNode body = assertNoStoreJson(r, 201);
        String launch = body.path("launch").asText();
        assertThat(launch).matches("[A-Za-z0-9_-]{43}");
        assertThat(body.path("expires_in").asLong()).isEqualTo(300);
        assertThat(body.path("launch_url").asText()).isEqualTo(SmartFixture.LAUNCH_URI + "?iss="
                + URLEncoder.encode(SmartFixture.BASE, StandardCharsets.UTF_8) + "&launch=" + launch);
        Map<String, String> q = Agent.query(body.path("launch_url").asText());
        assertThat(q).containsEntry("iss", SmartFixture.BASE).containsEntry("launch", launch);
    }

    @Test
    void launchWhenIssNamesTheConfiguredBaseThenAccepted() {
        HttpResponse<String> r = s.postLaunch(ehrToken, "application/json; charset=utf-8",
                "{\"client_id\": \"app\", \"iss\": \"" + SmartFixture.BASE + "/\", \"user\": \"alice\"}");

        assertThat(assertNoStoreJson(r, 201).path("launch_url").asText()).contains("iss=" + form(SmartFixture.BASE) + "&");
    }

    @Test
    void launchWhenNoTokenThen401WithBearerChallenge() {
        HttpResponse<String> r = s.postLaunch(null, "application/json", "{\"client_id\": \"app\"}");

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).get().asString().startsWith("Bearer ").doesNotContain("error=");
    }

    @Test
    void launchWhenTokenInvalidThen401InvalidToken() {
        HttpResponse<String> r = s.postLaunch("not-a-token", "application/json", "{\"client_id\": \"app\"}");

        assertError(r, 401, "invalid_token");
        assertThat(r.headers().firstValue("WWW-Authenticate")).get().asString().startsWith("Bearer ").contains("error=\"invalid_token\"");
    }

    @Test
    void launchWhenTokenRevokedThen401InvalidToken() {
        String token = s.ehrToken();
        assertThat(s.server().postForm("/revoke", "token=" + token, "Authorization", basic("ehr", SignInFixture.SECRET)).statusCode())
                .isEqualTo(200);

        assertError(s.postLaunch(token, "application/json", "{\"client_id\": \"app\"}"), 401, "invalid_token");
    }

    @Test
    void launchWhenTokenLacksSmartLaunchScopeThen403InsufficientScope() {
        HttpResponse<String> r = s.postLaunch(s.systemToken("ehr-no-launch", "system/Patient.rs"), "application/json", "{\"client_id\": \"app\"}");

        assertError(r, 403, "insufficient_scope");
        assertThat(r.headers().firstValue("WWW-Authenticate")).get().asString().contains("error=\"insufficient_scope\"");
    }

    @Test
    void launchWhenAuthorizationHeaderIsNotBearerThen400InvalidRequest() {
        HttpResponse<String> r = s.server().postForm("/smart/launch", "{}", "Authorization", "Basic abc");

        assertError(r, 400, "invalid_request");
    }

    @Test
    void launchWhenNotJsonContentTypeThen400InvalidRequest() {
        assertError(s.postLaunch(ehrToken, "application/x-www-form-urlencoded", "client_id=app"), 400, "invalid_request");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            not json                           | {oops                                                  | the body is not JSON
            not an object                      | ["app"]                                                | the body must be a JSON object
            no client_id                       | {"patient": "p1"}                                      | client_id is required
            client_id not a string             | {"client_id": 7}                                       | client_id must be a string
            unknown client                     | {"client_id": "nobody"}                                | client_id: no such client
            client without launch URL          | {"client_id": "no-launch-uri"}                         | client_id: the client has no launch URL
            client without launch scope        | {"client_id": "no-launch-scope"}                       | client_id: the client may not use EHR launch
            patient not a FHIR id              | {"client_id": "app", "patient": "Patient/1"}           | patient must be a FHIR id
            encounter not a FHIR id            | {"client_id": "app", "encounter": "a b"}               | encounter must be a FHIR id
            fhirContext not an array           | {"client_id": "app", "fhirContext": "x"}               | fhirContext must be an array of objects
            fhirContext entry without a name   | {"client_id": "app", "fhirContext": [{"role": "x"}]}   | fhirContext entries must each have a reference
            need_patient_banner not boolean    | {"client_id": "app", "need_patient_banner": "yes"}     | need_patient_banner must be true or false
            smart_style_url not a URL          | {"client_id": "app", "smart_style_url": "javascript:1"} | smart_style_url must be an absolute http(s) URL
            unknown user                       | {"client_id": "app", "user": "nobody-here"}            | user: no such enabled user
            iss not configured                 | {"client_id": "app", "iss": "https://other.example/fhir"} | iss: not a configured FHIR server base
            unknown field                      | {"client_id": "app", "patientId": "p1"}                | unknown field patientId
            """)
    void launchWhenBodyIsBadThen400InvalidRequestNamingTheField(String name, String body, String description) {
        JsonNode error = assertError(s.postLaunch(ehrToken, "application/json", body), 400, "invalid_request");

        assertThat(error.path("error_description").asText()).startsWith(description);
    }

    @Test
    void launchValueIsNotStoredInTheClear() {
        String launch = s.launch("{\"client_id\": \"app\", \"patient\": \"p1\"}");

        assertThat(s.server().sql().query("SELECT launch_digest FROM smart_launches", rs -> rs.getString(1))).isNotEmpty()
                .allSatisfy(d -> assertThat(d).startsWith("sha256:").doesNotContain(launch));
    }
}
