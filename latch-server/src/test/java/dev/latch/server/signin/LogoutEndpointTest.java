package dev.latch.server.signin;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.server.LogCapture;
import dev.latch.server.client.Client;
import dev.latch.server.code.JdbcAuthorizationCodeStore;
import dev.latch.server.keys.KeyRing;
import java.net.http.HttpResponse;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2, §3) over plain HTTP. */
class LogoutEndpointTest {

    static final String CALLBACK = "https://rp.example/cb";
    static final String AFTER = "https://rp.example/signed-out";
    static SignInFixture f;

    @BeforeAll
    static void start() {
        f = new SignInFixture(CALLBACK);
        f.addClient(new Client.Builder().clientId("rp").clientName("Relying Party").scope("openid profile")
                .tokenEndpointAuthMethod(Client.BASIC).grantTypes(List.of("authorization_code")).redirectUris(List.of(CALLBACK))
                .postLogoutRedirectUris(List.of(AFTER)).build());
        f.addClient(new Client.Builder().clientId("other").scope("openid").tokenEndpointAuthMethod(Client.BASIC)
                .grantTypes(List.of("authorization_code")).redirectUris(List.of(CALLBACK)).postLogoutRedirectUris(List.of(AFTER)).build());
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    static final java.util.concurrent.atomic.AtomicInteger USERS = new java.util.concurrent.atomic.AtomicInteger();

    record SignedIn(Agent agent, String subject, String sid) {}

    /** Signs a fresh user in to client rp and approves; {@code forget} ticks "ask me again after I sign out". */
    static SignedIn signIn(boolean forget) {
        Agent agent = new Agent();
        String user = "lo" + USERS.incrementAndGet();
        f.users.add(user, SignInFixture.PASSWORD, f.hasher);
        Map<String, String> request = SignInFixture.request("rp", CALLBACK);
        HttpResponse<String> page = agent.get(f.authorizeUrl(request));
        HttpResponse<String> consent = agent.post(f.server.url("/authorize/login"), "interaction=" + Agent.field(page.body(), "interaction")
                + "&csrf=" + Agent.field(page.body(), "csrf") + "&username=" + user + "&password=" + SignInFixture.PASSWORD.replace(" ", "+"));
        HttpResponse<String> done = agent.post(f.server.url("/authorize/consent"), "interaction=" + Agent.field(consent.body(), "interaction")
                + "&csrf=" + Agent.field(consent.body(), "csrf") + "&decision=approve" + (forget ? "&forget=yes" : ""));
        assertThat(done.statusCode()).isEqualTo(303);
        String code = Agent.query(done.headers().firstValue("location").orElseThrow()).get("code");
        var grant = new JdbcAuthorizationCodeStore(f.server.sql()).peek(code).orElseThrow();
        return new SignedIn(agent, grant.subject(), grant.sessionId());
    }

    /** An ID token as the server issues them, signed by its active RS256 key; expired an hour ago. */
    static String idToken(String subject, String sid, String... audience) {
        return signed(JOSEObjectType.JWT, f.server.issuer(), subject, sid, audience);
    }

    static String signed(JOSEObjectType type, String issuer, String subject, String sid, String... audience) {
        try {
            KeyRing.ActiveKey key = f.server.instance().keyRing().active(JWSAlgorithm.RS256);
            long now = f.clock.instant().getEpochSecond();
            JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer).subject(subject).audience(List.of(audience))
                    .claim("sid", sid).issueTime(new Date((now - 7200) * 1000)).expirationTime(new Date((now - 3600) * 1000)).build();
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(type).keyID(key.key().kid()).build(), claims);
            jwt.sign(key.signer());
            return jwt.serialize();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String logoutUrl(Map<String, String> parameters) {
        return f.server.url("/logout?" + SignInFixture.form(parameters));
    }

    static boolean sessionAlive(SignedIn s) {
        return f.server.sql().query("SELECT COUNT(*) FROM browser_sessions WHERE sid = ?", rs -> rs.getInt(1), s.sid()).get(0) == 1;
    }

    static void assertErrorPageWithoutRedirect(HttpResponse<String> r, String text) {
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("location")).isEmpty();
        assertThat(r.body()).contains("Sign-out request refused").contains(text);
    }

