package dev.latch.server.smart;

import static dev.latch.server.OAuthResponses.assertError;
import static dev.latch.server.OAuthResponses.assertNoStoreJson;
import static dev.latch.server.OAuthResponses.basic;
import static dev.latch.server.OAuthResponses.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.server.signin.Agent;
import dev.latch.server.signin.SignInFixture;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SMART EHR launch through the authorization endpoint (SMART App Launch 2.2 §"EHR Launch"): the
 * context travels with the code into the token response, the access token, introspection and every
 * refresh; a launch that does not fit the request never yields a code.
 */
class EhrLaunchAuthorizeTest {

    static final String EHR_SCOPE = "openid fhirUser launch patient/Patient.rs";
    static SmartFixture s;

    @BeforeAll
    static void start() {
        s = new SmartFixture();
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    static Map<String, String> ehrRequest(String clientId, String launch) {
        return SmartFixture.request(clientId, EHR_SCOPE, "launch", launch, "aud", SmartFixture.BASE);
    }

    /** Signs a fresh user in and approves; returns the redirect to the client. */
    HttpResponse<String> signInAndApprove(Map<String, String> request) {
        Agent agent = new Agent();
        HttpResponse<String> consent = s.signIn(agent, request, s.user(null));
        return s.approve(agent, consent);
    }

    @Test
    void ehrLaunchThenContextInTokenResponseAccessTokenIntrospectionAndEveryRefresh() throws Exception {
        String launch = s.launch("""
                {"client_id": "app", "patient": "p2", "encounter": "e1", "fhirContext": [{"reference": "DocumentReference/77"}],
                 "intent": "reconcile-medications", "need_patient_banner": false, "smart_style_url": "https://ehr.example/style.json",
                 "tenant": "north"}""");

        Map<String, String> q = SmartFixture.callback(signInAndApprove(ehrRequest("app", launch)));
        JsonNode tokens = s.exchange("app", q.get("code"));

        assertThat(tokens.path("patient").asText()).isEqualTo("p2");
        assertThat(tokens.path("encounter").asText()).isEqualTo("e1");
        assertThat(tokens.path("fhirContext").toString()).isEqualTo("[{\"reference\":\"DocumentReference/77\"}]");
        assertThat(tokens.path("intent").asText()).isEqualTo("reconcile-medications");
        assertThat(tokens.path("need_patient_banner").isBoolean()).isTrue();
        assertThat(tokens.path("need_patient_banner").asBoolean()).isFalse();
        assertThat(tokens.path("smart_style_url").asText()).isEqualTo("https://ehr.example/style.json");
        assertThat(tokens.path("tenant").asText()).isEqualTo("north");
        assertThat(tokens.path("scope").asText()).isEqualTo(EHR_SCOPE);

        var claims = SignedJWT.parse(tokens.path("access_token").asText()).getJWTClaimsSet();
        assertThat(claims.getStringClaim("patient")).isEqualTo("p2");
        assertThat(claims.getStringClaim("encounter")).isEqualTo("e1");

        JsonNode introspection = assertNoStoreJson(s.server().postForm("/introspect", "token=" + tokens.path("access_token").asText(),
                "Authorization", basic("app", SignInFixture.SECRET)), 200);
        assertThat(introspection.path("active").asBoolean()).isTrue();
        assertThat(introspection.path("patient").asText()).isEqualTo("p2");
        assertThat(introspection.path("encounter").asText()).isEqualTo("e1");
        assertThat(introspection.path("fhirContext").toString()).isEqualTo("[{\"reference\":\"DocumentReference/77\"}]");
        assertThat(introspection.path("tenant").asText()).isEqualTo("north");

        String refresh = tokens.path("refresh_token").asText();
        for (int i = 0; i < 2; i++) {
            JsonNode refreshed = assertNoStoreJson(s.server().postForm("/token", "grant_type=refresh_token&refresh_token=" + form(refresh),
                    "Authorization", basic("app", SignInFixture.SECRET)), 200);
            assertThat(refreshed.path("patient").asText()).isEqualTo("p2");
            assertThat(refreshed.path("encounter").asText()).isEqualTo("e1");
            assertThat(refreshed.path("intent").asText()).isEqualTo("reconcile-medications");
            assertThat(refreshed.path("need_patient_banner").asBoolean(true)).isFalse();
            assertThat(SignedJWT.parse(refreshed.path("access_token").asText()).getJWTClaimsSet().getStringClaim("patient")).isEqualTo("p2");
            refresh = refreshed.path("refresh_token").asText();
        }
    }

    @Test
    void opaqueAccessTokenIntrospectsWithTheLaunchContext() {
        String launch = s.launch("{\"client_id\": \"opaque-app\", \"patient\": \"p3\", \"encounter\": \"e7\", \"tenant\": \"south\"}");
        JsonNode tokens = s.exchange("opaque-app", SmartFixture.callback(signInAndApprove(ehrRequest("opaque-app", launch))).get("code"));
        String at = tokens.path("access_token").asText();
        assertThat(at).doesNotContain(".");
        assertThat(tokens.path("patient").asText()).isEqualTo("p3");

        JsonNode introspection = assertNoStoreJson(s.server().postForm("/introspect", "token=" + at,
                "Authorization", basic("opaque-app", SignInFixture.SECRET)), 200);

        assertThat(introspection.path("active").asBoolean()).isTrue();
        assertThat(introspection.path("patient").asText()).isEqualTo("p3");
        assertThat(introspection.path("encounter").asText()).isEqualTo("e7");
        assertThat(introspection.path("tenant").asText()).isEqualTo("south");
        assertThat(introspection.has("fhirContext")).isFalse();
    }

    @Test
    void introspectionWhenFhirUserGrantedThenFhirUserForJwtAndOpaqueTokens() {
        // SMART App Launch 2.2 §"Token Introspection": fhirUser with the fhirUser scope, as in the id_token
        for (String client : List.of("app", "opaque-app")) {
            String launch = s.launch("{\"client_id\": \"" + client + "\", \"patient\": \"p1\"}");
            Agent agent = new Agent();
            HttpResponse<String> consent = s.signIn(agent, ehrRequest(client, launch), s.user("Practitioner/pr9"));
            JsonNode tokens = s.exchange(client, SmartFixture.callback(s.approve(agent, consent)).get("code"));

            JsonNode introspection = assertNoStoreJson(s.server().postForm("/introspect", "token=" + tokens.path("access_token").asText(),
                    "Authorization", basic(client, SignInFixture.SECRET)), 200);

            assertThat(introspection.path("fhirUser").asText()).as(client).isEqualTo(SmartFixture.BASE + "/Practitioner/pr9");
        }
    }

    @Test
    void introspectionWhenTokenRevokedThenActiveFalseOnly() {
        String launch = s.launch("{\"client_id\": \"app\", \"patient\": \"p1\"}");
        JsonNode tokens = s.exchange("app", SmartFixture.callback(signInAndApprove(ehrRequest("app", launch))).get("code"));
        String at = tokens.path("access_token").asText();
        s.server().postForm("/revoke", "token=" + at, "Authorization", basic("app", SignInFixture.SECRET));

        HttpResponse<String> r = s.server().postForm("/introspect", "token=" + at, "Authorization", basic("app", SignInFixture.SECRET));

        assertThat(r.body()).isEqualTo("{\"active\":false}");
    }

    @Test
    void tokenWithoutLaunchHasNoContext() {
        Agent agent = new Agent();
        HttpResponse<String> consent = s.signIn(agent, SmartFixture.request("app", "openid patient/Patient.rs", "aud", SmartFixture.BASE), s.user(null));
        JsonNode tokens = s.exchange("app", SmartFixture.callback(s.approve(agent, consent)).get("code"));

        assertThat(tokens.has("patient")).isFalse();
        assertThat(tokens.has("need_patient_banner")).isFalse();
        assertThat(tokens.has("fhirContext")).isFalse();
    }

    @Test
    void launchIsUsedUpWhenTheCodeIsIssuedSoASecondAuthorizationIsRefused() {
        String launch = s.launch("{\"client_id\": \"app\", \"patient\": \"p1\"}");
        SmartFixture.callback(signInAndApprove(ehrRequest("app", launch)));

        // same browser, signed in and consented: without the launch check this would be a code at once
        HttpResponse<String> again = new Agent().get(s.f.authorizeUrl(ehrRequest("app", launch)));

        assertRefusedAtCallback(again, "invalid_request", "the launch is unknown, expired, used or another application's");
    }

    @Test
    void launchWhenUsedUpBetweenConsentPageAndApprovalThenNoCode() {
        String launch = s.launch("{\"client_id\": \"app\", \"patient\": \"p1\"}");
        Agent first = new Agent();
        HttpResponse<String> firstConsent = s.signIn(first, ehrRequest("app", launch), s.user(null));
        SmartFixture.callback(signInAndApprove(ehrRequest("app", launch)));

        HttpResponse<String> late = s.approve(first, firstConsent);

        assertRefusedAtCallback(late, "invalid_request", "the launch is unknown, expired, used or another application's");
    }

    @Test
    void launchWhenUnknownThenRefusedBeforeSignIn() {
        HttpResponse<String> r = new Agent().get(s.f.authorizeUrl(ehrRequest("app", "no-such-launch")));

        assertRefusedAtCallback(r, "invalid_request", "the launch is unknown, expired, used or another application's");
    }

    @Test
    void launchWhenAnotherClientsThenRefused() {
        String launch = s.launch("{\"client_id\": \"other-app\", \"patient\": \"p1\"}");

        HttpResponse<String> r = new Agent().get(s.f.authorizeUrl(ehrRequest("app", launch)));

        assertRefusedAtCallback(r, "invalid_request", "the launch is unknown, expired, used or another application's");
        // and it is still good for its own client
        assertThat(SmartFixture.callback(signInAndApprove(ehrRequest("other-app", launch)))).containsKey("code");
    }

    @Test
    void launchWhenExpiredThenRefused() {
        String launch = s.launch("{\"client_id\": \"app\", \"patient\": \"p1\"}");
        s.f.clock.advance(Duration.ofSeconds(301));
        try {
            HttpResponse<String> r = new Agent().get(s.f.authorizeUrl(ehrRequest("app", launch)));
            assertRefusedAtCallback(r, "invalid_request", "the launch is unknown, expired, used or another application's");
        } finally {
            s.f.clock.advance(Duration.ofSeconds(-301));
        }
    }

    @Test
    void launchWhenExpiresDuringSignInThenNoCode() {
        String launch = s.launch("{\"client_id\": \"app\", \"patient\": \"p1\"}");
        Agent agent = new Agent();
        HttpResponse<String> consent = s.signIn(agent, ehrRequest("app", launch), s.user(null));
        s.f.clock.advance(Duration.ofSeconds(301));
        try {
            assertRefusedAtCallback(s.approve(agent, consent), "invalid_request",
                    "the launch is unknown, expired, used or another application's");
        } finally {
            s.f.clock.advance(Duration.ofSeconds(-301));
        }
    }

    @Test
    void launchWithoutAudThenRefused() {
        String launch = s.launch("{\"client_id\": \"app\", \"patient\": \"p1\"}");
        Map<String, String> request = ehrRequest("app", launch);
        request.remove("aud");

        assertRefusedAtCallback(new Agent().get(s.f.authorizeUrl(request)), "invalid_request",
                "aud must be the FHIR server's base URL (https://fhir.example/r4); it is missing");
    }

    @Test
    void launchWithAnotherAudThenRefused() {
        String launch = s.launch("{\"client_id\": \"app\", \"patient\": \"p1\"}");
        Map<String, String> request = ehrRequest("app", launch);
        request.put("aud", "https://evil.example/fhir");

        assertRefusedAtCallback(new Agent().get(s.f.authorizeUrl(request)), "invalid_request",
                "aud must be the FHIR server's base URL (https://fhir.example/r4); https://evil.example/fhir is not one");
    }

    @Test
    void launchWithoutLaunchScopeThenRefused() {
        String launch = s.launch("{\"client_id\": \"app\", \"patient\": \"p1\"}");
        Map<String, String> request = ehrRequest("app", launch);
        request.put("scope", "openid patient/Patient.rs");

        assertRefusedAtCallback(new Agent().get(s.f.authorizeUrl(request)), "invalid_request", "an EHR launch must ask for the launch scope");
    }

    @Test
    void launchForAUserWhenAnotherSignsInThenAccessDenied() {
        String bob = s.user(null);
        String launch = s.launch("{\"client_id\": \"app\", \"patient\": \"p1\", \"user\": \"" + bob + "\"}");

        HttpResponse<String> r = s.signIn(new Agent(), ehrRequest("app", launch), s.user(null));

        assertRefusedAtCallback(r, "access_denied", "the launch is for another user");
    }

    @Test
    void launchForAUserWhenSomeoneElseIsSignedInThenAskedToSignInAsThatUser() {
        String bob = s.user(null);
        Agent agent = new Agent();
        // someone else signed in earlier in this browser
        s.approve(agent, s.signIn(agent, SmartFixture.request("app", "openid"), s.user(null)));
        String launch = s.launch("{\"client_id\": \"app\", \"patient\": \"p1\", \"user\": \"" + bob + "\"}");

        HttpResponse<String> page = agent.get(s.f.authorizeUrl(ehrRequest("app", launch)));

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("This launch is for " + bob).contains("value=\"" + bob + "\"");
        HttpResponse<String> consent = s.login(agent, page, bob);
        Map<String, String> q = SmartFixture.callback(s.approve(agent, consent));
        assertThat(s.exchange("app", q.get("code")).path("patient").asText()).isEqualTo("p1");
    }

    @Test
    void launchWithPromptNoneAndNoSessionThenLoginRequiredAndLaunchStaysUnused() {
        String launch = s.launch("{\"client_id\": \"app\", \"patient\": \"p1\"}");
        Map<String, String> request = ehrRequest("app", launch);
        request.put("prompt", "none");

        assertRefusedAtCallback(new Agent().get(s.f.authorizeUrl(request)), "login_required", "the user must sign in");
        assertThat(SmartFixture.callback(signInAndApprove(ehrRequest("app", launch)))).containsKey("code");
    }

    @Test
    void codeOfALaunchCannotBeRedeemedByAnotherClient() {
        String launch = s.launch("{\"client_id\": \"app\", \"patient\": \"p1\"}");
        String code = SmartFixture.callback(signInAndApprove(ehrRequest("app", launch))).get("code");

        HttpResponse<String> r = s.server().postForm("/token", "grant_type=authorization_code&code=" + form(code) + "&redirect_uri="
                + form(SmartFixture.CALLBACK) + "&code_verifier=" + SmartFixture.VERIFIER, "Authorization", basic("other-app", SignInFixture.SECRET));

        assertError(r, 400, "invalid_grant");
    }

    static void assertRefusedAtCallback(HttpResponse<String> r, String error, String description) {
        Map<String, String> q = SmartFixture.callback(r);
        assertThat(q).doesNotContainKey("code");
        assertThat(q).containsEntry("error", error).containsEntry("error_description", description).containsEntry("state", "st-1");
    }

    @Test
    void storedLaunchesAreConsumedNotDeleted() {
        String launch = s.launch("{\"client_id\": \"app\", \"patient\": \"p3\"}");
        SmartFixture.callback(signInAndApprove(ehrRequest("app", launch)));

        List<Long> used = s.server().sql().query("SELECT used_at FROM smart_launches WHERE used_at IS NOT NULL", rs -> rs.getLong(1));
        assertThat(used).isNotEmpty();
    }
}
