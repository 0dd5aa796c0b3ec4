package dev.latch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretJWT;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import dev.latch.core.pkce.Pkce;
import dev.latch.server.ChildServer;
import dev.latch.server.TestServer;
import dev.latch.server.http.Json;
import dev.latch.server.signin.Agent;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An instance filled through the CLI and its HTTP endpoints the way people fill one — clients (one
 * with a secret the master key encrypts), users with passwords, a rotated signing key, refresh tokens
 * issued to a client after real sign-ins — and the checks that a copy of it (a restored backup) has
 * kept every one of them working.
 */
final class FilledInstance {

    static final String ISSUER = "http://localhost";
    static final String CALLBACK = "http://127.0.0.1:9/callback";
    static final String VERIFIER = "backup-restore-test-verifier-0123456789-abcdefghijklmnop";
    static final Map<String, String> PASSWORDS = Map.of("alice", "alice-password-1", "bob", "bob's password 2");

    final Map<String, String> clientSecrets = new LinkedHashMap<>();
    final Map<String, String> refreshTokens = new LinkedHashMap<>();
    Set<String> kids;
    String tokenOfTheOldKey;

    /** Fills the instance a running server serves; {@code cli} works on the same data. */
    static FilledInstance fill(Cli cli, ChildServer server) {
        FilledInstance f = new FilledInstance();
        f.clientSecrets.put("svc", added(cli.run("clients", "add", "--client-id", "svc", "--scope", "read", "-q")));
        f.clientSecrets.put("hmac", added(cli.run("clients", "add", "--client-id", "hmac", "--auth-method", "client_secret_jwt",
                "--scope", "read", "-q")));
        f.clientSecrets.put("web", added(cli.run("clients", "add", "--client-id", "web", "--grant-type", "authorization_code,refresh_token",
                "--redirect-uri", CALLBACK, "--scope", "openid profile offline_access", "-q")));
        PASSWORDS.forEach((user, password) -> {
            Cli.Result r = cli.stdin(password + "\n").run("users", "add", user, "--password-stdin", "-q");
            assertThat(r.exit()).as(r.err()).isZero();
        });
        cli.stdin("");

        // a token signed by the first key, then a rotation: both keys stay published, the old token must verify
        f.tokenOfTheOldKey = json(clientCredentials(server.url("/token"), "svc", f.clientSecrets.get("svc"))).get("access_token").asText();
        Cli.Result rotated = cli.run("keys", "rotate", "--alg", "ES256", "-q");
        assertThat(rotated.exit()).as(rotated.err()).isZero();
        Cli.Result rotatedAgain = cli.run("keys", "rotate", "--alg", "RS256", "-q");
        assertThat(rotatedAgain.exit()).as(rotatedAgain.err()).isZero();
        // the first RS256 key, the ES256 key and the next RS256 key; a running server sees new keys within seconds
        f.kids = Poll.until(java.time.Duration.ofSeconds(15), () -> {
            Set<String> published = kids(server);
            return published.size() >= 3 ? published : null;
        });
        assertThat(f.kids).as("three keys published").isNotNull();

        for (String user : PASSWORDS.keySet()) {
            f.refreshTokens.put(user, signIn(server, f.clientSecrets.get("web"), user).get("refresh_token").asText());
        }
        return f;
    }

    /** Everything {@link #fill} made works on {@code restored}; returns fresh refresh tokens (each redeemed once). */
    void verifyOn(ChildServer restored) throws Exception {
        assertThat(kids(restored)).as("the same kids in the JWKS").isEqualTo(kids);
        assertThat(verifies(restored, tokenOfTheOldKey)).as("a token signed before the rotation verifies").isTrue();

        HttpResponse<String> svc = clientCredentials(restored.url("/token"), "svc", clientSecrets.get("svc"));
        assertThat(svc.statusCode()).as(svc.body()).isEqualTo(200);
        assertThat(verifies(restored, json(svc).get("access_token").asText())).isTrue();

        // client_secret_jwt: the secret is stored encrypted under the master key
        TokenResponse hmac = TokenResponse.parse(new TokenRequest(URI.create(restored.url("/token")),
                new ClientSecretJWT(new ClientID("hmac"), URI.create(ISSUER), JWSAlgorithm.HS256, new Secret(clientSecrets.get("hmac"))),
                new ClientCredentialsGrant(), new Scope("read")).toHTTPRequest().send());
        assertThat(hmac.indicatesSuccess()).as(() -> hmac.toErrorResponse().getErrorObject().toString()).isTrue();

        for (Map.Entry<String, String> rt : refreshTokens.entrySet()) {
            HttpResponse<String> r = refresh(restored.url("/token"), clientSecrets.get("web"), rt.getValue());
            assertThat(r.statusCode()).as("refresh token of " + rt.getKey() + ": " + r.body()).isEqualTo(200);
        }
        for (String user : PASSWORDS.keySet()) {
            JsonNode tokens = signIn(restored, clientSecrets.get("web"), user);
            assertThat(tokens.has("id_token")).as(user + " signs in").isTrue();
        }
        HttpResponse<String> wrong = clientCredentials(restored.url("/token"), "svc", "x".repeat(40));
        assertThat(wrong.statusCode()).as("a wrong secret is still refused").isEqualTo(401);
    }

