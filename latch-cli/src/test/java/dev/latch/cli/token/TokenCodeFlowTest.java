package dev.latch.cli.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.cli.Cli;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import dev.latch.server.signin.Agent;
import dev.latch.server.signin.SignInFixture;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code latch token --grant authorization_code} against a real Latch server: the test plays the
 * person at the browser over plain HTTP (login and consent forms), delivering the redirect to the
 * command's loopback listener, sometimes tampered with to check what the command refuses.
 */
class TokenCodeFlowTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static SignInFixture f;

    @BeforeAll
    static void start() {
        f = new SignInFixture("http://127.0.0.1/callback");
        f.addClient(new Client.Builder().clientId("cli-app").applicationType("native").tokenEndpointAuthMethod(Client.BASIC)
                .scope("openid profile offline_access").grantTypes(List.of("authorization_code", "refresh_token"))
                .redirectUris(List.of("http://127.0.0.1/callback")).build());
        f.addClient(new Client.Builder().clientId("cli-deny").applicationType("native").tokenEndpointAuthMethod(Client.BASIC)
                .scope("openid profile").grantTypes(List.of("authorization_code"))
                .redirectUris(List.of("http://127.0.0.1/callback")).build());
        f.addClient(new Client.Builder().clientId("cli-public").applicationType("native").tokenEndpointAuthMethod(Client.NONE)
                .scope("openid profile").grantTypes(List.of("authorization_code"))
                .redirectUris(List.of("http://127.0.0.1/callback")).build());
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    /** What the person at the browser saw. */
    record Visit(URI authorizationUrl, int callbackStatus, String callbackPage) {}

    /**
     * A person who signs in as alice and approves (or denies) consent, then follows the redirect
     * after {@code tamper} rewrote it; {@code opened} is what the browser launcher answers.
     */
    static final class Person implements Browser {
        final CompletableFuture<Visit> visit = new CompletableFuture<>();
        final String decision;
        final UnaryOperator<String> tamper;
        final boolean opened;
        UnaryOperator<String> tamperRequest = u -> u;

        Person(String decision, UnaryOperator<String> tamper, boolean opened) {
            this.decision = decision;
            this.tamper = tamper;
            this.opened = opened;
        }

        /** Rewrites the authorization URL before loading it (a changed request the client did not make). */
        Person request(UnaryOperator<String> tamperRequest) {
            this.tamperRequest = tamperRequest;
            return this;
        }

        static Person approving() {
            return new Person("approve", l -> l, true);
        }

        @Override
        public boolean open(URI url) {
            Thread.ofVirtual().start(() -> {
                try {
                    Agent agent = new Agent();
                    HttpResponse<String> page = agent.get(tamperRequest.apply(url.toString()));
                    HttpResponse<String> r = agent.post(f.server.url("/authorize/login"), "interaction=" + Agent.field(page.body(), "interaction")
                            + "&csrf=" + Agent.field(page.body(), "csrf") + "&username=alice&password=" + SignInFixture.PASSWORD.replace(" ", "+"));
                    if (r.statusCode() == 200 && r.body().contains("id=\"approve\"")) {
                        r = agent.post(f.server.url("/authorize/consent"), "interaction=" + Agent.field(r.body(), "interaction")
                                + "&csrf=" + Agent.field(r.body(), "csrf") + "&decision=" + decision);
                    }
                    String location = r.headers().firstValue("location").orElseThrow(() -> new AssertionError("no redirect"));
                    HttpResponse<String> callback = TestServer.send(java.net.http.HttpRequest.newBuilder(URI.create(tamper.apply(location))).build());
                    visit.complete(new Visit(url, callback.statusCode(), callback.body()));
                } catch (Throwable e) {
                    visit.completeExceptionally(e);
                }
            });
            return opened;
        }

        Visit visited() throws Exception {
            return visit.get(30, TimeUnit.SECONDS);
        }
    }

    static Cli cli(Browser browser) {
        return new Cli(null).env("S", SignInFixture.SECRET)
                .configure(c -> ((TokenCommand) c.getSubcommands().get("token").getCommand()).browser(browser));
    }

    static Cli.Result codeFlow(Browser browser, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("token", "--issuer", f.server.issuer(), "--grant", "authorization_code"));
        args.addAll(List.of(extra));
        if (!args.contains("--timeout")) args.addAll(List.of("--timeout", "30s"));
        return cli(browser).raw(args.toArray(String[]::new));
    }

    static Cli.Result confidential(Browser browser, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("--client-id", "cli-app", "--client-secret", "${env:S}"));
        args.addAll(List.of(extra));
        return codeFlow(browser, args.toArray(String[]::new));
    }

    static Map<String, String> query(URI url) {
        return Agent.query(url.toString());
    }

    static String lastLine(Cli.Result r) {
        List<String> lines = r.err().lines().toList();
        return lines.get(lines.size() - 1);
    }

    @Test
    void confidentialClientThenTokensAfterPkceAndTheRequestCarriesStateNonceAndS256() throws Exception {
        Person person = Person.approving();
        Cli.Result r = confidential(person, "--scope", "openid profile offline_access");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode body = JSON.readTree(r.out());
        assertThat(body.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.path("refresh_token").asText()).isNotEmpty();
        SignedJWT id = SignedJWT.parse(body.path("id_token").asText());
        assertThat(id.getJWTClaimsSet().getAudience()).containsExactly("cli-app");

        Visit v = person.visited();
        assertThat(v.callbackStatus()).isEqualTo(200);
        assertThat(v.callbackPage()).contains("Signed in");
        Map<String, String> q = query(v.authorizationUrl());
        assertThat(q).containsEntry("response_type", "code").containsEntry("client_id", "cli-app")
                .containsEntry("code_challenge_method", "S256").containsEntry("scope", "openid profile offline_access");
        assertThat(q.get("redirect_uri")).matches("http://127\\.0\\.0\\.1:\\d+/callback");
        assertThat(q.get("state")).hasSize(43);
        assertThat(q.get("nonce")).hasSize(43);
        assertThat(q.get("code_challenge")).hasSize(43);
        assertThat(id.getJWTClaimsSet().getStringClaim("nonce")).isEqualTo(q.get("nonce"));
        assertThat(r.err()).contains("latch: opened the browser; if it shows nothing, open: " + v.authorizationUrl());
    }

    @Test
    void refreshTokenFromTheCodeFlowThenNewTokens() throws Exception {
        Cli.Result first = confidential(Person.approving(), "--scope", "openid offline_access");
        assertThat(first.exit()).as(first.err()).isZero();
        String refresh = JSON.readTree(first.out()).path("refresh_token").asText();

        Cli.Result r = new Cli(null).env("S", SignInFixture.SECRET).env("RT", refresh).raw("token", "--issuer", f.server.issuer(),
                "--client-id", "cli-app", "--client-secret", "${env:S}", "--grant", "refresh_token", "--refresh-token", "${env:RT}");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode body = JSON.readTree(r.out());
        assertThat(body.path("access_token").asText()).isNotEmpty();
        assertThat(body.path("refresh_token").asText()).as("rotated").isNotEqualTo(refresh);

        Cli.Result reused = new Cli(null).env("S", SignInFixture.SECRET).env("RT", refresh).raw("token", "--issuer", f.server.issuer(),
                "--client-id", "cli-app", "--client-secret", "${env:S}", "--grant", "refresh_token", "--refresh-token", "${env:RT}");
        assertThat(reused.exit()).isEqualTo(1);
        assertThat(reused.errLine()).startsWith("latch: invalid_grant");
    }

    @Test
    void publicClientThenTokens() throws Exception {
        Cli.Result r = codeFlow(Person.approving(), "--client-id", "cli-public", "--auth", "none", "-q");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(SignedJWT.parse(r.out().strip()).getJWTClaimsSet().getStringClaim("client_id")).isEqualTo("cli-public");
    }

    @Test
    void noBrowserThenTheUrlIsPrintedAndTheFlowStillCompletes() throws Exception {
        Person person = new Person("approve", l -> l, false);
        Cli.Result r = confidential(person, "-q");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("latch: open this URL in a browser to sign in: " + person.visited().authorizationUrl());
    }

    @Test
    void fixedRedirectPortThenUsed() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Person person = Person.approving();
        Cli.Result r = confidential(person, "--redirect-port", Integer.toString(port), "-q");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(query(person.visited().authorizationUrl())).containsEntry("redirect_uri", "http://127.0.0.1:" + port + "/callback");
    }

    @Test
    void stateChangedThenRefusedAndThePageSaysWhy() throws Exception {
        Person person = new Person("approve", l -> l.replaceFirst("state=[^&]+", "state=forged"), true);
        Cli.Result r = confidential(person);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(lastLine(r)).isEqualTo("latch: the authorization response's state does not match this request: it belongs to another"
                + " sign-in (or is forged); refused, start again");
        assertThat(person.visited().callbackStatus()).isEqualTo(400);
        assertThat(person.visited().callbackPage()).contains("does not match this request");
    }

    @Test
    void issFromAnotherServerThenRefused() throws Exception {
        Person person = new Person("approve", l -> l.replaceFirst("iss=[^&]+", "iss=https%3A%2F%2Fevil.example"), true);
        Cli.Result r = confidential(person);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(lastLine(r)).isEqualTo("latch: the authorization response comes from issuer https://evil.example, not " + f.server.issuer()
                + " (RFC 9207): refused, it may be a mix-up attack");
    }

    @Test
    void issMissingWhileTheServerSendsItThenRefused() throws Exception {
        Person person = new Person("approve", l -> l.replaceFirst("[&?]iss=[^&]+", ""), true);
        Cli.Result r = confidential(person);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(lastLine(r)).isEqualTo("latch: the authorization response has no iss although " + f.server.issuer()
                + " says it sends one (RFC 9207): refused");
    }

    @Test
    void idTokenWithAnotherNonceThenRefusedByTheValidator() throws Exception {
        Person person = Person.approving().request(u -> u.replaceFirst("nonce=[^&]+", "nonce=replayed-nonce"));
        Cli.Result r = confidential(person, "--scope", "openid");
        assertThat(r.exit()).as(r.err()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(lastLine(r)).isEqualTo("latch: the ID token's nonce does not match the one sent");
    }

    @Test
    void withoutOpenidThenNoIdTokenIsRequired() throws Exception {
        Cli.Result r = confidential(Person.approving(), "--scope", "profile");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(JSON.readTree(r.out()).has("id_token")).isFalse();
    }

    @Test
    void consentDeniedThenAccessDeniedOnOneLine() throws Exception {
        Person person = new Person("deny", l -> l, true); // a client alice never approved, so consent is asked
        Cli.Result r = codeFlow(person, "--client-id", "cli-deny", "--client-secret", "${env:S}", "--scope", "openid profile");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(lastLine(r)).as(r.err()).startsWith("latch: access_denied");
    }

    @Test
    void nobodySignsInThenTimeout() {
        Cli.Result r = confidential(url -> true, "--timeout", "300ms");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(lastLine(r)).startsWith("latch: no authorization response within 300 ms (nothing reached http://127.0.0.1:");
    }
}