    @Test
    void logoutWhenExpiredIdTokenHintOfThisSessionThenSessionEndsAndRedirectsWithState() {
        SignedIn s = signIn(false);
        Map<String, String> p = new LinkedHashMap<>();
        p.put("id_token_hint", idToken(s.subject(), s.sid(), "rp"));
        p.put("post_logout_redirect_uri", AFTER);
        p.put("state", "bye-1");
        HttpResponse<String> r;
        try (LogCapture log = LogCapture.start()) {
            r = s.agent().get(logoutUrl(p));
            assertThat(log.audit("logout")).singleElement().satisfies(e -> {
                assertThat(e.path("outcome").asText()).isEqualTo("success");
                assertThat(e.path("user").asText()).isEqualTo(s.subject());
                assertThat(e.path("client_id").asText()).isEqualTo("rp");
                assertThat(e.path("ip").asText()).isEqualTo("127.0.0.1");
            });
        }
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(r.headers().firstValue("location")).contains(AFTER + "?state=bye-1");
        assertThat(r.headers().allValues("set-cookie")).anySatisfy(c -> assertThat(c).startsWith("latch_session=;").contains("Max-Age=0"));
        assertThat(sessionAlive(s)).isFalse();
        Map<String, String> silent = SignInFixture.request("rp", CALLBACK);
        silent.put("prompt", "none");
        assertThat(Agent.query(s.agent().get(f.authorizeUrl(silent)).headers().firstValue("location").orElseThrow()))
                .containsEntry("error", "login_required");
    }

    @Test
    void logoutWhenHintWasSignedByARetiredKeyThenStillAccepted() {
        SignedIn s = signIn(false);
        String hint = idToken(s.subject(), s.sid(), "rp");
        f.server.instance().keyRing().rotate(JWSAlgorithm.RS256, null, true); // the old key is withdrawn from the JWKS now
        HttpResponse<String> r = s.agent().get(logoutUrl(Map.of("id_token_hint", hint, "post_logout_redirect_uri", AFTER)));
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(r.headers().firstValue("location")).contains(AFTER);
        assertThat(sessionAlive(s)).isFalse();
    }

    @Test
    void logoutWithoutHintThenConfirmationAndWrongCsrfChangesNothing() {
        SignedIn s = signIn(false);
        HttpResponse<String> page = s.agent().get(logoutUrl(Map.of("client_id", "rp", "post_logout_redirect_uri", AFTER, "state", "s2")));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Sign out?").contains("Relying Party asks to sign you out");
        assertThat(sessionAlive(s)).isTrue();
        String fields = "client_id=rp&post_logout_redirect_uri=" + java.net.URLEncoder.encode(AFTER, java.nio.charset.StandardCharsets.UTF_8)
                + "&state=s2&confirm=yes";

        HttpResponse<String> forged = s.agent().post(f.server.url("/logout"), fields + "&csrf=forged");
        assertErrorPageWithoutRedirect(forged, "expired");
        HttpResponse<String> missing = s.agent().post(f.server.url("/logout"), fields);
        assertErrorPageWithoutRedirect(missing, "expired");
        assertThat(sessionAlive(s)).isTrue();

        HttpResponse<String> confirmed = s.agent().post(f.server.url("/logout"), fields + "&csrf=" + Agent.field(page.body(), "csrf"));
        assertThat(confirmed.statusCode()).isEqualTo(303);
        assertThat(confirmed.headers().firstValue("location")).contains(AFTER + "?state=s2");
        assertThat(sessionAlive(s)).isFalse();
    }

    @Test
    void logoutWhenHintIsForAnotherSessionThenConfirmationFirst() {
        SignedIn s = signIn(false);
        HttpResponse<String> r = s.agent().get(logoutUrl(Map.of("id_token_hint", idToken(s.subject(), "some-other-sid", "rp"))));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("Sign out?");
        assertThat(sessionAlive(s)).isTrue();
    }

    @Test
    void logoutWhenHintSignatureIsBadThenErrorPage() {
        SignedIn s = signIn(false);
        String token = idToken(s.subject(), s.sid(), "rp");
        String tampered = token.substring(0, token.lastIndexOf('.') + 1) + "AAAA" + token.substring(token.lastIndexOf('.') + 5);
        assertErrorPageWithoutRedirect(s.agent().get(logoutUrl(Map.of("id_token_hint", tampered, "post_logout_redirect_uri", AFTER))),
                "id_token_hint");
        assertErrorPageWithoutRedirect(s.agent().get(logoutUrl(Map.of("id_token_hint", "not-a-jwt"))), "id_token_hint");
        // signed by our key but an access token (RFC 9068), or from another issuer
        assertErrorPageWithoutRedirect(s.agent().get(logoutUrl(Map.of("id_token_hint",
                signed(new JOSEObjectType("at+jwt"), f.server.issuer(), s.subject(), s.sid(), "rp")))), "id_token_hint");
        assertErrorPageWithoutRedirect(s.agent().get(logoutUrl(Map.of("id_token_hint",
                signed(JOSEObjectType.JWT, "https://elsewhere.example", s.subject(), s.sid(), "rp")))), "id_token_hint");
        assertThat(sessionAlive(s)).isTrue();
    }

