package dev.latch.server.signin;

import dev.latch.server.secret.Secrets;
import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.client.Client;
import dev.latch.server.code.ApprovedAuthorization;
import dev.latch.server.code.JdbcAuthorizationCodeStore;
import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.server.LogCapture;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The authorization endpoint, login and consent over plain HTTP (RFC 6749 §4.1, OIDC Core §3.1.2, RFC 9207, RFC 9126). */
class AuthorizationEndpointTest {

    static final String CALLBACK = "https://app.example/cb";
    static SignInFixture f;

    @BeforeAll
    static void start() {
        f = new SignInFixture(CALLBACK);
        f.addClient(new Client.Builder().clientId("par-only").scope("openid").tokenEndpointAuthMethod(Client.BASIC)
                .grantTypes(List.of("authorization_code")).redirectUris(List.of(CALLBACK)).requirePushedAuthorizationRequests(true).build());
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    /** Signs {@code user} in through the login form; returns the response to the login POST. */
    static HttpResponse<String> login(Agent agent, Map<String, String> request, String user, String password) {
        HttpResponse<String> page = agent.get(f.authorizeUrl(request));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("name=\"password\"");
        return agent.post(f.server.url("/authorize/login"), "interaction=" + Agent.field(page.body(), "interaction") + "&csrf="
                + Agent.field(page.body(), "csrf") + "&username=" + user + "&password=" + password.replace(" ", "+"));
    }

    static HttpResponse<String> approve(Agent agent, HttpResponse<String> consentPage, String decision) {
        assertThat(consentPage.body()).contains("wants to access your account");
        return agent.post(f.server.url("/authorize/consent"), "interaction=" + Agent.field(consentPage.body(), "interaction")
                + "&csrf=" + Agent.field(consentPage.body(), "csrf") + "&decision=" + decision);
    }

    static final java.util.concurrent.atomic.AtomicInteger USERS = new java.util.concurrent.atomic.AtomicInteger();

    /** A new user, so that no consent or throttling from another test applies. */
    static String freshUser() {
        String name = "user" + USERS.incrementAndGet();
        f.users.add(name, SignInFixture.PASSWORD, f.hasher);
        return name;
    }

    static ApprovedAuthorization grant(String code) {
        return new JdbcAuthorizationCodeStore(f.server.sql()).peek(code).orElseThrow();
    }

    @Test
    void authorizeWhenLoginAndConsentThenCodeWithStateAndIss() {
        Agent agent = new Agent();
        String alice = freshUser();
        HttpResponse<String> consent;
        HttpResponse<String> done;
        try (LogCapture log = LogCapture.start()) {
            consent = login(agent, f.request(), alice, SignInFixture.PASSWORD);
            assertThat(consent.body()).contains("Web App").contains("See your name and profile");
            done = approve(agent, consent, "approve");
            String subject = f.users.findByUsername(alice).orElseThrow().subject();
            JsonNode signIn = log.audit("signin").getFirst();
            assertThat(signIn.path("outcome").asText()).isEqualTo("success");
            assertThat(signIn.path("username").asText()).isEqualTo(alice);
            assertThat(signIn.path("user").asText()).isEqualTo(subject);
            assertThat(signIn.path("client_id").asText()).isEqualTo("web");
            assertThat(signIn.path("ip").asText()).isEqualTo("127.0.0.1");
            JsonNode granted = log.audit("consent.grant").getFirst();
            assertThat(granted.path("outcome").asText()).isEqualTo("success");
            assertThat(granted.path("user").asText()).isEqualTo(subject);
            assertThat(granted.path("scope").asText()).isEqualTo("openid profile");
            JsonNode code = log.audit("authorize.code").getFirst();
            assertThat(code.path("outcome").asText()).isEqualTo("success");
            assertThat(code.path("client_id").asText()).isEqualTo("web");
            assertThat(code.path("user").asText()).isEqualTo(subject);
            assertThat(code.path("scope").asText()).isEqualTo("openid profile");
        }
        assertThat(done.statusCode()).isEqualTo(303);
        String location = done.headers().firstValue("location").orElseThrow();
        assertThat(location).startsWith(CALLBACK + "?");
        Map<String, String> q = Agent.query(location);
        assertThat(q).containsEntry("state", "st-1").containsEntry("iss", f.server.issuer()).containsKey("code");
        ApprovedAuthorization g = grant(q.get("code"));
        assertThat(g.subject()).isEqualTo(f.users.findByUsername(alice).orElseThrow().subject());
        assertThat(g.nonce()).isEqualTo("n-1");
        assertThat(g.codeChallenge()).isEqualTo(SignInFixture.CHALLENGE);
        assertThat(g.scope()).isEqualTo("openid profile");
        assertThat(g.amr()).containsExactly("pwd");
        assertThat(g.offlineAccess()).isFalse();
        assertThat(g.sessionId()).isNotBlank();

        // consent and session remembered: the next request goes straight back with a code, prompt=none too
        Map<String, String> again = f.request();
        again.put("prompt", "none");
        HttpResponse<String> silent = agent.get(f.authorizeUrl(again));
        assertThat(silent.statusCode()).isEqualTo(303);
        assertThat(Agent.query(silent.headers().firstValue("location").orElseThrow())).containsKey("code");
    }

    @Test
    void loginRotatesTheSessionCookieAndSetsItHttpOnlyLax() {
        Agent agent = new Agent();
        String user = freshUser();
        approve(agent, login(agent, f.request(), user, SignInFixture.PASSWORD), "approve");
        String first = agent.cookies.get("latch_session");
        Map<String, String> forced = f.request();
        forced.put("prompt", "login");
        HttpResponse<String> relogin = login(agent, forced, user, SignInFixture.PASSWORD);
        assertThat(relogin.headers().allValues("set-cookie")).anySatisfy(c ->
                assertThat(c).startsWith("latch_session=").contains("HttpOnly").contains("SameSite=Lax").doesNotContain("Secure"));
        assertThat(agent.cookies.get("latch_session")).isNotEqualTo(first);
        assertThat(f.server.sql().query("SELECT COUNT(*) FROM browser_sessions WHERE id_digest = ?", rs -> rs.getInt(1),
                dev.latch.server.secret.Secrets.digest(first))).containsExactly(0);
    }

    @Test
    void promptNoneWithoutSessionThenLoginRequired() {
        Map<String, String> p = f.request();
        p.put("prompt", "none");
        HttpResponse<String> r = new Agent().get(f.authorizeUrl(p));
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(Agent.query(r.headers().firstValue("location").orElseThrow()))
                .containsEntry("error", "login_required").containsEntry("state", "st-1").containsEntry("iss", f.server.issuer());
    }

    @Test
    void promptNoneWithSessionButNoConsentThenConsentRequired() {
        Agent agent = new Agent();
        login(agent, f.request(), freshUser(), SignInFixture.PASSWORD); // consent page shown, never answered
        Map<String, String> p = f.request();
        p.put("prompt", "none");
        p.put("scope", "openid email");
        HttpResponse<String> r = agent.get(f.authorizeUrl(p));
        assertThat(Agent.query(r.headers().firstValue("location").orElseThrow())).containsEntry("error", "consent_required");
    }

    @Test
    void promptNoneWhenLoginHintNamesAnotherUserThenInteractionRequired() {
        Agent agent = new Agent();
        String user = freshUser();
        approve(agent, login(agent, f.request(), user, SignInFixture.PASSWORD), "approve");
        Map<String, String> p = f.request();
        p.put("prompt", "none");
        p.put("login_hint", "bob");
        HttpResponse<String> r = agent.get(f.authorizeUrl(p));
        assertThat(Agent.query(r.headers().firstValue("location").orElseThrow())).containsEntry("error", "interaction_required");
    }

    @Test
    void maxAgeExceededThenLoginAgainAndLoginHintPrefilled() {
        Agent agent = new Agent();
        String user = freshUser();
        approve(agent, login(agent, f.request(), user, SignInFixture.PASSWORD), "approve");
        f.clock.advance(Duration.ofSeconds(5));
        Map<String, String> p = f.request();
        p.put("max_age", "1");
        p.put("login_hint", user);
        HttpResponse<String> r = agent.get(f.authorizeUrl(p));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("name=\"password\"").contains("value=\"" + user + "\"");
        p.put("max_age", "3600");
        assertThat(agent.get(f.authorizeUrl(p)).statusCode()).isEqualTo(303);
    }

    @Test
    void consentDeniedThenAccessDeniedAtClient() {
        Agent agent = new Agent();
        try (LogCapture log = LogCapture.start()) {
            HttpResponse<String> r = approve(agent, login(agent, f.request(), freshUser(), SignInFixture.PASSWORD), "deny");
            assertThat(Agent.query(r.headers().firstValue("location").orElseThrow()))
                    .containsEntry("error", "access_denied").containsEntry("state", "st-1").containsEntry("iss", f.server.issuer());
            assertThat(log.audit("consent.grant")).singleElement().satisfies(e -> {
                assertThat(e.path("outcome").asText()).isEqualTo("failure");
                assertThat(e.path("error").asText()).isEqualTo("access_denied");
                assertThat(e.path("client_id").asText()).isEqualTo("web");
            });
            assertThat(log.audit("authorize.code")).singleElement().satisfies(e -> {
                assertThat(e.path("outcome").asText()).isEqualTo("failure");
                assertThat(e.path("error").asText()).isEqualTo("access_denied");
            });
        }
    }

    @Test
    void offlineAccessGrantedOnlyWhenTheUserApprovedIt() {
        Agent agent = new Agent();
        String user = freshUser();
        // first a consent without offline_access, remembered
        Map<String, String> plain = f.request();
        plain.put("scope", "openid");
        ApprovedAuthorization first = grant(Agent.query(approve(agent, login(agent, plain, user, SignInFixture.PASSWORD), "approve")
                .headers().firstValue("location").orElseThrow()).get("code"));
        assertThat(first.offlineAccess()).isFalse();

        // asking offline_access silently (prompt=none): the remembered consent does not cover it, so it is dropped
        Map<String, String> silent = f.request();
        silent.put("scope", "openid offline_access");
        silent.put("prompt", "none");
        HttpResponse<String> quiet = agent.get(f.authorizeUrl(silent));
        ApprovedAuthorization without = grant(Agent.query(quiet.headers().firstValue("location").orElseThrow()).get("code"));
        assertThat(without.scope()).isEqualTo("openid");
        assertThat(without.offlineAccess()).isFalse();

        // asking it interactively: the consent page names it, and approving grants it (OIDC Core §11), without prompt=consent
        Map<String, String> p = f.request();
        p.put("scope", "openid offline_access");
        HttpResponse<String> consent = agent.get(f.authorizeUrl(p));
        assertThat(consent.body()).contains("wants to access your account").contains("offline_access");
        ApprovedAuthorization with = grant(Agent.query(approve(agent, consent, "approve").headers().firstValue("location").orElseThrow()).get("code"));
        assertThat(with.scope()).isEqualTo("openid offline_access");
        assertThat(with.offlineAccess()).isTrue();

        // that approval is remembered: the next request for it needs no page
        HttpResponse<String> again = agent.get(f.authorizeUrl(p));
        assertThat(again.statusCode()).isEqualTo(303);
        assertThat(grant(Agent.query(again.headers().firstValue("location").orElseThrow()).get("code")).offlineAccess()).isTrue();
    }

    @Test
    void loginWhenCsrfWrongOrReplayedThenErrorPageAndNoSession() {
        Agent agent = new Agent();
        HttpResponse<String> page = agent.get(f.authorizeUrl(f.request()));
        String interaction = Agent.field(page.body(), "interaction");
        String csrf = Agent.field(page.body(), "csrf");
        HttpResponse<String> wrong = agent.post(f.server.url("/authorize/login"), "interaction=" + interaction + "&csrf=nope&username=alice&password="
                + SignInFixture.PASSWORD.replace(" ", "+"));
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(wrong.body()).contains("This form has expired");
        HttpResponse<String> missing = agent.post(f.server.url("/authorize/login"), "interaction=" + interaction + "&username=alice&password="
                + SignInFixture.PASSWORD.replace(" ", "+"));
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(agent.cookies).doesNotContainKey("latch_session");

        String good = "interaction=" + interaction + "&csrf=" + csrf + "&username=" + freshUser() + "&password=" + SignInFixture.PASSWORD.replace(" ", "+");
        assertThat(agent.post(f.server.url("/authorize/login"), good).body()).contains("wants to access your account");
        HttpResponse<String> replay = agent.post(f.server.url("/authorize/login"), good);
        assertThat(replay.statusCode()).isEqualTo(400);
    }

    @Test
    void loginFromAnotherBrowserThenRefused() {
        Agent agent = new Agent();
        HttpResponse<String> page = agent.get(f.authorizeUrl(f.request()));
        HttpResponse<String> r = new Agent().post(f.server.url("/authorize/login"), "interaction=" + Agent.field(page.body(), "interaction")
                + "&csrf=" + Agent.field(page.body(), "csrf") + "&username=alice&password=" + SignInFixture.PASSWORD.replace(" ", "+"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().allValues("set-cookie")).noneMatch(c -> c.startsWith("latch_session"));
    }

    @Test
    void unknownUserAndWrongPasswordLookTheSameAndBothCheckAHash() {
        Agent agent = new Agent();
        int before = f.hasher.verifications.get();
        HttpResponse<String> wrong = login(agent, f.request(), "alice", "wrong");
        HttpResponse<String> unknown = login(agent, f.request(), "nobody", "wrong");
        assertThat(f.hasher.verifications.get() - before).isEqualTo(2);
        assertThat(wrong.statusCode()).isEqualTo(unknown.statusCode()).isEqualTo(200);
        assertThat(wrong.body()).contains("The username or password is incorrect.");
        assertThat(unknown.body()).contains("The username or password is incorrect.");
        assertThat(agent.cookies).doesNotContainKey("latch_session");
    }

    @Test
    void repeatedFailuresThenThrottledWithClearMessageUntilBackOffPasses() {
        Agent agent = new Agent();
        f.users.add("carol", SignInFixture.PASSWORD, f.hasher);
        HttpResponse<String> throttled;
        try (LogCapture log = LogCapture.start()) {
            for (int i = 0; i < 4; i++) {
                login(agent, f.request(), "carol", "wrong");
            }
            throttled = login(agent, f.request(), "carol", SignInFixture.PASSWORD);
            List<JsonNode> failures = log.audit("signin");
            assertThat(failures).allSatisfy(e -> {
                assertThat(e.path("outcome").asText()).isEqualTo("failure");
                assertThat(e.path("username").asText()).isEqualTo("carol");
                assertThat(e.path("ip").asText()).isEqualTo("127.0.0.1");
                assertThat(e.has("user")).isFalse();
            });
            assertThat(failures.stream().map(e -> e.path("reason").asText()))
                    .startsWith("invalid_credentials").endsWith("throttled").contains("invalid_credentials", "throttled");
            assertThat(log.text()).doesNotContain(SignInFixture.PASSWORD);
        }
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.body()).contains("Too many failed sign-in attempts. Wait");
        assertThat(agent.cookies).doesNotContainKey("latch_session");
        f.clock.advance(Duration.ofSeconds(3));
        assertThat(login(agent, f.request(), "carol", SignInFixture.PASSWORD).body()).contains("wants to access your account");
    }

    @Test
    void authorizeWhenClientUnknownOrRedirectUnregisteredThenErrorPageNeverRedirect() {
        Map<String, String> p = f.request();
        p.put("client_id", "nope");
        HttpResponse<String> r = new Agent().get(f.authorizeUrl(p));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("location")).isEmpty();
        assertThat(r.body()).contains("invalid_client").contains("<html lang=\"en\">");
        p = f.request();
        p.put("redirect_uri", "https://evil.example/cb");
        r = new Agent().get(f.authorizeUrl(p));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("location")).isEmpty();
    }

    @Test
    void authorizeWhenResponseTypeTokenThenUnsupportedResponseTypeRedirectedWithStateAndIss() {
        Map<String, String> p = f.request();
        p.put("response_type", "token");
        HttpResponse<String> r = new Agent().get(f.authorizeUrl(p));
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(Agent.query(r.headers().firstValue("location").orElseThrow())).containsEntry("error", "unsupported_response_type")
                .containsEntry("state", "st-1").containsEntry("iss", f.server.issuer()).containsKey("error_description");
    }

    @Test
    void authorizeByPostThenSeeOtherToTheSameRequestAsGet() {
        HttpResponse<String> r = new Agent().post(f.server.url("/authorize"), SignInFixture.form(f.request()));
        assertThat(r.statusCode()).isEqualTo(303);
        String location = r.headers().firstValue("location").orElseThrow();
        assertThat(location).startsWith(f.server.url("/authorize?"));
        assertThat(Agent.query(location)).isEqualTo(f.request());
    }

    @Test
    void formPostErrorThenAutoSubmittingPageUnderNonceCsp() {
        Map<String, String> p = f.request();
        p.put("response_mode", "form_post");
        p.put("prompt", "none");
        HttpResponse<String> r = new Agent().get(f.authorizeUrl(p));
        assertThat(r.statusCode()).isEqualTo(200);
        String csp = r.headers().firstValue("content-security-policy").orElseThrow();
        assertThat(csp).contains("frame-ancestors 'none'").contains("script-src 'nonce-").doesNotContain("form-action");
        String nonce = csp.replaceAll(".*script-src 'nonce-([^']+)'.*", "$1");
        assertThat(r.body()).contains("action=\"" + CALLBACK + "\"").contains("name=\"error\" value=\"login_required\"")
                .contains("name=\"iss\" value=\"" + f.server.issuer() + "\"").contains("<script nonce=\"" + nonce + "\">")
                .contains("<noscript>");
    }

    @Test
    void loginPageCarriesSecurityHeaders() {
        HttpResponse<String> r = new Agent().get(f.authorizeUrl(f.request()));
        assertThat(r.headers().firstValue("cache-control")).hasValue("no-store");
        assertThat(r.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        assertThat(r.headers().firstValue("referrer-policy")).hasValue("no-referrer");
        assertThat(r.headers().firstValue("content-security-policy").orElseThrow()).contains("frame-ancestors 'none'")
                .contains("default-src 'none'").doesNotContain("script-src");
        assertThat(r.body()).contains("<label for=\"username\">").contains("<label for=\"password\">");
    }

    @Test
    void pushedRequestThenUsableOnceByItsClientWithinSixtySeconds() {
        Map<String, String> p = f.request();
        p.remove("client_id");
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(("web:" + SignInFixture.SECRET).getBytes());
        HttpResponse<String> pushed = f.server.postForm("/par", SignInFixture.form(p), "Authorization", basic);
        assertThat(pushed.statusCode()).isEqualTo(201);
        assertThat(pushed.body()).contains("\"expires_in\":60").contains("urn:ietf:params:oauth:request_uri:");
        String uri = pushed.body().replaceAll(".*\"request_uri\":\"([^\"]+)\".*", "$1");

        HttpResponse<String> foreign = new Agent().get(f.authorizeUrl(Map.of("client_id", "par-only", "request_uri", uri)));
        assertThat(foreign.statusCode()).isEqualTo(400);
        HttpResponse<String> first = new Agent().get(f.authorizeUrl(Map.of("client_id", "web", "request_uri", uri)));
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).contains("name=\"password\"");
        HttpResponse<String> second = new Agent().get(f.authorizeUrl(Map.of("client_id", "web", "request_uri", uri)));
        assertThat(second.statusCode()).isEqualTo(400);
        assertThat(second.body()).contains("invalid_request_uri");
        assertThat(f.server.sql().query("SELECT uri_digest FROM pushed_requests", rs -> rs.getString(1))).noneMatch(d -> d.contains(uri));

        String late = f.server.postForm("/par", SignInFixture.form(p), "Authorization", basic).body()
                .replaceAll(".*\"request_uri\":\"([^\"]+)\".*", "$1");
        f.clock.advance(Duration.ofSeconds(61));
        assertThat(new Agent().get(f.authorizeUrl(Map.of("client_id", "web", "request_uri", late))).statusCode()).isEqualTo(400);
    }

    @Test
    void pushWhenClientSecretWrongThenInvalidClient() {
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString("web:wrong".getBytes());
        HttpResponse<String> r = f.server.postForm("/par", SignInFixture.form(f.request()), "Authorization", basic);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("invalid_client");
    }

    @Test
    void pushWhenRequestInvalidThenErrorJson() {
        Map<String, String> p = f.request();
        p.put("response_type", "token");
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(("web:" + SignInFixture.SECRET).getBytes());
        HttpResponse<String> r = f.server.postForm("/par", SignInFixture.form(p), "Authorization", basic);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("unsupported_response_type");
    }

    @Test
    void clientRequiringPushedRequestsWhenSentDirectlyThenInvalidRequest() {
        HttpResponse<String> r = new Agent().get(f.authorizeUrl(SignInFixture.request("par-only", CALLBACK)));
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(Agent.query(r.headers().firstValue("location").orElseThrow())).containsEntry("error", "invalid_request");
    }
}
