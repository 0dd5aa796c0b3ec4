package dev.latch.server.account;

import static dev.latch.server.OAuthResponses.assertError;
import static dev.latch.server.OAuthResponses.basic;
import static dev.latch.server.OAuthResponses.form;
import static dev.latch.server.OAuthResponses.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.server.LogCapture;
import dev.latch.server.client.Client;
import dev.latch.server.consent.ConsentStore;
import dev.latch.server.signin.Agent;
import dev.latch.server.signin.SharedChromium;
import dev.latch.server.signin.SignInFixture;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The page of apps with access ({@code /account/apps}, SMART's management_endpoint): what a person approved, in the
 * consent page's words, and withdrawing it for real (the approval forgotten, refresh and access tokens dead) — over
 * HTTP for every refusal and in headless Chromium for the walk a person takes.
 */
class AppsPageTest {

    static final String CALLBACK = "https://app.example/cb";
    static final String VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"; // RFC 7636 Appendix B, SignInFixture.CHALLENGE's
    static SignInFixture f;

    @BeforeAll
    static void start() {
        f = new SignInFixture(CALLBACK);
        f.addClient(new Client.Builder().clientId("diary").clientName("Health Diary").scope("openid profile offline_access")
                .tokenEndpointAuthMethod(Client.BASIC).grantTypes(List.of("authorization_code", "refresh_token"))
                .redirectUris(List.of(CALLBACK)).build());
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    static final java.util.concurrent.atomic.AtomicInteger USERS = new java.util.concurrent.atomic.AtomicInteger();

    /** A new user, so that no approval or throttling from another test applies. */
    static String freshUser() {
        String name = "apps-user" + USERS.incrementAndGet();
        f.users.add(name, SignInFixture.PASSWORD, f.hasher);
        return name;
    }

    /** {@code user} approves {@code clientId} for {@code scope} through the real sign-in and consent forms; returns the code. */
    static String approve(Agent agent, String user, String clientId, String scope) {
        Map<String, String> request = SignInFixture.request(clientId, CALLBACK);
        request.put("scope", scope);
        HttpResponse<String> login = agent.get(f.authorizeUrl(request));
        HttpResponse<String> consent = agent.post(f.server.url("/authorize/login"), "interaction=" + Agent.field(login.body(), "interaction")
                + "&csrf=" + Agent.field(login.body(), "csrf") + "&username=" + user + "&password=" + form(SignInFixture.PASSWORD));
        assertThat(consent.body()).contains("wants to access your account")
                .as("the consent page says where to withdraw it").contains("href=\"" + f.server.issuer() + "/account/apps\"");
        HttpResponse<String> done = agent.post(f.server.url("/authorize/consent"), "interaction=" + Agent.field(consent.body(), "interaction")
                + "&csrf=" + Agent.field(consent.body(), "csrf") + "&decision=approve");
        assertThat(done.statusCode()).as(done.body()).isEqualTo(303);
        return Agent.query(done.headers().firstValue("location").orElseThrow()).get("code");
    }

    /** {@code user} approves the diary with offline access; returns its token response. */
    static JsonNode approveDiary(Agent agent, String user) {
        String code = approve(agent, user, "diary", "openid profile offline_access");
        HttpResponse<String> tokens = f.server.postForm("/token", "grant_type=authorization_code&code=" + form(code) + "&redirect_uri="
                + form(CALLBACK) + "&code_verifier=" + VERIFIER, "Authorization", basic("diary", SignInFixture.SECRET));
        assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
        return json(tokens);
    }

    static HttpResponse<String> refresh(String refreshToken) {
        return f.server.postForm("/token", "grant_type=refresh_token&refresh_token=" + form(refreshToken), "Authorization",
                basic("diary", SignInFixture.SECRET));
    }

    static boolean active(String accessToken) {
        return json(f.server.postForm("/introspect", "token=" + form(accessToken), "Authorization", basic("diary", SignInFixture.SECRET)))
                .path("active").asBoolean();
    }

    static HttpResponse<String> withdraw(Agent agent, HttpResponse<String> page, String clientId) {
        return agent.post(f.server.url("/account/apps"), "interaction=" + Agent.field(page.body(), "interaction") + "&csrf="
                + Agent.field(page.body(), "csrf") + "&client_id=" + clientId);
    }

    static String subject(String user) {
        return f.users.findByUsername(user).orElseThrow().subject();
    }

    static List<ConsentStore.Consent> consents(String user) {
        return new ConsentStore(f.server.sql()).all(subject(user));
    }

    @Test
    void withoutSessionThenItsOwnSignInFormThenTheEmptyList() {
        Agent agent = new Agent();
        HttpResponse<String> form = agent.get(f.server.url("/account/apps"));
        assertThat(form.statusCode()).isEqualTo(200);
        assertThat(form.body()).contains("name=\"password\"").contains("your list of apps with access").doesNotContain("Withdraw access");
        assertThat(form.headers().firstValue("Content-Security-Policy")).get().asString().contains("frame-ancestors 'none'");
        assertThat(form.headers().firstValue("Cache-Control")).hasValue("no-store");

        HttpResponse<String> wrong = agent.post(f.server.url("/account/apps/login"), "interaction=" + Agent.field(form.body(), "interaction")
                + "&csrf=" + Agent.field(form.body(), "csrf") + "&username=" + freshUser() + "&password=wrong");
        assertThat(wrong.statusCode()).isEqualTo(200);
        assertThat(wrong.body()).contains("name=\"password\"").contains("The username or password is incorrect.");

        HttpResponse<String> signedIn = agent.post(f.server.url("/account/apps/login"), "interaction=" + Agent.field(wrong.body(), "interaction")
                + "&csrf=" + Agent.field(wrong.body(), "csrf") + "&username=" + freshUser() + "&password=" + form(SignInFixture.PASSWORD));
        assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(303);
        assertThat(signedIn.headers().firstValue("location")).hasValue("/account/apps");
        HttpResponse<String> page = agent.get(f.server.url("/account/apps"));
        assertThat(page.body()).contains("Apps with access to your account").contains("id=\"no-apps\"");
    }

    @Test
    void anApprovedAppIsListedInTheConsentPagesWordsAndWithdrawingItEndsItsTokensAndItsApproval() {
        Agent agent = new Agent();
        String user = freshUser();
        JsonNode tokens = approveDiary(agent, user);
        assertThat(active(tokens.get("access_token").asText())).isTrue();

        HttpResponse<String> page = agent.get(f.server.url("/account/apps"));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Health Diary").contains("See your name and profile")
                .contains("It can renew its access while you are away").contains("id=\"withdraw-diary\"").doesNotContain("no-apps");

        JsonNode revoke;
        HttpResponse<String> after;
        try (LogCapture log = LogCapture.start()) {
            after = withdraw(agent, page, "diary");
            revoke = log.audit("consent.revoke").getFirst();
        }
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(after.body()).contains("Access withdrawn: Health Diary must ask you again.").contains("id=\"no-apps\"");
        assertThat(revoke.path("outcome").asText()).isEqualTo("success");
        assertThat(revoke.path("actor").asText()).isEqualTo("user:" + subject(user));
        assertThat(revoke.path("client_id").asText()).isEqualTo("diary");
        assertThat(revoke.path("user").asText()).isEqualTo(subject(user));

        assertError(refresh(tokens.get("refresh_token").asText()), 400, "invalid_grant");
        assertThat(active(tokens.get("access_token").asText())).as("the access token issued under the withdrawn grant").isFalse();
        assertThat(consents(user)).isEmpty();
        Map<String, String> again = SignInFixture.request("diary", CALLBACK);
        again.put("scope", "openid profile offline_access");
        assertThat(agent.get(f.authorizeUrl(again)).body()).as("the app must ask again").contains("wants to access your account");
    }

    @Test
    void aForgedReplayedOrForeignBrowsersFormWithdrawsNothing() {
        Agent agent = new Agent();
        String user = freshUser();
        JsonNode tokens = approveDiary(agent, user);
        HttpResponse<String> page = agent.get(f.server.url("/account/apps"));

        HttpResponse<String> forged = agent.post(f.server.url("/account/apps"), "interaction=" + Agent.field(page.body(), "interaction")
                + "&csrf=forged&client_id=diary");
        assertThat(forged.statusCode()).isEqualTo(400);
        assertThat(forged.body()).contains("This form has expired");

        // another browser (its own browser cookie) with a stolen session cookie and a form opened in the first browser
        Agent elsewhere = new Agent();
        elsewhere.get(f.server.url("/account/apps"));
        assertThat(elsewhere.cookies).containsKey("latch_browser");
        elsewhere.cookies.put("latch_session", agent.cookies.get("latch_session"));
        HttpResponse<String> foreign = withdraw(elsewhere, agent.get(f.server.url("/account/apps")), "diary");
        assertThat(foreign.statusCode()).as("a form opened in another browser").isEqualTo(400);

        // a form sent twice: the second is refused (its CSRF token was used by the first)
        HttpResponse<String> once = agent.get(f.server.url("/account/apps"));
        HttpResponse<String> first = withdraw(agent, once, "web");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).contains("That app has no access to withdraw.");
        HttpResponse<String> replayed = withdraw(agent, once, "diary");
        assertThat(replayed.statusCode()).isEqualTo(400);
        assertThat(replayed.body()).contains("This form has expired");

        HttpResponse<String> noCookie = new Agent().post(f.server.url("/account/apps"), "client_id=diary");
        assertThat(noCookie.statusCode()).isEqualTo(400);

        assertThat(consents(user)).hasSize(1);
        assertThat(refresh(tokens.get("refresh_token").asText()).statusCode()).as("nothing was withdrawn").isEqualTo(200);
    }

    @Test
    void anAppHoldingOnlyARefreshTokenIsListedAndACodeIssuedBeforeTheWithdrawalIsDeadAfterIt() {
        Agent agent = new Agent();
        String user = freshUser();
        JsonNode tokens = approveDiary(agent, user);
        new ConsentStore(f.server.sql()).revoke(subject(user), "diary"); // e.g. a session-bound approval dropped at sign-out
        String code = approve(agent, user, "web", "openid profile"); // issued, not yet redeemed
        withdraw(agent, agent.get(f.server.url("/account/apps")), "web");

        HttpResponse<String> page = agent.get(f.server.url("/account/apps"));
        assertThat(page.body()).contains("Health Diary").contains("It can renew its access while you are away")
                .doesNotContain("Approved").doesNotContain("Web App");
        assertError(f.server.postForm("/token", "grant_type=authorization_code&code=" + form(code) + "&redirect_uri=" + form(CALLBACK)
                + "&code_verifier=" + VERIFIER, "Authorization", basic("web", SignInFixture.SECRET)), 400, "invalid_grant");

        withdraw(agent, page, "diary");
        assertError(refresh(tokens.get("refresh_token").asText()), 400, "invalid_grant");
        assertThat(agent.get(f.server.url("/account/apps")).body()).contains("id=\"no-apps\"");
    }

    @Test
    void aFormWhoseSessionEndedAsksToSignInAndWithdrawsNothing() {
        Agent agent = new Agent();
        String user = freshUser();
        approveDiary(agent, user);
        HttpResponse<String> page = agent.get(f.server.url("/account/apps"));
        agent.cookies.remove("latch_session");

        HttpResponse<String> r = withdraw(agent, page, "diary");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("name=\"password\"").contains("Your session has ended. Sign in again; nothing was withdrawn.");
        assertThat(consents(user)).hasSize(1);
    }

    @Test
    void anotherPersonsApprovalCannotBeWithdrawnAndAnUnknownAppIsSaidSo() {
        String alice = freshUser();
        approveDiary(new Agent(), alice);
        Agent bob = new Agent();
        String bobName = freshUser();
        approve(bob, bobName, "web", "openid profile");
        HttpResponse<String> bobsPage = bob.get(f.server.url("/account/apps"));
        assertThat(bobsPage.body()).contains("Web App").doesNotContain("Health Diary");

        HttpResponse<String> r = withdraw(bob, bobsPage, "diary");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("That app has no access to withdraw.");
        assertThat(consents(alice)).hasSize(1);

        HttpResponse<String> none = withdraw(bob, r, "");
        assertThat(none.body()).contains("Choose an app to withdraw.");
        assertThat(consents(bobName)).hasSize(1);
    }

    @Test
    void inChromiumAPersonSignsInSeesTheAppAndWithdrawsIt() {
        SharedChromium.require();
        ChromeDriver browser = SharedChromium.driver();
        browser.get(f.server.url("/.well-known/oauth-authorization-server"));
        browser.manage().deleteAllCookies();
        String user = freshUser();
        // the approval itself over HTTP (the sign-in and consent pages have their own browser tests)
        JsonNode tokens = approveDiary(new Agent(), user);

        browser.get(f.server.url("/account/apps"));
        browser.findElement(By.id("username")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(SignInFixture.PASSWORD);
        SharedChromium.submit(browser, By.id("sign-in"));
        assertThat(browser.getTitle()).startsWith("Apps with access");
        assertThat(browser.findElement(By.id("app-diary")).getText()).contains("Health Diary").contains("See your name and profile")
                .contains("It can renew its access while you are away");

        SharedChromium.submit(browser, By.id("withdraw-diary"));

        assertThat(browser.findElement(By.id("message")).getText()).isEqualTo("Access withdrawn: Health Diary must ask you again.");
        assertThat(browser.findElements(By.id("app-diary"))).isEmpty();
        assertError(refresh(tokens.get("refresh_token").asText()), 400, "invalid_grant");
    }
}
