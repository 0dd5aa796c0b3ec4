package dev.latch.server.smart;

import static dev.latch.server.OAuthResponses.basic;
import static dev.latch.server.OAuthResponses.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.core.pkce.Pkce;
import dev.latch.server.OAuthResponses;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import dev.latch.server.signin.Agent;
import dev.latch.server.signin.SignInFixture;
import dev.latch.server.user.User;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A Latch serving SMART for one FHIR server (a {@link FhirStub} as its upstream), with an EHR system
 * client ({@code ehr}: client credentials, {@code smart.launch}), SMART apps with launch URLs and
 * users who sign in.
 */
final class SmartFixture implements AutoCloseable {

    static final String BASE = "https://fhir.example/r4";
    static final String CALLBACK = "https://app.example/cb";
    static final String LAUNCH_URI = "https://app.example/launch";
    static final String VERIFIER = "smart-app-verifier-0123456789-abcdefghijklmnopqrstuvwxyz";
    static final String APP_SCOPES = "openid fhirUser launch launch/patient launch/encounter patient/Patient.rs patient/Observation.rs offline_access";

    final FhirStub fhir = new FhirStub()
            .patient("p1", "Amy", "Shaw", "1987-02-20", "female")
            .patient("p2", "Bert", "Smith", "1950-11-02", "male")
            .patient("p3", "Carla", "Smithers", "2001-05-17", "female")
            .encounter("e1", "p2", "Check-up", "2024-03-01T09:00:00Z")
            .encounter("e2", "p2", "Emergency", "2024-06-11T22:15:00Z");
    final SignInFixture f;

    SmartFixture() {
        f = new SignInFixture(CALLBACK, Map.of("smart.fhir-servers.0.base", BASE, "smart.fhir-servers.0.upstream", fhir.upstream()));
        f.addClient(new Client.Builder().clientId("ehr").scope("smart.launch").tokenEndpointAuthMethod(Client.BASIC)
                .grantTypes(List.of("client_credentials")).build());
        f.addClient(new Client.Builder().clientId("ehr-no-launch").scope("system/Patient.rs").tokenEndpointAuthMethod(Client.BASIC)
                .grantTypes(List.of("client_credentials")).build());
        f.addClient(app("app").build());
        f.addClient(app("other-app").build());
        f.addClient(app("opaque-app").accessTokenFormat("opaque").build());
        f.addClient(app("no-launch-uri").initiateLoginUri(null).build());
        f.addClient(app("no-launch-scope").scope("openid patient/Patient.rs").build());
    }

    static Client.Builder app(String clientId) {
        return new Client.Builder().clientId(clientId).clientName("SMART App " + clientId).scope(APP_SCOPES)
                .tokenEndpointAuthMethod(Client.BASIC).grantTypes(List.of("authorization_code", "refresh_token"))
                .redirectUris(List.of(CALLBACK)).initiateLoginUri(LAUNCH_URI).refreshTokens(true);
    }

    TestServer server() {
        return f.server;
    }

    /** An access token of {@code clientId} by client credentials. */
    String systemToken(String clientId, String scope) {
        HttpResponse<String> r = f.server.postForm("/token", "grant_type=client_credentials&scope=" + form(scope),
                "Authorization", basic(clientId, SignInFixture.SECRET));
        return OAuthResponses.assertNoStoreJson(r, 200).path("access_token").asText();
    }

    String ehrToken() {
        return systemToken("ehr", "smart.launch");
    }

    HttpResponse<String> postLaunch(String token, String contentType, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(f.server.url("/smart/launch")))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) b.header("Content-Type", contentType);
        if (token != null) b.header("Authorization", "Bearer " + token);
        return TestServer.send(b.build());
    }

    /** Creates a launch as the EHR does; returns the launch value. */
    String launch(String json) {
        HttpResponse<String> r = postLaunch(ehrToken(), "application/json", json);
        return OAuthResponses.assertNoStoreJson(r, 201).path("launch").asText();
    }

    /** An authorization request of {@code clientId} asking {@code scope}, with PKCE; {@code extra} are name, value pairs. */
    static Map<String, String> request(String clientId, String scope, String... extra) {
        Map<String, String> p = new LinkedHashMap<>(SignInFixture.request(clientId, CALLBACK));
        p.put("scope", scope);
        p.put("code_challenge", Pkce.s256(VERIFIER));
        for (int i = 0; i < extra.length; i += 2) {
            p.put(extra[i], extra[i + 1]);
        }
        return p;
    }

    /** Opens the authorization request and signs {@code user} in; returns the answer to the login form. */
    HttpResponse<String> signIn(Agent agent, Map<String, String> request, String user) {
        HttpResponse<String> page = agent.get(f.authorizeUrl(request));
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        return login(agent, page, user);
    }

    HttpResponse<String> login(Agent agent, HttpResponse<String> loginPage, String user) {
        assertThat(loginPage.body()).contains("name=\"password\"");
        return agent.post(f.server.url("/authorize/login"), "interaction=" + Agent.field(loginPage.body(), "interaction") + "&csrf="
                + Agent.field(loginPage.body(), "csrf") + "&username=" + user + "&password=" + form(SignInFixture.PASSWORD));
    }

    HttpResponse<String> approve(Agent agent, HttpResponse<String> consentPage) {
        assertThat(consentPage.body()).as(consentPage.body()).contains("wants to access your account");
        return agent.post(f.server.url("/authorize/consent"), "interaction=" + Agent.field(consentPage.body(), "interaction")
                + "&csrf=" + Agent.field(consentPage.body(), "csrf") + "&decision=approve");
    }

    /** The query of a redirect to the client's callback. */
    static Map<String, String> callback(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
        String location = r.headers().firstValue("location").orElseThrow();
        assertThat(location).startsWith(CALLBACK + "?");
        return Agent.query(location);
    }

    /** Redeems {@code code} for {@code clientId}; returns the token response. */
    JsonNode exchange(String clientId, String code) {
        HttpResponse<String> r = f.server.postForm("/token", "grant_type=authorization_code&code=" + form(code) + "&redirect_uri="
                + form(CALLBACK) + "&code_verifier=" + VERIFIER, "Authorization", basic(clientId, SignInFixture.SECRET));
        return OAuthResponses.assertNoStoreJson(r, 200);
    }

    /** A user who signs in with {@link SignInFixture#PASSWORD}, with a {@code fhirUser} (or null) and roles. */
    String user(String fhirUser, String... roles) {
        String name = "u" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("name", name);
        f.users.insert(new User(UUID.randomUUID().toString(), name, claims, List.of(roles), f.hasher.hash(SignInFixture.PASSWORD.toCharArray()),
                true, 0, 0, fhirUser));
        return name;
    }

    @Override
    public void close() {
        try {
            f.close();
        } finally {
            fhir.close();
        }
    }
}
