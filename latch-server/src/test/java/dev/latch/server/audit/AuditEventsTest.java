package dev.latch.server.audit;

import static dev.latch.server.OAuthResponses.basic;
import static dev.latch.server.OAuthResponses.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.server.LogCapture;
import dev.latch.server.TestServer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The audit line itself (schema, escaping, caps, levels) and the token endpoint's events; the other
 * event families are checked where their flows are tested (sign-in, consent and authorization codes in
 * AuthorizationEndpointTest, refresh reuse in RefreshTokenGrantTest, code replay in
 * AuthorizationCodeGrantTest, logout in LogoutEndpointTest, registration in RegistrationTest, revocation
 * in RevocationTest, SMART in LaunchEndpointTest and StandaloneLaunchTest, the CLI's in latch-cli's
 * AuditCommandsTest).
 */
class AuditEventsTest {

    static TestServer server;
    static String secret;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        secret = server.basicClient("audited", "read write").clientSecret();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void tokenIssuedThenOneSuccessLineWithClientGrantMethodScopeAndTheTokensJti() throws Exception {
        try (LogCapture log = LogCapture.start()) {
            String token = json(server.postForm("/token", "grant_type=client_credentials&scope=read", "Authorization",
                    basic("audited", secret))).path("access_token").asText();
            JsonNode e = log.audit("token.issue").getFirst();
            assertThat(e.path("outcome").asText()).isEqualTo("success");
            assertThat(e.path("source").asText()).isEqualTo("server");
            assertThat(e.path("ip").asText()).isEqualTo("127.0.0.1");
            assertThat(e.path("client_id").asText()).isEqualTo("audited");
            assertThat(e.path("grant_type").asText()).isEqualTo("client_credentials");
            assertThat(e.path("auth_method").asText()).isEqualTo("client_secret_basic");
            assertThat(e.path("scope").asText()).isEqualTo("read");
            assertThat(e.path("jti").asText()).isEqualTo(SignedJWT.parse(token).getJWTClaimsSet().getJWTID());
            assertThat(e.has("user")).as("a client-credentials token is the client's own").isFalse();
            assertThat(e.has("error")).isFalse();
        }
    }

    @Test
    void anAssertionThatIsNotAJwtIsRefusedAsInvalidClientAndAuditedWithoutAClient() {
        // a header and claims set that are the JSON null: Nimbus throws NullPointerException on it
        for (String assertion : List.of("bnVsbA.bnVsbA.c2ln", "bnVsbA.e30.c2ln", "not-a-jwt")) {
            try (LogCapture log = LogCapture.start()) {
                var r = server.postForm("/token", "grant_type=client_credentials&client_assertion_type="
                        + "urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=" + assertion);
                assertThat(r.statusCode()).as(assertion + ": " + r.body()).isEqualTo(401);
                assertThat(json(r).path("error").asText()).isEqualTo("invalid_client");
                JsonNode e = log.audit("token.issue").getFirst();
                assertThat(e.path("outcome").asText()).isEqualTo("failure");
                assertThat(e.has("client_id")).isFalse();
            }
        }
    }

    @Test
    void tokenRefusedThenFailureLineWithRfcErrorReasonAndTheClientClaimed() {
        try (LogCapture log = LogCapture.start()) {
            server.postForm("/token", "grant_type=client_credentials", "Authorization", basic("audited", "wrong-" + secret));
            server.postForm("/token", "grant_type=client_credentials&scope=admin", "Authorization", basic("audited", secret));
            server.postForm("/token", "grant_type=urn:example:unknown&client_id=audited");
            List<JsonNode> refused = log.audit("token.issue");
            assertThat(refused).hasSize(3).allSatisfy(e -> assertThat(e.path("outcome").asText()).isEqualTo("failure"));
            assertThat(refused.get(0).path("error").asText()).isEqualTo("invalid_client");
            assertThat(refused.get(0).path("client_id").asText()).as("the Basic user, unverified").isEqualTo("audited");
            assertThat(refused.get(0).path("reason").asText()).contains("wrong secret");
            assertThat(refused.get(1).path("error").asText()).isEqualTo("invalid_scope");
            assertThat(refused.get(1).path("auth_method").asText()).isEqualTo("client_secret_basic");
            assertThat(refused.get(1).path("reason").asText()).contains("admin");
            assertThat(refused.get(2).path("error").asText()).isEqualTo("unsupported_grant_type");
            assertThat(refused.get(2).path("grant_type").asText()).isEqualTo("urn:example:unknown");
            assertThat(log.text()).doesNotContain(secret);
        }
    }

    @Test
    void lineHasTheSchemasOrderAndLeavesNullsOut() {
        String line = Audit.success(AuditEvent.CLIENT_CREATE).cli().client("svc").scope(null).count(2)
                .json(Instant.parse("2026-12-07T08:00:00Z"));
        assertThat(line).isEqualTo("{\"ts\":\"2026-12-07T08:00:00.000Z\",\"event\":\"client.create\",\"outcome\":\"success\","
                + "\"source\":\"cli\",\"actor\":\"" + System.getProperty("user.name") + "\",\"client_id\":\"svc\",\"count\":2}");
    }

    @Test
    void valueWhenItHoldsLineBreaksQuotesOrIsLongThenEscapedAndCapped() throws Exception {
        String forged = "alice\"}\n{\"event\":\"signin\",\"outcome\":\"success\"";
        String line = Audit.failure(AuditEvent.SIGNIN).username(forged + "x".repeat(1000)).json(Instant.now());
        assertThat(line).doesNotContain("\n");
        JsonNode parsed = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
        assertThat(parsed.path("username").asText()).startsWith(forged).endsWith("…").hasSize(Audit.MAX_VALUE + 1);
        assertThat(parsed.path("event").asText()).isEqualTo("signin");
        assertThat(parsed.path("outcome").asText()).isEqualTo("failure");
    }

    @Test
    void valueWhenNotAsciiThenKeptAsItIsAndTimeHasItsMilliseconds() throws Exception {
        String line = Audit.success(AuditEvent.SIGNIN).username("zoë 山田").json(Instant.parse("2026-12-07T23:59:59.007Z"));
        JsonNode parsed = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
        assertThat(parsed.path("username").asText()).isEqualTo("zoë 山田");
        assertThat(parsed.path("ts").asText()).isEqualTo("2026-12-07T23:59:59.007Z");
        assertThat(Audit.success(AuditEvent.SIGNIN).json(Instant.parse("2026-12-08T00:00:00.120Z"))).startsWith("{\"ts\":\"2026-12-08T00:00:00.120Z\"");
    }

    @Test
    void alarmsAreWarningsAndTheRestInfo() {
        try (LogCapture log = LogCapture.start()) {
            Audit.failure(AuditEvent.REFRESH_REUSE).client("c").write();
            Audit.success(AuditEvent.LOGOUT).user("u").write();
            assertThat(log.lines()).anyMatch(l -> l.startsWith("latch.audit WARN {") && l.contains("\"refresh.reuse\""))
                    .anyMatch(l -> l.startsWith("latch.audit INFO {") && l.contains("\"logout\""));
        }
        assertThat(AuditEvent.REFRESH_REUSE.alarm()).isTrue();
        assertThat(AuditEvent.CODE_REPLAY.alarm()).isTrue();
        assertThat(List.of(AuditEvent.values()).stream().filter(AuditEvent::alarm)).hasSize(2);
    }
}
