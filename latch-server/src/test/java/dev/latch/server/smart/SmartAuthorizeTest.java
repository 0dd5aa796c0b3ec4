package dev.latch.server.smart;

import static dev.latch.server.OAuthResponses.assertError;
import static dev.latch.server.OAuthResponses.assertNoStoreJson;
import static dev.latch.server.OAuthResponses.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.server.client.Client;
import dev.latch.server.signin.Agent;
import dev.latch.server.signin.SignInFixture;
import dev.latch.server.user.User;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SMART App Launch 2.2 at the authorization endpoint: {@code aud} must be a configured FHIR base (else an
 * {@code invalid_request} redirect, never a code), the token's audience is then that base, SMART scopes
 * are covered by the client's wildcards, malformed ones are {@code invalid_scope}, and the consent page
 * says what they mean in plain words.
 */
class SmartAuthorizeTest {

    static final String CALLBACK = "https://smart-app.example/cb";
    static final String FHIR = "http://localhost:8000/fhir";
    static final String OTHER_FHIR = "https://fhir.example.org/r4";
    static final String VERIFIER = "dBjftJeZ4CVP-mJ92K9ABC.defghijklmnopqrstuvwxyz~_0123";
    static final AtomicInteger USERS = new AtomicInteger();
    static SignInFixture f;

    @BeforeAll
    static void start() {
        f = new SignInFixture(CALLBACK, Map.of("smart.fhir-servers.0.base", FHIR, "smart.fhir-servers.1.base", OTHER_FHIR + "/"));
        f.addClient(new Client.Builder().clientId("smart-app").clientName("Growth Chart").tokenEndpointAuthMethod(Client.NONE)
                .scope("openid fhirUser launch/patient patient/*.rs user/Observation.read offline_access")
                .grantTypes(List.of("authorization_code", "refresh_token")).redirectUris(List.of(CALLBACK)).build());
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    static Map<String, String> smartRequest(String scope, String aud) {
        Map<String, String> p = SignInFixture.request("smart-app", CALLBACK);
        p.put("code_challenge", dev.latch.core.pkce.Pkce.s256(VERIFIER));
        p.put("scope", scope);
        if (aud != null) p.put("aud", aud);
        return p;
    }

    /** Signs a new user in and approves; returns the redirect that ends the authorization. */
    static HttpResponse<String> signInAndApprove(Agent agent, Map<String, String> request) {
        String user = "smart-user" + USERS.incrementAndGet();
        f.users.add(user, SignInFixture.PASSWORD, f.hasher);
        return signInAndApprove(agent, request, user);
    }

    static HttpResponse<String> signInAndApprove(Agent agent, Map<String, String> request, String user) {
        HttpResponse<String> page = agent.get(f.authorizeUrl(request));
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        HttpResponse<String> consent = agent.post(f.server.url("/authorize/login"), "interaction=" + Agent.field(page.body(), "interaction")
                + "&csrf=" + Agent.field(page.body(), "csrf") + "&username=" + user + "&password=" + form(SignInFixture.PASSWORD));
        assertThat(consent.statusCode()).as(consent.body()).isEqualTo(200);
        return agent.post(f.server.url("/authorize/consent"), "interaction=" + Agent.field(consent.body(), "interaction")
                + "&csrf=" + Agent.field(consent.body(), "csrf") + "&decision=approve");
    }

    static HttpResponse<String> redeem(String code) {
        return f.server.postForm("/token", "grant_type=authorization_code&client_id=smart-app&code=" + form(code)
                + "&redirect_uri=" + form(CALLBACK) + "&code_verifier=" + VERIFIER);
    }

    @Test
    void smartScopesWithoutAudThenInvalidRequestRedirectWithoutCode() {
        HttpResponse<String> r = new Agent().get(f.authorizeUrl(smartRequest("launch/patient patient/Observation.rs", null)));
        assertThat(r.statusCode()).isEqualTo(303);
        Map<String, String> q = Agent.query(r.headers().firstValue("location").orElseThrow());
        assertThat(q).containsEntry("error", "invalid_request").containsEntry("state", "st-1").doesNotContainKey("code");
        assertThat(q.get("error_description")).startsWith("aud must be the FHIR server's base URL").contains(FHIR);
    }

    @Test
    void wrongAudThenInvalidRequestRedirectEvenWithoutSmartScopes() {
        for (String scope : List.of("patient/*.rs", "openid")) {
            HttpResponse<String> r = new Agent().get(f.authorizeUrl(smartRequest(scope, "https://evil.example/fhir")));
            assertThat(r.statusCode()).as(scope).isEqualTo(303);
            Map<String, String> q = Agent.query(r.headers().firstValue("location").orElseThrow());
            assertThat(q).as(scope).containsEntry("error", "invalid_request").doesNotContainKey("code");
            assertThat(q.get("error_description")).contains("https://evil.example/fhir is not one");
        }
    }

    @Test
    void postedAuthorizationRequestIsSeenAsGetWithItsAudAndCheckedTheSameWay() {
        for (String aud : new String[] {null, FHIR}) {
            Agent agent = new Agent();
            HttpResponse<String> posted = agent.post(f.server.url("/authorize"), SignInFixture.form(smartRequest("patient/*.rs", aud)));
            assertThat(posted.statusCode()).isEqualTo(303);
            String again = posted.headers().firstValue("location").orElseThrow();
            assertThat(Agent.query(again)).isEqualTo(smartRequest("patient/*.rs", aud));
            HttpResponse<String> r = agent.get(again);
            if (aud == null) {
                assertThat(Agent.query(r.headers().firstValue("location").orElseThrow())).containsEntry("error", "invalid_request");
            } else {
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).contains("name=\"password\"");
            }
        }
    }

