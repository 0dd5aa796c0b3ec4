package dev.latch.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sealed cookies of sso routes: sealing, refusing every value that was not sealed here for the same
 * purpose (without ever throwing), secret rotation, and the {@code Set-Cookie} headers a real Jetty
 * response carries (chunks, stale chunks expired, attributes).
 */
class SessionCookiesTest {

    private static final String A = "secret-A-0123456789-0123456789-0123456789";
    private static final String B = "secret-B-0123456789-0123456789-0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private static Server server;
    private static String base;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /**
     * A Jetty server whose one handler writes what the query asks: {@code name}, {@code length} (a value of
     * that many characters), {@code maxAge}, {@code secure}, {@code clear}; and answers the value the request's
     * cookies join to under {@code name}.
     */
    @BeforeAll
    static void startServer() throws Exception {
        server = new Server();
        HttpConfiguration config = new HttpConfiguration();
        config.setRequestHeaderSize(64 * 1024); // the test sends several chunks back; this is about SessionCookies, not Jetty's limit
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config));
        connector.setHost(InetAddress.getLoopbackAddress().getHostAddress());
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Fields q = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
                String name = q.getValue("name");
                SessionCookies cookies = new SessionCookies(List.of(A), "true".equals(q.getValue("secure")));
                Map<String, String> jar = SessionCookies.read(request);
                String joined = SessionCookies.joined(jar, name);
                if ("true".equals(q.getValue("clear"))) {
                    cookies.clear(response, jar, name, "/");
                } else if (q.getValue("length") != null) {
                    String value = value(Integer.parseInt(q.getValue("length")));
                    cookies.write(response, jar, name, q.getValue("path") == null ? "/" : q.getValue("path"), value,
                            Long.parseLong(q.getValue("maxAge") == null ? "-1" : q.getValue("maxAge")));
                }
                response.setStatus(200);
                response.write(true, ByteBuffer.wrap(String.valueOf(joined).getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort() + "/";
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.stop();
    }

    /** A cookie value of {@code length} characters, different at each position (so a wrong join shows). */
    static String value(int length) {
        StringBuilder b = new StringBuilder(length);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < length; i++) {
            b.append(alphabet.charAt((i * 7 + i / 64) % alphabet.length()));
        }
        return b.toString();
    }

    private record Answer(String body, List<String> setCookies) {}

    private static Answer get(String query, String cookieHeader) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + "?" + query));
        if (cookieHeader != null) {
            r.header("Cookie", cookieHeader);
        }
        HttpResponse<String> response = HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new Answer(response.body(), response.headers().allValues("Set-Cookie"));
    }

    /** name → value of the Set-Cookie headers. */
    private static Map<String, String> values(List<String> setCookies) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String header : setCookies) {
            String pair = header.split(";", 2)[0];
            int eq = pair.indexOf('=');
            out.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return out;
    }

    /** The attributes of a Set-Cookie header, lower-case, without the name=value pair (Expires dropped: it is a date). */
    private static List<String> attributes(String setCookie) {
        List<String> out = new ArrayList<>();
        String[] parts = setCookie.split(";");
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].strip().toLowerCase(java.util.Locale.ROOT);
            if (!p.startsWith("expires=")) {
                out.add(p);
            }
        }
        return out;
    }

    /** True when the header deletes its cookie (Jetty writes max-age 0 as an Expires in 1970). */
    private static boolean expires(String setCookie) {
        String lower = setCookie.toLowerCase(java.util.Locale.ROOT);
        return lower.contains("; max-age=0") || lower.contains("; expires=thu, 01 jan 1970 00:00:00 gmt");
    }

    private static String cookieHeader(Map<String, String> cookies) {
        StringBuilder b = new StringBuilder();
        cookies.forEach((k, v) -> b.append(b.isEmpty() ? "" : "; ").append(k).append('=').append(v));
        return b.toString();
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    // ------------------------------------------------------------------ seal and open

    @Test
    void sealThenOpenGivesThePlaintextBackAndEachSealIsDifferent() {
        SessionCookies cookies = new SessionCookies(List.of(A), false);
        byte[] plaintext = "{\"s\":\"alice\"}".getBytes(StandardCharsets.UTF_8);

        String first = cookies.seal("session", plaintext);
        String second = cookies.seal("session", plaintext);

        assertThat(cookies.open("session", first)).isEqualTo(plaintext);
        assertThat(cookies.open("session", second)).isEqualTo(plaintext);
        assertThat(first).isNotEqualTo(second).matches("[A-Za-z0-9_-]+");
        assertThat(cookies.open("session", cookies.seal("session", new byte[0]))).isEmpty();
        assertThat(new SessionCookies(List.of(A), false).open("session", first)).as("another instance with the same secret").isEqualTo(plaintext);
        assertThat(cookies.sealedWithOlderSecret(first)).isFalse();
    }

    @Test
    void openWhenSealedForAnotherPurposeThenNull() {
        SessionCookies cookies = new SessionCookies(List.of(A), false);
        String login = cookies.seal("latch-sso-login", "{}".getBytes(StandardCharsets.UTF_8));

        assertThat(cookies.open("latch-sso-session", login)).isNull();
        assertThat(cookies.open("latch-sso-login", login)).isNotNull();
    }

    @Test
    void openWhenAnyCharacterAlteredThenNull() {
        SessionCookies cookies = new SessionCookies(List.of(A), false);
        // 5 + 12 + 31 + 16 = 64 bytes would leave unused bits in the last character; 5 + 12 + 30 + 16 = 63 leaves none
        String sealed = cookies.seal("session", bytes(30));
        assertThat(sealed).hasSize(84);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < sealed.length(); i++) {
            char c = sealed.charAt(i);
            for (char other : new char[] {alphabet.charAt((alphabet.indexOf(c) + 1) % 64), alphabet.charAt((alphabet.indexOf(c) + 32) % 64),
                    '+', '/', '=', '.', ' ', '\u00e9'}) {
                String altered = sealed.substring(0, i) + other + sealed.substring(i + 1);
                assertThat(cookies.open("session", altered)).as("character %d changed to %s", i, other).isNull();
            }
        }
    }

    @Test
    void openWhenLastCharacterOnlyChangesUnusedBitsThenTheSameBytesOpen() {
        SessionCookies cookies = new SessionCookies(List.of(A), false);
        String sealed = cookies.seal("session", bytes(31)); // 64 bytes: the last character carries 2 bits and 4 unused ones
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        byte[] original = Base64.getUrlDecoder().decode(sealed);
        for (char other : alphabet.toCharArray()) {
            String altered = sealed.substring(0, sealed.length() - 1) + other;
            byte[] decoded;
            try {
                decoded = Base64.getUrlDecoder().decode(altered);
            } catch (IllegalArgumentException e) {
                decoded = null;
            }
            // the JDK decoder ignores the unused bits: such a value is the same sealed bytes, not a forgery
            if (decoded != null && java.util.Arrays.equals(decoded, original)) {
                assertThat(cookies.open("session", altered)).isNotNull();
            } else {
                assertThat(cookies.open("session", altered)).as("last character changed to %s", other).isNull();
            }
        }
    }

    @Test
    void openWhenTruncatedThenNull() {
        SessionCookies cookies = new SessionCookies(List.of(A), false);
        String sealed = cookies.seal("session", bytes(40));
        for (int length = 0; length < sealed.length(); length++) {
            assertThat(cookies.open("session", sealed.substring(0, length))).as("first %d characters", length).isNull();
        }
        assertThat(cookies.open("session", sealed.substring(1))).isNull();
    }

    @Test
    void openWhenGarbageOrWrongVersionThenNullNeverAnException() {
        SessionCookies cookies = new SessionCookies(List.of(A), false);
        String sealed = cookies.seal("session", bytes(20));
        byte[] raw = Base64.getUrlDecoder().decode(sealed);
        Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();

        for (String garbage : new String[] {null, "", "=", "====", "!!!!", "not base64 at all", "%41%42", "a", "ab", "abc", "AQ",
                "AQAAAAA", sealed + "==", sealed + "===", sealed + sealed, sealed.replace('-', '+').replace('_', '/') + "x+/",
                "=" + sealed, sealed + "\n", " " + sealed, encoder.encodeToString(bytes(5)), encoder.encodeToString(bytes(64)), encoder.encodeToString(bytes(4000))}) {
            assertThat(catchOpen(cookies, garbage)).as(String.valueOf(garbage)).isNull();
        }
        for (int version : new int[] {0, 2, 0x7f, -1}) {
            byte[] other = raw.clone();
            other[0] = (byte) version;
            assertThat(cookies.open("session", encoder.encodeToString(other))).as("version %d", version).isNull();
        }
        byte[] keyIdOnly = java.util.Arrays.copyOf(raw, 5);
        assertThat(cookies.open("session", encoder.encodeToString(keyIdOnly))).as("version and key id, nothing sealed").isNull();
        byte[] short27 = java.util.Arrays.copyOf(raw, 5 + 27);
        assertThat(cookies.open("session", encoder.encodeToString(short27))).as("shorter than nonce and tag").isNull();
        // the same bytes with base64 padding are the same sealed value, not an altered one
        assertThat(cookies.open("session", Base64.getUrlEncoder().encodeToString(raw))).isNotNull();
    }

    /** open, turning a (wrong) exception into a failure that names it. */
    private static byte[] catchOpen(SessionCookies cookies, String value) {
        try {
            return cookies.open("session", value);
        } catch (RuntimeException e) {
            throw new AssertionError("open threw for " + value + ": " + e, e);
        }
    }

    // ------------------------------------------------------------------ rotation

    @Test
    void rotationWhenSealedUnderAThenBAndAOpensItAndSaysSealAgainButBAloneDoesNot() {
        byte[] plaintext = "{\"s\":\"bob\"}".getBytes(StandardCharsets.UTF_8);
        String underA = new SessionCookies(List.of(A), false).seal("session", plaintext);

        SessionCookies rotated = new SessionCookies(List.of(B, A), false);
        assertThat(rotated.open("session", underA)).isEqualTo(plaintext);
        assertThat(rotated.sealedWithOlderSecret(underA)).isTrue();
        String resealed = rotated.seal("session", plaintext);
        assertThat(rotated.sealedWithOlderSecret(resealed)).isFalse();
        assertThat(new SessionCookies(List.of(A), false).open("session", resealed)).as("B's value does not open under A alone").isNull();

        SessionCookies onlyB = new SessionCookies(List.of(B), false);
        assertThat(onlyB.open("session", underA)).isNull();
        assertThat(onlyB.open("session", resealed)).isEqualTo(plaintext);
    }

    @Test
    void rotationWhenSealedUnderTheFirstOfTwoThenNotOlder() {
        SessionCookies ab = new SessionCookies(List.of(A, B), false);
        String value = ab.seal("session", bytes(10));
        assertThat(ab.sealedWithOlderSecret(value)).isFalse();
        assertThat(new SessionCookies(List.of(B, A), false).sealedWithOlderSecret(value)).isTrue();
        assertThat(new SessionCookies(List.of(A), false).open("session", value)).isNotNull();
    }

    // ------------------------------------------------------------------ joined, isPart

    @Test
    void joinedWhenWholeOrChunkedThenTheValueAndWhenNoneThenNull() {
        assertThat(SessionCookies.joined(Map.of("_latch_sso", "abc"), "_latch_sso")).isEqualTo("abc");
        assertThat(SessionCookies.joined(Map.of("_latch_sso_0", "ab", "_latch_sso_1", "cd", "_latch_sso_2", "e"), "_latch_sso"))
                .isEqualTo("abcde");
        assertThat(SessionCookies.joined(Map.of("other", "x"), "_latch_sso")).isNull();
        assertThat(SessionCookies.joined(Map.of(), "_latch_sso")).isNull();
        assertThat(SessionCookies.joined(Map.of("_latch_sso_1", "cd"), "_latch_sso")).as("no first chunk").isNull();
    }

    @Test
    void joinedWhenAMiddleChunkIsMissingThenTheValueDoesNotOpen() {
        SessionCookies cookies = new SessionCookies(List.of(A), false);
        String sealed = cookies.seal("session", bytes(3 * SessionCookies.CHUNK));
        Map<String, String> jar = new LinkedHashMap<>();
        for (int i = 0; i * SessionCookies.CHUNK < sealed.length(); i++) {
            jar.put("s_" + i, sealed.substring(i * SessionCookies.CHUNK, Math.min(sealed.length(), (i + 1) * SessionCookies.CHUNK)));
        }
        assertThat(jar).hasSizeGreaterThanOrEqualTo(4);
        assertThat(cookies.open("session", SessionCookies.joined(jar, "s"))).isNotNull();
        jar.remove("s_1");
        assertThat(cookies.open("session", SessionCookies.joined(jar, "s"))).isNull();
    }

    @Test
    void isPartWhenTheNameOrItsNumberedChunksThenTrue() {
        assertThat(SessionCookies.isPart("_latch_sso", "_latch_sso")).isTrue();
        assertThat(SessionCookies.isPart("_latch_sso_0", "_latch_sso")).isTrue();
        assertThat(SessionCookies.isPart("_latch_sso_7", "_latch_sso")).isTrue();
        assertThat(SessionCookies.isPart("_latch_sso_12", "_latch_sso")).isTrue();
        assertThat(SessionCookies.isPart("_latch_sso_", "_latch_sso")).isFalse();
        assertThat(SessionCookies.isPart("_latch_sso_x", "_latch_sso")).isFalse();
        assertThat(SessionCookies.isPart("_latch_sso_1a", "_latch_sso")).isFalse();
        assertThat(SessionCookies.isPart("_latch_sso_login_abc", "_latch_sso")).isFalse();
        assertThat(SessionCookies.isPart("_latch_ss", "_latch_sso")).isFalse();
        assertThat(SessionCookies.isPart("_latch_sso2", "_latch_sso")).isFalse();
        assertThat(SessionCookies.isPart("x_latch_sso", "_latch_sso")).isFalse();
        assertThat(SessionCookies.isPart("app_session", "_latch_sso")).isFalse();
    }

    // ------------------------------------------------------------------ Set-Cookie of a real Jetty response

    @Test
    void writeWhenShortThenOneCookieHttpOnlyLaxNotSecureWithMaxAge() throws Exception {
        Answer a = get("name=_latch_sso&length=100&maxAge=3600", null);

        assertThat(a.setCookies()).singleElement().asString().startsWith("_latch_sso=" + value(100) + ";");
        assertThat(attributes(a.setCookies().getFirst())).containsExactlyInAnyOrder("path=/", "max-age=3600", "httponly", "samesite=lax");
    }

    @Test
    void writeWhenSecureThenSecureAndWhenBrowserSessionThenNoMaxAge() throws Exception {
        Answer a = get("name=_latch_sso&length=10&secure=true&path=/oauth2/", null);

        assertThat(attributes(a.setCookies().getFirst())).containsExactlyInAnyOrder("path=/oauth2/", "secure", "httponly", "samesite=lax");
        assertThat(a.setCookies().getFirst()).doesNotContainIgnoringCase("expires=").doesNotContainIgnoringCase("max-age");
    }

    @Test
    void writeWhenLongerThanAChunkThenNumberedChunksThatJoinBack() throws Exception {
        int length = 2 * SessionCookies.CHUNK + 17;
        Answer a = get("name=_latch_sso&length=" + length + "&maxAge=60", null);

        Map<String, String> set = values(a.setCookies());
        assertThat(set.keySet()).containsExactly("_latch_sso_0", "_latch_sso_1", "_latch_sso_2");
        assertThat(set.get("_latch_sso_0")).hasSize(SessionCookies.CHUNK);
        assertThat(set.get("_latch_sso_1")).hasSize(SessionCookies.CHUNK);
        assertThat(set.get("_latch_sso_2")).hasSize(17);
        assertThat(a.setCookies()).allSatisfy(h -> assertThat(attributes(h)).contains("path=/", "max-age=60", "httponly", "samesite=lax"));

        Answer back = get("name=_latch_sso", cookieHeader(set));
        assertThat(back.body()).isEqualTo(value(length));
        assertThat(back.setCookies()).isEmpty();
    }

    @Test
    void writeWhenExactlyAChunkThenOneWholeCookie() throws Exception {
        Answer a = get("name=s&length=" + SessionCookies.CHUNK, null);
        assertThat(values(a.setCookies()).keySet()).containsExactly("s");
        Answer b = get("name=s&length=" + (SessionCookies.CHUNK + 1), null);
        assertThat(values(b.setCookies()).keySet()).containsExactly("s_0", "s_1");
    }

    @Test
    void writeWhenShortAfterLongThenTheStaleChunksExpire() throws Exception {
        Map<String, String> jar = values(get("name=_latch_sso&length=" + (3 * SessionCookies.CHUNK + 1), null).setCookies());
        assertThat(jar).hasSize(4);
        jar.put("app_session", "keep-me");

        Answer a = get("name=_latch_sso&length=50&maxAge=60", cookieHeader(jar));

        Map<String, String> set = values(a.setCookies());
        assertThat(set.keySet()).containsExactlyInAnyOrder("_latch_sso", "_latch_sso_0", "_latch_sso_1", "_latch_sso_2", "_latch_sso_3");
        assertThat(set.get("_latch_sso")).isEqualTo(value(50));
        assertThat(a.setCookies().stream().filter(h -> h.startsWith("_latch_sso="))).singleElement()
                .matches(h -> attributes(h).contains("max-age=60") && !expires(h));
        for (String header : a.setCookies()) {
            if (!header.startsWith("_latch_sso=")) {
                assertThat(header).as(header).matches("_latch_sso_\\d=;.*");
                assertThat(attributes(header)).as(header).contains("path=/", "httponly", "samesite=lax");
                assertThat(expires(header)).as(header).isTrue();
            }
        }
    }

    @Test
    void writeWhenFewerChunksThanBeforeThenOnlyTheExtraOnesExpire() throws Exception {
        Map<String, String> jar = values(get("name=s&length=" + (3 * SessionCookies.CHUNK + 1), null).setCookies());
        jar.put("s", "an-old-whole-value");

        Answer a = get("name=s&length=" + (SessionCookies.CHUNK + 1) + "&maxAge=60", cookieHeader(jar));

        Map<String, String> set = values(a.setCookies());
        assertThat(set).containsEntry("s_0", value(SessionCookies.CHUNK + 1).substring(0, SessionCookies.CHUNK))
                .containsEntry("s_1", value(SessionCookies.CHUNK + 1).substring(SessionCookies.CHUNK))
                .containsEntry("s_2", "").containsEntry("s_3", "").containsEntry("s", "");
        assertThat(a.setCookies().stream().filter(SessionCookiesTest::expires).count()).isEqualTo(3);
        assertThat(a.setCookies().stream().filter(h -> h.startsWith("s_0=") || h.startsWith("s_1="))).noneMatch(SessionCookiesTest::expires);
    }

    @Test
    void writeWhenMoreThanEightChunksThenRefusedWithTheReason() {
        SessionCookies cookies = new SessionCookies(List.of(A), false);
        assertThatThrownBy(() -> cookies.write(null, Map.of(), "s", "/", value(8 * SessionCookies.CHUNK + 1), 60))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("too large for cookies");
    }

    @Test
    void clearExpiresEveryPartTheRequestCarriesAndNothingElse() throws Exception {
        Answer a = get("name=_latch_sso&clear=true",
                "_latch_sso_0=a; _latch_sso_1=b; _latch_sso=c; _latch_sso_login_abc=d; app=e");

        assertThat(values(a.setCookies())).containsOnlyKeys("_latch_sso_0", "_latch_sso_1", "_latch_sso");
        assertThat(a.setCookies()).allSatisfy(h -> assertThat(expires(h)).as(h).isTrue()).allMatch(h -> attributes(h).contains("path=/"));
        assertThat(get("name=_latch_sso&clear=true", "app=e").setCookies()).isEmpty();
    }

    @Test
    void readWhenANameRepeatsThenTheFirst() throws Exception {
        assertThat(get("name=s", "s=first; s=second").body()).isEqualTo("first");
    }
}