    static String added(Cli.Result r) {
        assertThat(r.exit()).as(r.err()).isZero();
        return r.out().split("\n")[1];
    }

    static Set<String> kids(ChildServer server) {
        try {
            Set<String> kids = new TreeSet<>();
            for (JWK k : JWKSet.parse(TestServer.send(HttpRequest.newBuilder(URI.create(server.url("/jwks"))).build()).body()).getKeys()) {
                kids.add(k.getKeyID());
            }
            return kids;
        } catch (java.text.ParseException e) {
            throw new AssertionError(e);
        }
    }

    static boolean verifies(ChildServer server, String jwt) throws Exception {
        SignedJWT parsed = SignedJWT.parse(jwt);
        JWK key = JWKSet.parse(TestServer.send(HttpRequest.newBuilder(URI.create(server.url("/jwks"))).build()).body())
                .getKeyByKeyId(parsed.getHeader().getKeyID());
        if (key == null) return false;
        return parsed.verify(new DefaultJWSVerifierFactory().createJWSVerifier(parsed.getHeader(),
                key instanceof com.nimbusds.jose.jwk.RSAKey rsa ? rsa.toPublicKey() : key.toECKey().toPublicKey()));
    }

    static String basic(String id, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((form(id) + ":" + form(secret)).getBytes(StandardCharsets.UTF_8));
    }

    static HttpResponse<String> post(String url, String body, String authorization) {
        return TestServer.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", authorization).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    static HttpResponse<String> clientCredentials(String tokenUrl, String id, String secret) {
        return post(tokenUrl, "grant_type=client_credentials&scope=read", basic(id, secret));
    }

    static HttpResponse<String> refresh(String tokenUrl, String webSecret, String refreshToken) {
        return post(tokenUrl, "grant_type=refresh_token&refresh_token=" + form(refreshToken), basic("web", webSecret));
    }

    static JsonNode json(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        try {
            return Json.MAPPER.readTree(r.body());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Signs {@code user} in at {@code server} for client web (approving consent if asked) and redeems the code. */
    static JsonNode signIn(ChildServer server, String webSecret, String user) {
        Agent agent = new Agent();
        Map<String, String> p = new LinkedHashMap<>();
        p.put("response_type", "code");
        p.put("client_id", "web");
        p.put("redirect_uri", CALLBACK);
        p.put("scope", "openid profile offline_access");
        p.put("state", "st-" + user);
        p.put("nonce", "n-" + user);
        p.put("code_challenge", Pkce.s256(VERIFIER));
        p.put("code_challenge_method", "S256");
        p.put("prompt", "consent");
        List<String> query = new ArrayList<>();
        p.forEach((k, v) -> query.add(form(k) + "=" + form(v)));
        HttpResponse<String> page = agent.get(server.url("/authorize?" + String.join("&", query)));
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        HttpResponse<String> next = agent.post(server.url("/authorize/login"), "interaction=" + Agent.field(page.body(), "interaction")
                + "&csrf=" + Agent.field(page.body(), "csrf") + "&username=" + form(user) + "&password=" + form(PASSWORDS.get(user)));
        if (next.statusCode() == 200) {
            next = agent.post(server.url("/authorize/consent"), "interaction=" + Agent.field(next.body(), "interaction")
                    + "&csrf=" + Agent.field(next.body(), "csrf") + "&decision=approve");
        }
        assertThat(next.statusCode()).as(user + " signs in: " + next.body()).isEqualTo(303);
        Map<String, String> redirect = Agent.query(next.headers().firstValue("location").orElseThrow());
        assertThat(redirect).as(user + " is sent back with a code").containsKey("code");
        return json(post(server.url("/token"), "grant_type=authorization_code&code=" + form(redirect.get("code")) + "&redirect_uri="
                + form(CALLBACK) + "&code_verifier=" + VERIFIER, basic("web", webSecret)));
    }

    static String form(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
