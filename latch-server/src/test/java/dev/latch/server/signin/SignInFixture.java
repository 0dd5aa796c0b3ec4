package dev.latch.server.signin;

import dev.latch.server.TestClock;
import dev.latch.server.SuiteSecrets;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import dev.latch.server.secret.Secrets;
import dev.latch.server.client.StoredClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/** A server with users and code-flow clients, for sign-in tests. */
public final class SignInFixture implements AutoCloseable {

    public static final String CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"; // RFC 7636 Appendix B
    public static final String PASSWORD = "correct horse battery staple";
    public static final String SECRET = "s3cret-s3cret-s3cret-s3cret-s3cret-0123";

    public final TestClock clock = TestClock.atNow();
    public final InMemoryUsers users = new InMemoryUsers();
    public final TestPasswordHasher hasher = new TestPasswordHasher();
    public final TestServer server;
    public final String redirectUri;

    public SignInFixture(String redirectUri) {
        this(redirectUri, Map.of());
    }

    public SignInFixture(String redirectUri, Map<String, String> settings) {
        this(redirectUri, settings, h -> h, s -> { });
    }

    /**
     * @param serverHasher what the server checks passwords with, given {@link #hasher} (e.g. a wrapper that blocks)
     * @param beforeStart more server settings, applied before it listens
     */
    public SignInFixture(String redirectUri, Map<String, String> settings,
                         java.util.function.UnaryOperator<dev.latch.server.user.PasswordHasher> serverHasher,
                         java.util.function.Consumer<dev.latch.server.LatchServer> beforeStart) {
        this.redirectUri = redirectUri;
        SuiteSecrets.record(SECRET);
        SuiteSecrets.record(PASSWORD);
        this.server = TestServer.start(settings, clock, s -> {
            s.users(users, serverHasher.apply(hasher));
            beforeStart.accept(s);
        });
        users.add("alice", PASSWORD, hasher);
        users.add("bob", PASSWORD, hasher);
        server.instance().scopes().put("profile", "See your name and profile");
        server.instance().scopes().put("email", "See your email address");
        addClient(new Client.Builder().clientId("web").clientName("Web App").scope("openid profile email offline_access")
                .tokenEndpointAuthMethod(Client.BASIC).grantTypes(List.of("authorization_code"))
                .redirectUris(List.of(redirectUri)).build());
    }

    public void addClient(Client client) {
        long now = clock.instant().getEpochSecond();
        server.clients().store().insert(new StoredClient(client, Secrets.digest(SECRET), null, null, now, now));
    }

    public static Map<String, String> request(String clientId, String redirectUri) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("response_type", "code");
        p.put("client_id", clientId);
        p.put("redirect_uri", redirectUri);
        p.put("scope", "openid profile");
        p.put("state", "st-1");
        p.put("nonce", "n-1");
        p.put("code_challenge", CHALLENGE);
        p.put("code_challenge_method", "S256");
        return p;
    }

    public Map<String, String> request() {
        return request("web", redirectUri);
    }

    public String authorizeUrl(Map<String, String> parameters) {
        return server.url("/authorize?" + form(parameters));
    }

    public static String form(Map<String, String> parameters) {
        StringJoiner j = new StringJoiner("&");
        parameters.forEach((k, v) -> j.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return j.toString();
    }

    @Override
    public void close() {
        server.close();
    }
}