    @Test
    void wrongAudWithUnregisteredRedirectUriThenErrorPageNotRedirect() {
        Map<String, String> p = smartRequest("patient/*.rs", "https://evil.example/fhir");
        p.put("redirect_uri", "https://attacker.example/cb");
        HttpResponse<String> r = new Agent().get(f.authorizeUrl(p));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("location")).isEmpty();
        assertThat(r.body()).contains("redirect_uri is not registered");
    }

    @Test
    void malformedClinicalScopeThenInvalidScopeNamingIt() {
        HttpResponse<String> r = new Agent().get(f.authorizeUrl(smartRequest("patient/Observation.xyz", FHIR)));
        Map<String, String> q = Agent.query(r.headers().firstValue("location").orElseThrow());
        assertThat(q).containsEntry("error", "invalid_scope");
        assertThat(q.get("error_description")).contains("patient/Observation.xyz");
    }

    @Test
    void scopeBeyondTheWildcardsThenInvalidScope() {
        for (String scope : List.of("patient/Observation.c", "user/Observation.cu", "system/*.rs", "user/Condition.r")) {
            HttpResponse<String> r = new Agent().get(f.authorizeUrl(smartRequest(scope, FHIR)));
            Map<String, String> q = Agent.query(r.headers().firstValue("location").orElseThrow(() -> new AssertionError(scope + ": " + r.body())));
            assertThat(q).as(scope).containsEntry("error", "invalid_scope").doesNotContainKey("code");
        }
    }

    @Test
    void audIsTheFhirBaseThenCodeAndTokenAimedAtIt() throws Exception {
        // trailing slash ignored, v1 and v2 narrowed under wildcards, scope returned as asked
        String scope = "openid fhirUser patient/Observation.r patient/Condition.rs user/Observation.rs offline_access";
        Map<String, String> request = smartRequest(scope, FHIR + "/");
        request.put("prompt", "consent");
        Agent agent = new Agent();
        String user = "smart-user" + USERS.incrementAndGet();
        f.users.add(user, SignInFixture.PASSWORD, f.hasher);
        HttpResponse<String> page = agent.get(f.authorizeUrl(request));
        HttpResponse<String> consent = agent.post(f.server.url("/authorize/login"), "interaction=" + Agent.field(page.body(), "interaction")
                + "&csrf=" + Agent.field(page.body(), "csrf") + "&username=" + user + "&password=" + form(SignInFixture.PASSWORD));
        assertThat(consent.body()).contains("Read your observations (lab results, vital signs)")
                .contains("Read and search your conditions (problems and diagnoses)")
                .contains("Know who you are in the health record")
                .contains("Read and search observations (lab results, vital signs) you are allowed to see");
        HttpResponse<String> done = agent.post(f.server.url("/authorize/consent"), "interaction=" + Agent.field(consent.body(), "interaction")
                + "&csrf=" + Agent.field(consent.body(), "csrf") + "&decision=approve");
        Map<String, String> q = Agent.query(done.headers().firstValue("location").orElseThrow());
        assertThat(q).containsKey("code");
        JsonNode token = assertNoStoreJson(redeem(q.get("code")), 200);
        assertThat(token.get("scope").asText()).isEqualTo(scope);
        assertThat(SignedJWT.parse(token.get("access_token").asText()).getJWTClaimsSet().getAudience()).containsExactly(FHIR);
        // a refresh keeps the FHIR audience and may narrow under what was granted, never widen
        String refresh = token.get("refresh_token").asText();
        JsonNode narrowed = assertNoStoreJson(f.server.postForm("/token", "grant_type=refresh_token&client_id=smart-app&refresh_token="
                + form(refresh) + "&scope=" + form("patient/Condition.r")), 200);
        assertThat(narrowed.get("scope").asText()).isEqualTo("patient/Condition.r");
        assertThat(SignedJWT.parse(narrowed.get("access_token").asText()).getJWTClaimsSet().getAudience()).containsExactly(FHIR);
        assertError(f.server.postForm("/token", "grant_type=refresh_token&client_id=smart-app&refresh_token="
                + form(narrowed.get("refresh_token").asText()) + "&scope=" + form("patient/Encounter.rs")), 400, "invalid_scope");
    }

    @Test
    void otherConfiguredFhirBaseThenTokenAimedAtThatOne() throws Exception {
        HttpResponse<String> done = signInAndApprove(new Agent(), smartRequest("patient/*.rs", OTHER_FHIR));
        Map<String, String> q = Agent.query(done.headers().firstValue("location").orElseThrow());
        JsonNode token = assertNoStoreJson(redeem(q.get("code")), 200);
        assertThat(SignedJWT.parse(token.get("access_token").asText()).getJWTClaimsSet().getAudience()).containsExactly(OTHER_FHIR);
    }

    @Test
    void pushedRequestCarriesAud() throws Exception {
        Map<String, String> p = smartRequest("patient/*.rs", FHIR);
        HttpResponse<String> pushed = f.server.postForm("/par", SignInFixture.form(p));
        assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(201);
        String requestUri = dev.latch.server.OAuthResponses.json(pushed).get("request_uri").asText();
        Map<String, String> byReference = new LinkedHashMap<>(Map.of("client_id", "smart-app", "request_uri", requestUri));
        Map<String, String> q = Agent.query(signInAndApprove(new Agent(), byReference).headers().firstValue("location").orElseThrow());
        JsonNode token = assertNoStoreJson(redeem(q.get("code")), 200);
        assertThat(SignedJWT.parse(token.get("access_token").asText()).getJWTClaimsSet().getAudience()).containsExactly(FHIR);

        // a pushed request with a wrong aud is refused when pushed
        HttpResponse<String> wrong = f.server.postForm("/par", SignInFixture.form(smartRequest("patient/*.rs", "https://evil.example/fhir")));
        assertError(wrong, 400, "invalid_request");
        HttpResponse<String> missing = f.server.postForm("/par", SignInFixture.form(smartRequest("patient/*.rs", null)));
        assertError(missing, 400, "invalid_request");
    }

    /** A user whose health-record identity is {@code Practitioner/123}. */
    static String practitioner() {
        String name = "smart-doc" + USERS.incrementAndGet();
        User added = f.users.add(name, SignInFixture.PASSWORD, f.hasher);
        f.users.update(new User(added.subject(), added.username(), added.claims(), added.roles(), added.passwordHash(), true, 0, 0,
                "Practitioner/123"));
        return name;
    }

    static String claim(String jwt, String name) throws Exception {
        return (String) SignedJWT.parse(jwt).getJWTClaimsSet().getClaim(name);
    }

    @Test
    void fhirUserScopeWithFhirAudThenAbsoluteFhirUserInIdTokenAccessTokenAndUserinfo() throws Exception {
        HttpResponse<String> done = signInAndApprove(new Agent(), smartRequest("openid fhirUser patient/*.rs", FHIR), practitioner());
        JsonNode token = assertNoStoreJson(redeem(Agent.query(done.headers().firstValue("location").orElseThrow()).get("code")), 200);
        assertThat(claim(token.get("id_token").asText(), "fhirUser")).isEqualTo(FHIR + "/Practitioner/123");
        assertThat(claim(token.get("access_token").asText(), "fhirUser")).isEqualTo(FHIR + "/Practitioner/123");
        JsonNode userinfo = dev.latch.server.OAuthResponses.json(f.server.get(f.server.url("/userinfo"),
                "Authorization", "Bearer " + token.get("access_token").asText()));
        assertThat(userinfo.get("fhirUser").asText()).isEqualTo(FHIR + "/Practitioner/123");
    }

    @Test
    void fhirUserScopeWithoutFhirAudThenRelativeReference() throws Exception {
        HttpResponse<String> done = signInAndApprove(new Agent(), smartRequest("openid fhirUser", null), practitioner());
        JsonNode token = assertNoStoreJson(redeem(Agent.query(done.headers().firstValue("location").orElseThrow()).get("code")), 200);
        assertThat(claim(token.get("id_token").asText(), "fhirUser")).isEqualTo("Practitioner/123");
    }

    @Test
    void withoutFhirUserScopeThenNoFhirUserClaim() throws Exception {
        HttpResponse<String> done = signInAndApprove(new Agent(), smartRequest("openid patient/*.rs", FHIR), practitioner());
        JsonNode token = assertNoStoreJson(redeem(Agent.query(done.headers().firstValue("location").orElseThrow()).get("code")), 200);
        assertThat(claim(token.get("id_token").asText(), "fhirUser")).isNull();
        assertThat(claim(token.get("access_token").asText(), "fhirUser")).isNull();
    }
}
