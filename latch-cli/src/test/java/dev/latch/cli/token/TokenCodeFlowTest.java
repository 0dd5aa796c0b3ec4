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
    record Visit(URI authorizationUrl, int callbackStatus, String callbackPage, List<HttpResponse<String>> forged) {}

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
        final List<UnaryOperator<String>> forgedFirst = new java.util.ArrayList<>();
        final List<HttpResponse<String>> forged = new java.util.concurrent.CopyOnWriteArrayList<>();
        String early;

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

        /**
         * Before following the genuine redirect, requests each of these rewrites of it (another
         * local process guessing at the loopback listener while the command waits).
         */
        Person forgingFirst(UnaryOperator<String> forgery) {
            forgedFirst.add(forgery);
            return this;
        }

        /**
         * Requests {@code redirect_uri + query} as soon as the browser is asked to open, before the
         * command waits for the response (a local process racing the person).
         */
        Person early(String query) {
            this.early = query;
            return this;
        }

        static Person approving() {
            return new Person("approve", l -> l, true);
        }

        @Override
        public boolean open(URI url) {
            if (early != null) {
                forged.add(TestServer.send(java.net.http.HttpRequest.newBuilder(URI.create(query(url).get("redirect_uri") + early)).build()));
            }
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
                    for (UnaryOperator<String> forgery : forgedFirst) {
                        forged.add(TestServer.send(java.net.http.HttpRequest.newBuilder(URI.create(forgery.apply(location))).build()));
                    }
                    HttpResponse<String> callback = TestServer.send(java.net.http.HttpRequest.newBuilder(URI.create(tamper.apply(location))).build());
                    visit.complete(new Visit(url, callback.statusCode(), callback.body(), List.copyOf(forged)));
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
    void requestWithoutStateBeforeTheWaitThenRefusedAndTheGenuineResponseStillSignsIn() throws Exception {
        Person person = Person.approving().early("?code=evil&iss=" + java.net.URLEncoder.encode(f.server.issuer(), java.nio.charset.StandardCharsets.UTF_8));
        Cli.Result r = confidential(person, "-q");
        assertThat(r.exit()).as(r.err()).isZero();
        Visit v = person.visited();
        assertThat(v.forged()).hasSize(1);
        assertThat(v.forged().get(0).statusCode()).isEqualTo(400);
        assertThat(v.forged().get(0).body()).contains("state is missing");
        assertThat(v.callbackStatus()).isEqualTo(200);
        assertThat(r.err()).contains("latch: refused a request to the redirect (still waiting for the sign-in): the authorization response's"
                + " state is missing: it belongs to another sign-in (or is forged); refused");
        assertThat(SignedJWT.parse(r.out().strip()).getJWTClaimsSet().getSubject()).isNotEmpty();
    }

    @Test
    void forgedRequestsDuringTheWaitThenRefusedAndTheGenuineResponseStillSignsIn() throws Exception {
        Person person = Person.approving()
                .forgingFirst(l -> l.replaceFirst("state=[^&]+", "state=forged").replaceFirst("code=[^&]+", "code=evil"))
                .forgingFirst(l -> l.replaceFirst("[&?]state=[^&]+", ""))
                .forgingFirst(l -> l.replaceFirst("iss=[^&]+", "iss=https%3A%2F%2Fevil.example"))
                .forgingFirst(l -> l.replaceFirst("[&?]iss=[^&]+", ""))
                .forgingFirst(l -> l.replaceFirst("state=[^&]+", "state=forged").replaceFirst("code=[^&]+", "error=access_denied"))
                .forgingFirst(l -> l.replaceFirst("\\?.*", ""));
        Cli.Result r = confidential(person, "-q");
        assertThat(r.exit()).as(r.err()).isZero();
        Visit v = person.visited();
        assertThat(v.forged()).extracting(HttpResponse::statusCode).containsExactly(400, 400, 400, 400, 400, 400);
        assertThat(v.forged().get(0).body()).contains("does not match this request");
        assertThat(v.forged().get(1).body()).contains("state is missing");
        assertThat(v.forged().get(2).body()).contains("comes from issuer https://evil.example");
        assertThat(v.forged().get(3).body()).contains("has no iss although");
        assertThat(v.forged().get(4).body()).contains("does not match this request");
        assertThat(v.forged().get(5).body()).contains("carried no parameters");
        assertThat(v.callbackStatus()).isEqualTo(200);
        assertThat(r.err()).contains("latch: refused a request to the redirect (still waiting for the sign-in): the authorization response comes from"
                + " issuer https://evil.example, not " + f.server.issuer() + " (RFC 9207): refused, it may be a mix-up attack");
        assertThat(r.err()).contains("latch: refused a request to the redirect (still waiting for the sign-in): the authorization response has no iss"
                + " although " + f.server.issuer() + " says it sends one (RFC 9207): refused");
        assertThat(SignedJWT.parse(r.out().strip()).getJWTClaimsSet().getStringClaim("client_id")).isEqualTo("cli-app");
    }

    @Test
    void onlyAForgedRequestThenTimeoutSaysWhyItWasRefused() {
        Cli.Result r = confidential(url -> {
            HttpResponse<String> forged = TestServer.send(java.net.http.HttpRequest.newBuilder(
                    URI.create(query(url).get("redirect_uri") + "?code=evil&state=forged&iss=" + java.net.URLEncoder.encode(f.server.issuer(),
                            java.nio.charset.StandardCharsets.UTF_8))).build());
            assertThat(forged.statusCode()).isEqualTo(400);
            return true;
        }, "--timeout", "300ms");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(lastLine(r)).matches("latch: no authorization response within 300 ms \\(the last request to http://127\\.0\\.0\\.1:\\d+/callback"
                + " was refused: the authorization response's state does not match this request: it belongs to another sign-in \\(or is forged\\);"
                + " refused\\); sign in again, or allow more time with --timeout");
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
