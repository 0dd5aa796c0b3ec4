package dev.latch.server.smart;

import static dev.latch.server.OAuthResponses.assertNoStoreJson;
import static dev.latch.server.OAuthResponses.basic;
import static dev.latch.server.OAuthResponses.form;
import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import dev.latch.server.client.StoredClient;
import dev.latch.server.secret.Secrets;
import dev.latch.server.signin.Agent;
import dev.latch.server.signin.InMemoryUsers;
import dev.latch.server.signin.SignInFixture;
import dev.latch.server.signin.TestPasswordHasher;
import dev.latch.server.storage.TestDatabase;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two Latch nodes on one PostgreSQL database: a launch created on one is honoured by the other, and of
 * two nodes approving the same launch at the same moment exactly one issues a code.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class EhrLaunchAcrossNodesOnPostgresTest {

    static TestDatabase db;
    static TestServer a;
    static TestServer b;
    static final InMemoryUsers USERS = new InMemoryUsers();
    static final TestPasswordHasher HASHER = new TestPasswordHasher();

    @BeforeAll
    static void start() {
        TestDatabase.assumePostgresReachable();
        db = TestDatabase.postgres();
        Map<String, String> settings = new HashMap<>(db.settings());
        settings.put("smart.fhir-servers.0.base", SmartFixture.BASE);
        settings.put("smart.fhir-servers.0.upstream", "http://127.0.0.1:9/fhir");
        // the nodes share the database, so they share its master key
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        settings.put("master-key", java.util.Base64.getEncoder().encodeToString(key));
        a = TestServer.start(settings, Clock.systemUTC(), s -> s.users(USERS, HASHER));
        b = TestServer.start(settings, Clock.systemUTC(), s -> s.users(USERS, HASHER));
        long now = Clock.systemUTC().instant().getEpochSecond();
        for (Client c : List.of(new Client.Builder().clientId("ehr").scope("smart.launch").tokenEndpointAuthMethod(Client.BASIC)
                .grantTypes(List.of("client_credentials")).build(), SmartFixture.app("app").build())) {
            a.clients().store().insert(new StoredClient(c, Secrets.digest(SignInFixture.SECRET), null, null, now, now));
        }
    }

    @AfterAll
    static void stop() {
        try {
            if (a != null) a.close();
            if (b != null) b.close();
        } finally {
            if (db != null) db.close();
        }
    }

    static String launchOn(TestServer node) {
        String token = assertNoStoreJson(node.postForm("/token", "grant_type=client_credentials&scope=smart.launch",
                "Authorization", basic("ehr", SignInFixture.SECRET)), 200).path("access_token").asText();
        HttpResponse<String> r = TestServer.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(node.url("/smart/launch")))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"client_id\": \"app\", \"patient\": \"p7\"}")).build());
        return assertNoStoreJson(r, 201).path("launch").asText();
    }

    /** Signs a new user in on {@code node} for the launch; returns the consent page. */
    static HttpResponse<String> consentPage(TestServer node, Agent agent, String launch) {
        String user = "n" + java.util.UUID.randomUUID().toString().substring(0, 8);
        USERS.add(user, SignInFixture.PASSWORD, HASHER);
        Map<String, String> request = SmartFixture.request("app", "openid launch", "launch", launch, "aud", SmartFixture.BASE);
        HttpResponse<String> page = agent.get(node.url("/authorize?" + SignInFixture.form(request)));
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        return agent.post(node.url("/authorize/login"), "interaction=" + Agent.field(page.body(), "interaction") + "&csrf="
                + Agent.field(page.body(), "csrf") + "&username=" + user + "&password=" + form(SignInFixture.PASSWORD));
    }

    static HttpResponse<String> approve(TestServer node, Agent agent, HttpResponse<String> consent) {
        return agent.post(node.url("/authorize/consent"), "interaction=" + Agent.field(consent.body(), "interaction")
                + "&csrf=" + Agent.field(consent.body(), "csrf") + "&decision=approve");
    }

    @Test
    void launchCreatedOnOneNodeIsUsedOnTheOtherAndThenRefusedEverywhere() {
        String launch = launchOn(a);
        Agent agent = new Agent();

        Map<String, String> q = SmartFixture.callback(approve(b, agent, consentPage(b, agent, launch)));
        String code = q.get("code");
        assertThat(assertNoStoreJson(a.postForm("/token", "grant_type=authorization_code&code=" + form(code) + "&redirect_uri="
                + form(SmartFixture.CALLBACK) + "&code_verifier=" + SmartFixture.VERIFIER, "Authorization", basic("app", SignInFixture.SECRET)), 200)
                .path("patient").asText()).isEqualTo("p7");

        Map<String, String> request = SmartFixture.request("app", "openid launch", "launch", launch, "aud", SmartFixture.BASE);
        EhrLaunchAuthorizeTest.assertRefusedAtCallback(new Agent().get(a.url("/authorize?" + SignInFixture.form(request))),
                "invalid_request", "the launch is unknown, expired, used or another application's");
    }

    @Test
    void twoNodesApprovingOneLaunchAtOnceIssueExactlyOneCode() throws Exception {
        for (int round = 0; round < 5; round++) {
            String launch = launchOn(a);
            Agent onA = new Agent();
            Agent onB = new Agent();
            HttpResponse<String> consentA = consentPage(a, onA, launch);
            HttpResponse<String> consentB = consentPage(b, onB, launch);
            var pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<HttpResponse<String>>> answers = new ArrayList<>();
                answers.add(pool.submit((Callable<HttpResponse<String>>) () -> approve(a, onA, consentA)));
                answers.add(pool.submit((Callable<HttpResponse<String>>) () -> approve(b, onB, consentB)));
                int codes = 0;
                for (Future<HttpResponse<String>> f : answers) {
                    Map<String, String> q = SmartFixture.callback(f.get());
                    if (q.containsKey("code")) codes++;
                    else assertThat(q).containsEntry("error", "invalid_request");
                }
                assertThat(codes).as("codes issued for one launch").isEqualTo(1);
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
