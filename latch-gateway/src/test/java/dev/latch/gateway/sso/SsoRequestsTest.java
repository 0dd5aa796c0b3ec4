package dev.latch.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.latch.gateway.EchoUpstream;
import dev.latch.gateway.TestGateway;
import dev.latch.server.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Requests to an sso route in front of an echo upstream, with Latch as the provider, without a browser:
 * where a browser is sent back after sign-in when it opened a page without a session (the page's own path,
 * never another site, whatever the request target looks like: raw requests, so the target is exactly as
 * written), and sessions as large as the cookies may hold.
 */
class SsoRequestsTest {

    private static final String COOKIE_SECRET = "0123456789abcdef0123456789abcdef";
    private static TestServer latch;
    private static EchoUpstream upstream;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        latch = TestServer.start();
        upstream = EchoUpstream.start();
        gateway = TestGateway.start("""
                routes:
                  - path: /
                    upstream: %s
                    mode: sso
                    sso:
                      issuer: %s
                      client-id: web
                      client-secret: ${env:S}
                      cookie-secret: ${env:C}
                """.formatted(upstream.url(), latch.issuer()), Map.of("S", "client-secret", "C", COOKIE_SECRET));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) gateway.close();
        if (upstream != null) upstream.close();
        if (latch != null) latch.close();
    }

    private record Raw(int status, List<String> setCookies, String head) {}

    private static Raw raw(String target) throws Exception {
        int port = Integer.parseInt(gateway.url("").replaceAll(".*:(\\d+)$", "$1"));
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAccept: text/html\r\nSec-Fetch-Mode: navigate\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.ISO_8859_1);
            String head = text.split("\r\n\r\n", 2)[0];
            List<String> cookies = new ArrayList<>();
            for (String line : head.split("\r\n")) {
                if (line.regionMatches(true, 0, "Set-Cookie:", 0, 11)) cookies.add(line.substring(11).strip());
            }
            return new Raw(Integer.parseInt(head.split(" ")[1]), cookies, head);
        }
    }

    /** The return address sealed in the sign-in cookie of a 302 to the provider, else null. */
    private static String returnTo(Raw answer) throws Exception {
        SessionCookies cookies = new SessionCookies(List.of(COOKIE_SECRET), false);
        for (String header : answer.setCookies()) {
            String pair = header.split(";", 2)[0];
            if (!pair.startsWith("_latch_sso_login_")) continue;
            byte[] json = cookies.open("latch-sso-login", pair.substring(pair.indexOf('=') + 1));
            assertThat(json).isNotNull();
            return (String) new ObjectMapper().readValue(json, Map.class).get("r");
        }
        return null;
    }

    @ParameterizedTest
    @ValueSource(strings = {"/app/page?x=1", "/"})
    void pageWithoutSessionThenSignInReturnsToIt(String target) throws Exception {
        Raw answer = raw(target);
        assertThat(answer.status()).as(answer.head()).isEqualTo(302);
        assertThat(returnTo(answer)).isEqualTo(target);
    }

    @ParameterizedTest
    @ValueSource(strings = {"//evil.example", "//evil.example/path?x=1", "/\\evil.example", "///evil.example"})
    void pageWithoutSessionWhoseTargetLooksLikeAnotherSiteThenNeverReturnsThere(String target) throws Exception {
        Raw answer = raw(target);
        String back = answer.status() == 302 ? returnTo(answer) : null;
        assertThat(back).as(answer.head()).satisfiesAnyOf(
                r -> assertThat(r).isNull(),
                r -> assertThat(SsoRoute.sameSite(r, null)).isEqualTo(r));
    }

    /** A session for {@code alice} whose access token has {@code tokenLength} characters, sealed as the gateway seals it, in cookies. */
    private static String sessionCookies(int tokenLength) {
        return sessionCookies(tokenLength, COOKIE_SECRET);
    }

    private static String sessionCookies(int tokenLength, String secret) {
        long now = Instant.now().getEpochSecond();
        SsoSession session = new SsoSession("alice", "alice", "alice@example.org", List.of("staff"), Map.of(), "a".repeat(tokenLength), 0,
                null, null, now, now + 3600, Map.of());
        String sealed = new SessionCookies(List.of(secret), false).seal("latch-sso-session", session.toJson());
        if (sealed.length() <= SessionCookies.CHUNK) {
            return "_latch_sso=" + sealed;
        }
        StringBuilder header = new StringBuilder();
        for (int i = 0; i * SessionCookies.CHUNK < sealed.length(); i++) {
            header.append(i == 0 ? "" : "; ").append("_latch_sso_").append(i).append('=')
                    .append(sealed, i * SessionCookies.CHUNK, Math.min(sealed.length(), (i + 1) * SessionCookies.CHUNK));
        }
        return header.toString();
    }

    private static HttpResponse<String> withSession(int tokenLength) {
        return TestGateway.send(HttpRequest.newBuilder(URI.create(gateway.url("/app/data"))).header("Accept", "application/json")
                .header("Cookie", sessionCookies(tokenLength)).GET().build());
    }

    @Test
    void requestWithASessionInOneCookieThenUpstreamSeesTheIdentityAndNotTheCookie() {
        HttpResponse<String> r = withSession(100);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        @SuppressWarnings("unchecked")
        Map<String, Object> headers = (Map<String, Object>) upstream.last().get("headers");
        assertThat(headers).containsEntry("x-forwarded-user", "alice").containsEntry("x-forwarded-email", "alice@example.org")
                .doesNotContainKey("cookie");
    }

    @Test
    void requestWithASessionInEightChunksThenTheGatewayReadsIt() {
        int tokenLength = 21_000; // sealed: about 28,300 characters, 8 cookies of at most CHUNK
        assertThat(sessionCookies(tokenLength)).contains("_latch_sso_7=").doesNotContain("_latch_sso_8=");

        HttpResponse<String> r = withSession(tokenLength);

        assertThat(r.statusCode()).as("a session the gateway writes (up to 8 cookies) is one it reads: " + r.body()).isEqualTo(200);
        @SuppressWarnings("unchecked")
        Map<String, Object> headers = (Map<String, Object>) upstream.last().get("headers");
        assertThat(headers).containsEntry("x-forwarded-user", "alice").doesNotContainKey("cookie");
    }

    @Test
    void requestWithALargeSessionSealedUnderAnOlderSecretThenSealedAgainUnderTheNewOne() {
        String newSecret = "fedcba9876543210fedcba9876543210";
        try (TestGateway rotated = TestGateway.start("""
                routes:
                  - path: /
                    upstream: %s
                    mode: sso
                    sso:
                      issuer: %s
                      client-id: web
                      client-secret: ${env:S}
                      cookie-secret: ["${env:NEW}", "${env:C}"]
                """.formatted(upstream.url(), latch.issuer()), Map.of("S", "client-secret", "C", COOKIE_SECRET, "NEW", newSecret))) {
            HttpResponse<String> r = TestGateway.send(HttpRequest.newBuilder(URI.create(rotated.url("/app/data")))
                    .header("Accept", "application/json").header("Cookie", sessionCookies(21_000, COOKIE_SECRET)).GET().build());

            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            Map<String, String> set = new java.util.LinkedHashMap<>();
            for (String header : r.headers().allValues("Set-Cookie")) {
                String pair = header.split(";", 2)[0];
                set.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
            }
            assertThat(set).containsOnlyKeys("_latch_sso_0", "_latch_sso_1", "_latch_sso_2", "_latch_sso_3", "_latch_sso_4",
                    "_latch_sso_5", "_latch_sso_6", "_latch_sso_7");
            String resealed = SessionCookies.joined(set, "_latch_sso");
            assertThat(new SessionCookies(List.of(newSecret), false).open("latch-sso-session", resealed)).isNotNull();
            assertThat(new SessionCookies(List.of(COOKIE_SECRET), false).open("latch-sso-session", resealed)).isNull();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bye", "/a%25zz", "/a%5Eb", "/a%7Cb"})
    void signOutWhateverTheReturnAddressThenRedirectsNeverFails(String rd) {
        HttpResponse<String> r = gateway.get("/oauth2/sign_out?rd=" + rd, "Accept", "text/html", "Sec-Fetch-Mode", "navigate");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
        String location = r.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(latch.issuer());
        String expected = rd.equals("/bye") ? "/bye" : "/";
        assertThat(java.net.URLDecoder.decode(location, StandardCharsets.UTF_8)).contains("post_logout_redirect_uri=" + gateway.url(expected));
    }
}
