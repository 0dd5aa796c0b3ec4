package dev.latch.smarttest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.core.pkce.Pkce;
import dev.latch.server.TestServer;
import dev.latch.server.signin.Agent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The SMART App Launch 2.2 checks of the Inferno SMART App Launch test kit (STU2.2 suite), walked against
 * examples/smart/run.sh from outside: discovery, standalone and EHR launch, the token endpoint's refusals,
 * refresh, introspection and the FHIR front (issue 12). Each test is named after the check it makes
 * (Inferno's wording where it has one); the names and results are also written to
 * {@code target/smart-conformance.md}.
 */
@ExtendWith(SmartConformanceTest.Report.class)
@DisplayName("SMART App Launch 2.2 conformance")
class SmartConformanceTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String PUBLIC_APP = "sample-smart-app";
    static final String CONFIDENTIAL_APP = "sample-confidential-app";
    static final String SCOPE = "launch/patient openid fhirUser offline_access patient/*.rs";
    static final String OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris";

    final SmartStack stack = SmartStack.get();

    @Nested
    @DisplayName("Discovery")
    class Discovery {

        @Test
        @DisplayName("FHIR server makes SMART configuration available from well-known endpoint")
        void wellKnownEndpoint() {
            HttpResponse<String> r = get(stack.fhirBase + "/.well-known/smart-configuration");

            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
            assertThat(json(r).isObject()).isTrue();
        }

        @Test
        @DisplayName("Well-known configuration contains required fields")
        void requiredFields() {
            JsonNode config = smartConfiguration();

            assertThat(config.path("issuer").asText()).isEqualTo(stack.issuer);
            assertThat(config.path("jwks_uri").asText()).startsWith(stack.issuer);
            assertThat(config.path("authorization_endpoint").asText()).isEqualTo(stack.issuer + "/authorize");
            assertThat(config.path("token_endpoint").asText()).isEqualTo(stack.issuer + "/token");
            assertThat(strings(config.path("grant_types_supported"))).contains("authorization_code", "refresh_token");
            assertThat(strings(config.path("code_challenge_methods_supported"))).containsExactly("S256");
            assertThat(config.path("introspection_endpoint").asText()).isEqualTo(stack.issuer + "/introspect");
            assertThat(config.path("revocation_endpoint").asText()).isEqualTo(stack.issuer + "/revoke");
            assertThat(config.path("management_endpoint").asText()).isEqualTo(stack.issuer + "/account/apps");
            assertThat(strings(config.path("capabilities"))).contains("launch-ehr", "launch-standalone", "client-public",
                    "client-confidential-symmetric", "context-ehr-patient", "context-standalone-patient", "sso-openid-connect",
                    "permission-offline", "permission-patient", "permission-v2");
        }

        @Test
        @DisplayName("Conformance/CapabilityStatement provides OAuth 2.0 endpoints")
        void capabilityStatementOAuthUris() {
            Map<String, String> uris = oauthUris();

            assertThat(uris).containsKeys("authorize", "token");
        }

        @Test
        @DisplayName("OAuth 2.0 Endpoints in the conformance statement match those from the well-known configuration")
        void capabilityStatementMatchesWellKnown() {
            JsonNode config = smartConfiguration();
            Map<String, String> uris = oauthUris();

            assertThat(uris.get("authorize")).isEqualTo(config.path("authorization_endpoint").asText());
            assertThat(uris.get("token")).isEqualTo(config.path("token_endpoint").asText());
            if (uris.containsKey("introspect")) assertThat(uris.get("introspect")).isEqualTo(config.path("introspection_endpoint").asText());
            if (uris.containsKey("revoke")) assertThat(uris.get("revoke")).isEqualTo(config.path("revocation_endpoint").asText());
            assertThat(uris.get("manage")).isEqualTo(config.path("management_endpoint").asText());
        }
    }

    @Nested
    @DisplayName("Authorization request")
    class AuthorizationRequest {

        @Test
        @DisplayName("Authorization request without PKCE is refused (error redirect, no code)")
        void withoutPkceRefused() {
            Map<String, String> p = standaloneRequest(PUBLIC_APP, Pkce.create());
            p.remove("code_challenge");
            p.remove("code_challenge_method");

            assertRefusedAtRedirect(new Agent().get(authorizeUrl(p)), p.get("state"), "invalid_request");
        }

        @Test
        @DisplayName("Authorization request with code_challenge_method=plain is refused")
        void plainRefused() {
            String verifier = Pkce.create().verifier();
            Map<String, String> p = standaloneRequest(PUBLIC_APP, Pkce.create());
            p.put("code_challenge", verifier);
            p.put("code_challenge_method", "plain");

            assertRefusedAtRedirect(new Agent().get(authorizeUrl(p)), p.get("state"), "invalid_request");
        }

        @Test
        @DisplayName("Confidential client: authorization request without PKCE is refused")
        void confidentialWithoutPkceRefused() {
            Map<String, String> p = standaloneRequest(CONFIDENTIAL_APP, Pkce.create());
            p.remove("code_challenge");
            p.remove("code_challenge_method");

            assertRefusedAtRedirect(new Agent().get(authorizeUrl(p)), p.get("state"), "invalid_request");
        }

        @Test
        @DisplayName("Authorization request with an invalid aud is refused (no code)")
        void invalidAudRefused() {
            Map<String, String> p = standaloneRequest(PUBLIC_APP, Pkce.create());
            p.put("aud", "https://not-this-server.example/fhir");

            assertRefusedAtRedirect(new Agent().get(authorizeUrl(p)), p.get("state"), "invalid_request");
        }

        @Test
        @DisplayName("Authorization request with an unknown client_id shows an error page, not a redirect")
        void unknownClientErrorPage() {
            Map<String, String> p = standaloneRequest(PUBLIC_APP, Pkce.create());
            p.put("client_id", "no-such-client");

            HttpResponse<String> r = new Agent().get(authorizeUrl(p));

            assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
            assertThat(r.headers().firstValue("location")).isEmpty();
            assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        }
    }

    @Nested
    @DisplayName("Standalone launch")
    class StandaloneLaunch {

        @Test
        @DisplayName("OAuth server sends code parameter (and the app's state)")
        void codeReceived() {
            Pkce pkce = Pkce.create();
            Map<String, String> p = standaloneRequest(PUBLIC_APP, pkce);

            Map<String, String> q = signInAndApprove(p, "amy");

            assertThat(q).containsKey("code").doesNotContainKey("error");
            assertThat(q.get("state")).isEqualTo(p.get("state"));
        }

        @Test
        @DisplayName("OAuth token exchange request succeeds when supplied correct information")
        void tokenExchangeSucceeds() {
            Pkce pkce = Pkce.create();
            String code = code(PUBLIC_APP, pkce, "amy");

            HttpResponse<String> r = exchange(PUBLIC_APP, code, pkce.verifier());

            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }

        @Test
        @DisplayName("Token exchange response body contains required information encoded in JSON")
        void tokenResponseBody() {
            JsonNode tokens = standaloneTokens(PUBLIC_APP, "amy");

            assertTokenResponseFields(tokens);
            assertThat(tokens.path("patient").asText()).isEqualTo("p1");
            assertThat(scopes(tokens)).contains("launch/patient", "openid", "fhirUser", "offline_access", "patient/*.rs");
            assertThat(tokens.path("id_token").asText()).isNotEmpty();
            assertThat(tokens.path("refresh_token").asText()).isNotEmpty();
        }

        @Test
        @DisplayName("Response includes correct HTTP Cache-Control and Pragma headers")
        void tokenResponseHeaders() {
            Pkce pkce = Pkce.create();
            HttpResponse<String> r = exchange(PUBLIC_APP, code(PUBLIC_APP, pkce, "amy"), pkce.verifier());

            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertNoStoreNoCache(r);
            assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        }

        @Test
        @DisplayName("ID token is signed by the issuer and names the user in fhirUser")
        void idTokenFhirUser() throws Exception {
            JsonNode tokens = standaloneTokens(PUBLIC_APP, "amy");

            JWTClaimsSet id = SignedJWT.parse(tokens.path("id_token").asText()).getJWTClaimsSet();
            assertThat(id.getIssuer()).isEqualTo(stack.issuer);
            assertThat(id.getAudience()).contains(PUBLIC_APP);
            assertThat(id.getSubject()).isNotEmpty();
            assertThat(id.getStringClaim("fhirUser")).isEqualTo(stack.fhirBase + "/Patient/p1");
        }

        @Test
        @DisplayName("FHIR resource representing the current user can be retrieved")
        void fhirUserRetrieved() throws Exception {
            JsonNode tokens = standaloneTokens(PUBLIC_APP, "amy");
            String fhirUser = SignedJWT.parse(tokens.path("id_token").asText()).getJWTClaimsSet().getStringClaim("fhirUser");

            HttpResponse<String> r = fhirGet(fhirUser, tokens.path("access_token").asText());

            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(json(r).path("resourceType").asText()).isEqualTo("Patient");
            assertThat(json(r).path("id").asText()).isEqualTo("p1");
        }
    }

    @Nested
    @DisplayName("Token endpoint refusals")
    class TokenRefusals {

        @Test
        @DisplayName("OAuth token exchange fails when supplied invalid code")
        void invalidCode() {
            HttpResponse<String> r = exchange(PUBLIC_APP, "not-a-code-" + UUID.randomUUID(), Pkce.create().verifier());

            assertError(r, 400, "invalid_grant");
        }

        @Test
        @DisplayName("OAuth token exchange fails when supplied invalid code_verifier")
        void invalidCodeVerifier() {
            Pkce pkce = Pkce.create();
            String code = code(PUBLIC_APP, pkce, "amy");

            HttpResponse<String> r = exchange(PUBLIC_APP, code, Pkce.create().verifier());

            assertError(r, 400, "invalid_grant");
        }

        @Test
        @DisplayName("OAuth token exchange fails when supplied invalid client ID")
        void unknownClientId() {
            Pkce pkce = Pkce.create();
            String code = code(PUBLIC_APP, pkce, "amy");

            HttpResponse<String> r = exchange("no-such-client", code, pkce.verifier());

            // RFC 6749 §5.2: an unknown client fails client authentication
            assertError(r, 401, "invalid_client");
        }

        @Test
        @DisplayName("OAuth token exchange fails when the code was issued to another client")
        void anotherClientsCode() {
            Pkce pkce = Pkce.create();
            String code = code(CONFIDENTIAL_APP, pkce, "amy");

            HttpResponse<String> r = exchange(PUBLIC_APP, code, pkce.verifier());

            assertError(r, 400, "invalid_grant");
        }

        @Test
        @DisplayName("Confidential client: token exchange fails with a wrong client secret")
        void wrongSecret() {
            Pkce pkce = Pkce.create();
            String code = code(CONFIDENTIAL_APP, pkce, "amy");

            HttpResponse<String> r = post(stack.issuer + "/token", codeForm(code, pkce.verifier()),
                    "Authorization", basic(CONFIDENTIAL_APP, "not-the-secret"));

            assertError(r, 401, "invalid_client");
        }
    }

    @Nested
    @DisplayName("Token refresh")
    class TokenRefresh {

        @Test
        @DisplayName("Server successfully refreshes the access token when optional scope parameter omitted")
        void refreshSucceeds() {
            JsonNode tokens = standaloneTokens(PUBLIC_APP, "amy");

            HttpResponse<String> r = refresh(PUBLIC_APP, tokens.path("refresh_token").asText());

            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(json(r).path("access_token").asText()).isNotEqualTo(tokens.path("access_token").asText());
        }

        @Test
        @DisplayName("Token refresh response contains all required fields")
        void refreshResponseFields() {
            JsonNode tokens = standaloneTokens(PUBLIC_APP, "amy");

            HttpResponse<String> r = refresh(PUBLIC_APP, tokens.path("refresh_token").asText());

            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertNoStoreNoCache(r);
            JsonNode refreshed = json(r);
            assertTokenResponseFields(refreshed);
            assertThat(scopes(refreshed)).containsExactlyInAnyOrderElementsOf(scopes(tokens));
            assertThat(refreshed.path("patient").asText()).isEqualTo("p1");
        }

        @Test
        @DisplayName("Confidential client: refresh with client_secret_basic succeeds")
        void confidentialRefresh() {
            JsonNode tokens = standaloneTokens(CONFIDENTIAL_APP, "amy");

            HttpResponse<String> r = refresh(CONFIDENTIAL_APP, tokens.path("refresh_token").asText());

            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertTokenResponseFields(json(r));
        }

        @Test
        @DisplayName("Token refresh fails when supplied an invalid refresh token")
        void invalidRefreshToken() {
            HttpResponse<String> r = refresh(PUBLIC_APP, "not-a-refresh-token-" + UUID.randomUUID());

            assertError(r, 400, "invalid_grant");
        }
    }

    @Nested
    @DisplayName("Token introspection")
    class Introspection {

        @Test
        @DisplayName("Token introspection response for an active token contains required fields")
        void activeToken() throws Exception {
            JsonNode tokens = standaloneTokens(CONFIDENTIAL_APP, "amy");
            JWTClaimsSet id = SignedJWT.parse(tokens.path("id_token").asText()).getJWTClaimsSet();

            HttpResponse<String> r = introspect(tokens.path("access_token").asText());

            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertNoStoreNoCache(r);
            JsonNode in = json(r);
            assertThat(in.path("active").isBoolean() && in.path("active").asBoolean()).as(r.body()).isTrue();
            assertThat(List.of(in.path("scope").asText().split(" "))).containsExactlyInAnyOrderElementsOf(scopes(tokens));
            assertThat(in.path("client_id").asText()).isEqualTo(CONFIDENTIAL_APP);
            assertThat(in.path("exp").isIntegralNumber()).as(r.body()).isTrue();
            assertThat(in.path("exp").asLong()).isGreaterThan(System.currentTimeMillis() / 1000);
            assertThat(in.path("patient").asText()).isEqualTo("p1");
            // SMART 2.2 §Token Introspection: iss and sub of the id_token when openid was granted, fhirUser with fhirUser
            assertThat(in.path("iss").asText()).as(r.body()).isEqualTo(id.getIssuer());
            assertThat(in.path("sub").asText()).as(r.body()).isEqualTo(id.getSubject());
            assertThat(in.path("fhirUser").asText()).as(r.body()).isEqualTo(id.getStringClaim("fhirUser"));
        }

        @Test
        @DisplayName("Token introspection response for an invalid token contains required fields")
        void invalidToken() {
            HttpResponse<String> r = introspect("not-a-token-" + UUID.randomUUID());

            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(json(r)).isEqualTo(JSON.createObjectNode().put("active", false));
        }

        @Test
        @DisplayName("Token introspection of a revoked token answers active false only")
        void revokedToken() {
            JsonNode tokens = standaloneTokens(CONFIDENTIAL_APP, "amy");
            revoke(tokens.path("access_token").asText());

            HttpResponse<String> r = introspect(tokens.path("access_token").asText());

            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(json(r)).isEqualTo(JSON.createObjectNode().put("active", false));
        }
    }

    @Nested
    @DisplayName("FHIR front")
    class FhirFront {

        @Test
        @DisplayName("Access token reads the launch patient through the FHIR front")
        void readsLaunchPatient() {
            JsonNode tokens = standaloneTokens(PUBLIC_APP, "amy");

            HttpResponse<String> r = fhirGet(stack.fhirBase + "/Patient/p1", tokens.path("access_token").asText());

            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(json(r).path("id").asText()).isEqualTo("p1");
        }

        @Test
        @DisplayName("Access token cannot read another patient (403 OperationOutcome)")
        void anotherPatientForbidden() {
            JsonNode tokens = standaloneTokens(PUBLIC_APP, "amy");

            HttpResponse<String> r = fhirGet(stack.fhirBase + "/Patient/p2", tokens.path("access_token").asText());

            assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
            assertThat(json(r).path("resourceType").asText()).isEqualTo("OperationOutcome");
        }

        @Test
        @DisplayName("Revoked access token is refused by the FHIR front (401)")
        void revokedRefused() {
            JsonNode tokens = standaloneTokens(PUBLIC_APP, "amy");
            String at = tokens.path("access_token").asText();
            assertThat(fhirGet(stack.fhirBase + "/Patient/p1", at).statusCode()).isEqualTo(200);

            HttpResponse<String> revoked = post(stack.issuer + "/revoke", "token=" + form(at) + "&client_id=" + PUBLIC_APP);
            assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);

            HttpResponse<String> r = fhirGet(stack.fhirBase + "/Patient/p1", at);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
            assertThat(json(r).path("resourceType").asText()).isEqualTo("OperationOutcome");
        }
    }

    @Nested
    @DisplayName("EHR launch")
    class EhrLaunch {

        @Test
        @DisplayName("EHR launch: the token response carries the launch's patient")
        void ehrLaunchPatient() {
            String launch = createLaunch("p1");
            Pkce pkce = Pkce.create();

            Map<String, String> q = signInAndApprove(ehrRequest(launch, pkce), "dr.smith");
            HttpResponse<String> r = exchange(PUBLIC_APP, q.get("code"), pkce.verifier());

            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode tokens = json(r);
            assertTokenResponseFields(tokens);
            assertThat(tokens.path("patient").asText()).isEqualTo("p1");
            assertThat(fhirGet(stack.fhirBase + "/Patient/p1", tokens.path("access_token").asText()).statusCode()).isEqualTo(200);
        }

        @Test
        @DisplayName("EHR launch: a launch already used is refused")
        void launchReuseRefused() {
            String launch = createLaunch("p1");
            Pkce first = Pkce.create();
            assertThat(signInAndApprove(ehrRequest(launch, first), "dr.smith")).containsKey("code");

            Map<String, String> again = ehrRequest(launch, Pkce.create());
            assertRefusedAtRedirect(new Agent().get(authorizeUrl(again)), again.get("state"), "invalid_request");
        }
    }

    // ------------------------------------------------------------------ helpers

    JsonNode smartConfiguration() {
        HttpResponse<String> r = get(stack.fhirBase + "/.well-known/smart-configuration");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r);
    }

    /** The oauth-uris extension of the CapabilityStatement at the FHIR front, by sub-extension url. */
    Map<String, String> oauthUris() {
        HttpResponse<String> r = get(stack.fhirBase + "/metadata", "Accept", "application/fhir+json");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Map<String, String> uris = new LinkedHashMap<>();
        for (JsonNode rest : json(r).path("rest")) {
            for (JsonNode ext : rest.path("security").path("extension")) {
                if (!OAUTH_URIS.equals(ext.path("url").asText())) continue;
                for (JsonNode sub : ext.path("extension")) uris.put(sub.path("url").asText(), sub.path("valueUri").asText());
            }
        }
        assertThat(uris).as("oauth-uris extension in " + r.body()).isNotEmpty();
        return uris;
    }

    /** A standalone launch request (aud, PKCE S256, prompt=consent so offline_access is granted). */
    Map<String, String> standaloneRequest(String clientId, Pkce pkce) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("response_type", "code");
        p.put("client_id", clientId);
        p.put("redirect_uri", stack.app + "/index.html");
        p.put("scope", SCOPE);
        p.put("state", UUID.randomUUID().toString());
        p.put("aud", stack.fhirBase);
        p.put("code_challenge", pkce.challenge());
        p.put("code_challenge_method", "S256");
        p.put("prompt", "consent");
        return p;
    }

    Map<String, String> ehrRequest(String launch, Pkce pkce) {
        Map<String, String> p = standaloneRequest(PUBLIC_APP, pkce);
        p.put("scope", "launch openid fhirUser patient/*.rs");
        p.put("launch", launch);
        return p;
    }

    /** {@code POST /smart/launch} as the EHR; returns the launch value. */
    String createLaunch(String patient) {
        HttpResponse<String> token = post(stack.issuer + "/token", "grant_type=client_credentials&scope=smart.launch",
                "Authorization", basic("ehr", stack.ehrSecret));
        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
        HttpResponse<String> r = TestServer.send(HttpRequest.newBuilder(URI.create(stack.issuer + "/smart/launch"))
                .header("Authorization", "Bearer " + json(token).path("access_token").asText())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"client_id\":\"" + PUBLIC_APP + "\",\"patient\":\"" + patient + "\"}")).build());
        assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
        return json(r).path("launch").asText();
    }

    /** A code for {@code clientId} from a standalone launch that {@code user} signs in to and approves. */
    String code(String clientId, Pkce pkce, String user) {
        Map<String, String> q = signInAndApprove(standaloneRequest(clientId, pkce), user);
        assertThat(q).as(q.toString()).containsKey("code");
        return q.get("code");
    }

    /** Tokens of a standalone launch: sign in, approve, exchange. */
    JsonNode standaloneTokens(String clientId, String user) {
        Pkce pkce = Pkce.create();
        HttpResponse<String> r = exchange(clientId, code(clientId, pkce, user), pkce.verifier());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r);
    }

    /** Opens the request, signs {@code user} in and approves the consent page; returns the redirect's query. */
    Map<String, String> signInAndApprove(Map<String, String> request, String user) {
        Agent agent = new Agent();
        HttpResponse<String> page = agent.get(authorizeUrl(request));
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(page.body()).contains("name=\"password\"");
        HttpResponse<String> r = agent.post(stack.issuer + "/authorize/login", "interaction=" + Agent.field(page.body(), "interaction")
                + "&csrf=" + Agent.field(page.body(), "csrf") + "&username=" + form(user) + "&password=" + form(SmartStack.PASSWORD));
        if (r.statusCode() == 200) {
            assertThat(r.body()).as(r.body()).contains("wants to access your account");
            r = agent.post(stack.issuer + "/authorize/consent", "interaction=" + Agent.field(r.body(), "interaction")
                    + "&csrf=" + Agent.field(r.body(), "csrf") + "&decision=approve");
        }
        return redirectQuery(r);
    }

    Map<String, String> redirectQuery(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body() + "\n" + stack.logs()).isIn(302, 303);
        String location = r.headers().firstValue("location").orElseThrow();
        assertThat(location).startsWith(stack.app + "/index.html?");
        return Agent.query(location);
    }

    void assertRefusedAtRedirect(HttpResponse<String> r, String state, String error) {
        Map<String, String> q = redirectQuery(r);
        assertThat(q).as(q.toString()).doesNotContainKey("code");
        assertThat(q.get("error")).as(q.toString()).isEqualTo(error);
        assertThat(q.get("state")).isEqualTo(state);
    }

    String authorizeUrl(Map<String, String> p) {
        StringBuilder q = new StringBuilder();
        p.forEach((k, v) -> q.append(q.length() == 0 ? "" : "&").append(form(k)).append('=').append(form(v)));
        return stack.issuer + "/authorize?" + q;
    }

    String codeForm(String code, String verifier) {
        return "grant_type=authorization_code&code=" + form(code) + "&redirect_uri=" + form(stack.app + "/index.html")
                + "&code_verifier=" + form(verifier);
    }

    /** The token request of {@code clientId}: public clients name themselves, the confidential app uses Basic. */
    HttpResponse<String> exchange(String clientId, String code, String verifier) {
        return tokenRequest(clientId, codeForm(code, verifier));
    }

    HttpResponse<String> refresh(String clientId, String refreshToken) {
        return tokenRequest(clientId, "grant_type=refresh_token&refresh_token=" + form(refreshToken));
    }

    HttpResponse<String> tokenRequest(String clientId, String body) {
        if (clientId.equals(CONFIDENTIAL_APP)) {
            return post(stack.issuer + "/token", body, "Authorization", basic(CONFIDENTIAL_APP, stack.confidentialSecret));
        }
        return post(stack.issuer + "/token", body + "&client_id=" + form(clientId));
    }

    HttpResponse<String> introspect(String token) {
        return post(stack.issuer + "/introspect", "token=" + form(token), "Authorization", basic(CONFIDENTIAL_APP, stack.confidentialSecret));
    }

    void revoke(String token) {
        HttpResponse<String> r = post(stack.issuer + "/revoke", "token=" + form(token), "Authorization",
                basic(CONFIDENTIAL_APP, stack.confidentialSecret));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    HttpResponse<String> fhirGet(String url, String accessToken) {
        return get(url, "Authorization", "Bearer " + accessToken, "Accept", "application/fhir+json");
    }

    /** SMART 2.2 §"Response": access_token, token_type Bearer, expires_in, scope. */
    static void assertTokenResponseFields(JsonNode tokens) {
        assertThat(tokens.path("access_token").isTextual()).as(tokens.toString()).isTrue();
        assertThat(tokens.path("access_token").asText()).isNotEmpty();
        assertThat(tokens.path("token_type").asText()).as(tokens.toString()).isEqualToIgnoringCase("Bearer");
        assertThat(tokens.path("expires_in").isIntegralNumber()).as(tokens.toString()).isTrue();
        assertThat(tokens.path("expires_in").asLong()).isPositive();
        assertThat(tokens.path("scope").isTextual()).as(tokens.toString()).isTrue();
    }

    static void assertNoStoreNoCache(HttpResponse<String> r) {
        assertThat(r.headers().firstValue("cache-control")).as("Cache-Control").hasValueSatisfying(v -> assertThat(v).contains("no-store"));
        assertThat(r.headers().firstValue("pragma")).as("Pragma").hasValueSatisfying(v -> assertThat(v).contains("no-cache"));
    }

    static void assertError(HttpResponse<String> r, int status, String error) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(json(r).path("error").asText()).as(r.body()).isEqualTo(error);
        assertThat(r.headers().firstValue("cache-control")).as("Cache-Control").hasValueSatisfying(v -> assertThat(v).contains("no-store"));
    }

    static List<String> scopes(JsonNode tokens) {
        return List.of(tokens.path("scope").asText().split(" "));
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (" + r.statusCode() + "): " + r.body(), e);
        }
    }

    static HttpResponse<String> get(String url, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
        if (headers.length > 0) b.headers(headers);
        return TestServer.send(b.build());
    }

    static HttpResponse<String> post(String url, String form, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (headers.length > 0) b.headers(headers);
        return TestServer.send(b.build());
    }

    static String basic(String clientId, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((form(clientId) + ":" + form(secret)).getBytes(StandardCharsets.UTF_8));
    }

    static String form(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Writes target/smart-conformance.md: each check by name with its result, rewritten after every test. */
    static final class Report implements TestWatcher {
        private static final Map<String, String> RESULTS = new LinkedHashMap<>();

        @Override
        public void testSuccessful(ExtensionContext context) {
            record(context, "pass");
        }

        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            String first = Optional.ofNullable(cause.getMessage()).orElse(cause.toString()).lines().map(String::strip)
                    .filter(l -> !l.isEmpty()).findFirst().orElse(cause.getClass().getSimpleName());
            record(context, "**FAIL**: " + first.replace("|", "\\|"));
        }

        @Override
        public void testAborted(ExtensionContext context, Throwable cause) {
            record(context, "skipped");
        }

        private static synchronized void record(ExtensionContext context, String result) {
            String group = context.getParent().map(ExtensionContext::getDisplayName).orElse("");
            RESULTS.put(group + " | " + context.getDisplayName(), result);
            StringBuilder md = new StringBuilder("# SMART App Launch 2.2 conformance (SmartConformanceTest)\n\n| Group | Check | Result |\n|---|---|---|\n");
            RESULTS.forEach((check, r) -> md.append("| ").append(check).append(" | ").append(r).append(" |\n"));
            try {
                Files.writeString(Path.of("target", "smart-conformance.md"), md);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