    @Test
    void logoutWhenClientIdIsNotTheHintsAudienceThenErrorPage() {
        SignedIn s = signIn(false);
        assertErrorPageWithoutRedirect(s.agent().get(logoutUrl(Map.of("id_token_hint", idToken(s.subject(), s.sid(), "rp"),
                "client_id", "other", "post_logout_redirect_uri", AFTER))), "audience");
        assertThat(sessionAlive(s)).isTrue();
    }

    @Test
    void postLogoutRedirectUriWithoutClientOrUnregisteredThenErrorPageNeverRedirect() {
        Agent agent = new Agent();
        assertErrorPageWithoutRedirect(agent.get(logoutUrl(Map.of("post_logout_redirect_uri", AFTER))), "identified");
        assertErrorPageWithoutRedirect(agent.get(logoutUrl(Map.of("client_id", "rp", "post_logout_redirect_uri", AFTER + "/x"))),
                "not registered");
        assertErrorPageWithoutRedirect(agent.get(logoutUrl(Map.of("client_id", "web", "post_logout_redirect_uri", AFTER))), "not registered");
        assertErrorPageWithoutRedirect(agent.get(logoutUrl(Map.of("client_id", "nobody", "post_logout_redirect_uri", AFTER))), "unknown");
        assertErrorPageWithoutRedirect(agent.get(f.server.url("/logout?client_id=rp&client_id=other")), "repeated");
    }

    @Test
    void logoutWithoutSessionOrClientThenSignedOutPage() {
        HttpResponse<String> r = new Agent().get(f.server.url("/logout"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("You are signed out");
        assertThat(r.headers().firstValue("cache-control")).contains("no-store");
    }

    @Test
    void logoutPostFromTheRpIsRepeatedAsGet() {
        HttpResponse<String> r = new Agent().post(f.server.url("/logout"), "client_id=rp&state=s3");
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(r.headers().firstValue("location")).contains(f.server.url("/logout?client_id=rp&state=s3"));
    }

    @Test
    void logoutDropsSessionBoundConsentsAndKeepsRememberedOnes() {
        SignedIn forgetting = signIn(true);
        SignedIn remembering = signIn(false);
        for (SignedIn s : List.of(forgetting, remembering)) {
            assertThat(consents(s)).isEqualTo(1);
            HttpResponse<String> r = s.agent().get(logoutUrl(Map.of("id_token_hint", idToken(s.subject(), s.sid(), "rp"))));
            assertThat(r.body()).contains("You are signed out");
        }
        assertThat(consents(forgetting)).isZero();
        assertThat(consents(remembering)).isEqualTo(1);
    }

    @Test
    void sessionBoundConsentCoversOnlyItsOwnSessionAndIsPurgedAfterIt() {
        SignedIn s = signIn(true);
        String user = f.users.findBySubject(s.subject()).orElseThrow().username();
        Map<String, String> again = SignInFixture.request("rp", CALLBACK);
        again.put("prompt", "none");
        assertThat(Agent.query(s.agent().get(f.authorizeUrl(again)).headers().firstValue("location").orElseThrow())).containsKey("code");

        // a new sign-in is a new session: the consent bound to the old one no longer counts
        Map<String, String> relogin = SignInFixture.request("rp", CALLBACK);
        relogin.put("prompt", "login");
        HttpResponse<String> page = s.agent().get(f.authorizeUrl(relogin));
        HttpResponse<String> next = s.agent().post(f.server.url("/authorize/login"), "interaction=" + Agent.field(page.body(), "interaction")
                + "&csrf=" + Agent.field(page.body(), "csrf") + "&username=" + user + "&password=" + SignInFixture.PASSWORD.replace(" ", "+"));
        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(next.body()).contains("wants to access your account");
        assertThat(consents(s)).isEqualTo(1);
        assertThat(new dev.latch.server.consent.ConsentStore(f.server.sql()).purgeEnded()).isPositive();
        assertThat(consents(s)).isZero();
    }

    @Test
    void openidConfigurationAdvertisesTheEndSessionEndpoint() {
        var m = dev.latch.server.OAuthResponses.json(f.server.get(f.server.url("/.well-known/openid-configuration")));
        assertThat(m.get("end_session_endpoint").asText()).isEqualTo(f.server.url("/logout"));
    }

    static int consents(SignedIn s) {
        return f.server.sql().query("SELECT COUNT(*) FROM consents WHERE subject = ?", rs -> rs.getInt(1), s.subject()).get(0);
    }
}
