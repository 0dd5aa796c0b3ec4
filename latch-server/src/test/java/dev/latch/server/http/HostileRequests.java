package dev.latch.server.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Every kind of bad input a client can send at the HTTP layer, each as raw bytes: odd methods on
 * every endpoint, malformed paths and percent-encodings, bad and oversized headers, oversized and
 * malformed bodies, wrong content types, chunked garbage, bodies on GET, broken request lines.
 * Each request is complete as framed (no kind promises more bytes than it sends, except where a
 * declared length is past any limit), so the server can always answer it.
 */
final class HostileRequests {

    /** One request, written as {@code parts} each flushed alone (headers, then the body, so it can arrive late). */
    record Hostile(String name, List<byte[]> parts, boolean head) {
        byte[][] bytes() {
            return parts.toArray(byte[][]::new);
        }

        /** The same request with another method. */
        Hostile renamed(String from, String to) {
            String first = new String(parts.get(0), StandardCharsets.ISO_8859_1);
            List<byte[]> renamed = new ArrayList<>(parts);
            renamed.set(0, (to + first.substring(from.length())).getBytes(StandardCharsets.ISO_8859_1));
            return new Hostile(name, renamed, head);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static final List<String> ENDPOINTS = List.of("/token", "/introspect", "/revoke", "/par", "/authorize",
            "/authorize/login", "/authorize/consent", "/logout", "/userinfo", "/register", "/register/some-client", "/jwks",
            "/.well-known/openid-configuration", "/.well-known/oauth-authorization-server", "/no-such-endpoint");
    static final List<String> ODD_METHODS = List.of("PUT", "DELETE", "PATCH", "TRACE", "BREW", "PROPFIND", "OPTIONS", "POST", "GET");
    /** Endpoints that read a body. */
    static final List<String> BODY_ENDPOINTS = List.of("/token", "/introspect", "/revoke", "/par", "/authorize",
            "/authorize/login", "/authorize/consent", "/logout", "/userinfo", "/register");
    static final String FORM = "application/x-www-form-urlencoded";

    private HostileRequests() {}

    /** The request that must work after any of these, when the server kept the connection open. */
    static String good() {
        return "GET /jwks HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }

    /** Every kind, in a fixed order. */
    static List<Hostile> kinds() {
        List<Hostile> all = new ArrayList<>();
        for (String path : ENDPOINTS) {
            for (String method : ODD_METHODS) {
                all.add(withBody(method + " " + path + " with a form body", method, path, FORM, "grant_type=x&client_id=y"));
            }
            all.add(head("HEAD " + path, "HEAD " + path + " HTTP/1.1\r\nHost: x\r\n\r\n"));
        }
        all.addAll(malformedPaths());
        all.addAll(badHeaders());
        for (String path : BODY_ENDPOINTS) {
            all.addAll(badBodies(path));
        }
        all.addAll(requestLines());
        return all;
    }

    static List<Hostile> malformedPaths() {
        List<Hostile> all = new ArrayList<>();
        List<String> targets = List.of("/%zz", "/token%", "/%", "/%00", "/token%00", "/..%2f..%2ftoken", "/a/../../token", "/token;jsessionid=x",
                "//token", "/%C3%28", "/token/", "/TOKEN", "/authorize?%", "/authorize?a=%zz&b=%E0%A4%A", "/par?client_id=%FF%FE",
                "/token?x=%00", "/register/%2e%2e%2f", "/register/%", "*", "http://evil.example/token", "/token#frag",
                "/" + "a".repeat(9000), "/authorize?" + "a=b&".repeat(3000),
                // an error redirect echoes state: as long as a request line allows
                "/authorize?client_id=web&redirect_uri=https%3A%2F%2Fapp.example.org%2Fcb&response_type=nonsense&state=" + "s".repeat(7900),
                "/logout?post_logout_redirect_uri=https%3A%2F%2Fapp.example.org%2Fcb&state=" + "s".repeat(7900));
        for (String target : targets) {
            all.add(raw("GET " + target, "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n"));
            all.add(withBody("POST " + target, "POST", target, FORM, "a=b"));
        }
        all.add(raw("raw non-ASCII byte in the path", "GET /token\u00ff\u00fe HTTP/1.1\r\nHost: x\r\n\r\n"));
        all.add(raw("control character in the path", "GET /tok\u0001en HTTP/1.1\r\nHost: x\r\n\r\n"));
        all.add(raw("tab in the path", "GET /to\tken HTTP/1.1\r\nHost: x\r\n\r\n"));
        return all;
    }

    static List<Hostile> badHeaders() {
        List<Hostile> all = new ArrayList<>();
        String post = "POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: " + FORM + "\r\n";
        all.add(raw("header without a colon", "GET /jwks HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n"));
        all.add(raw("space before the colon", "GET /jwks HTTP/1.1\r\nHost : x\r\n\r\n"));
        all.add(raw("obsolete line folding", "GET /jwks HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  folded\r\n\r\n"));
        all.add(raw("header value of 20 KiB", "GET /jwks HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20 * 1024) + "\r\n\r\n"));
        all.add(raw("header value of 70 KiB", "POST /token HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(70 * 1024) + "\r\nContent-Length: 3\r\n\r\na=b"));
        all.add(raw("600 headers", "GET /jwks HTTP/1.1\r\nHost: x\r\n" + "X-H: v\r\n".repeat(600) + "\r\n"));
        all.add(raw("non-ASCII header value", "GET /userinfo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \u00ff\u00fe\u00e9\r\n\r\n"));
        all.add(raw("control character in a header value", "GET /jwks HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n"));
        all.add(raw("no Host", "GET /jwks HTTP/1.1\r\n\r\n"));
        all.add(raw("two Host headers", "GET /jwks HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n"));
        all.add(raw("Content-Length not a number", post + "Content-Length: abc\r\n\r\na=b"));
        all.add(raw("Content-Length negative", post + "Content-Length: -5\r\n\r\na=b"));
        all.add(raw("two different Content-Lengths", post + "Content-Length: 3\r\nContent-Length: 5\r\n\r\na=b"));
        all.add(raw("Content-Length and chunked", post + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
        all.add(raw("Transfer-Encoding gzip", post + "Transfer-Encoding: gzip\r\n\r\n"));
        all.add(raw("Transfer-Encoding chunked twice", post + "Transfer-Encoding: chunked, chunked\r\n\r\n3\r\na=b\r\n0\r\n\r\n"));
        all.add(raw("Content-Length past every limit, no body", post + "Content-Length: 999999999\r\n\r\n"));
        all.add(raw("Authorization Basic garbage", post + "Authorization: Basic %%%\r\nContent-Length: 3\r\n\r\na=b"));
        all.add(raw("Expect 100-continue", post + "Expect: 100-continue\r\nContent-Length: 3\r\n\r\na=b"));
        all.add(raw("Expect nonsense", post + "Expect: the-unexpected\r\nContent-Length: 3\r\n\r\na=b"));
        all.add(raw("Connection upgrade to h2c", "GET /jwks HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAA\r\n\r\n"));
        all.add(raw("Upgrade websocket", "GET /token HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: x\r\n\r\n"));
        return all;
    }

    static List<Hostile> badBodies(String path) {
        List<Hostile> all = new ArrayList<>();
        all.add(withBody("POST " + path + " body of 70 KiB", "POST", path, FORM, "a=" + "x".repeat(70 * 1024)));
        all.add(chunked("POST " + path + " chunked body of 70 KiB", path, FORM, "a=" + "x".repeat(70 * 1024)));
        all.add(withBody("POST " + path + " form of 20 KiB", "POST", path, FORM,
                "response_type=code&client_id=web&state=" + "s".repeat(20 * 1024)));
        all.add(withBody("POST " + path + " malformed form", "POST", path, FORM, "a=%zz&%&=&b=%C3%28"));
        all.add(withBody("POST " + path + " JSON body", "POST", path, "application/json", "{\"grant_type\":\"client_credentials\"}"));
        all.add(withBody("POST " + path + " text/plain", "POST", path, "text/plain", "grant_type=client_credentials"));
        all.add(withBody("POST " + path + " multipart garbage", "POST", path, "multipart/form-data; boundary=zz", "--zz\r\nnot a part\r\n--z"));
        all.add(withBody("POST " + path + " no content type", "POST", path, null, "grant_type=client_credentials"));
        all.add(withBody("POST " + path + " utf-16 charset", "POST", path, FORM + "; charset=utf-16", "\u00fe\u00ffa=b"));
        byte[] binary = new byte[3000];
        new Random(11).nextBytes(binary);
        all.add(withBody("POST " + path + " binary body", "POST", path, FORM, new String(binary, StandardCharsets.ISO_8859_1)));
        String head = "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: " + FORM + "\r\nTransfer-Encoding: chunked\r\n\r\n";
        all.add(split("POST " + path + " chunk size not hex", head, "zz\r\nabc\r\n0\r\n\r\n"));
        all.add(split("POST " + path + " chunk shorter than its size line", head, "5\r\nab\r\n0\r\n\r\n"));
        all.add(split("POST " + path + " chunk size negative", head, "-1\r\nabc\r\n0\r\n\r\n"));
        all.add(split("POST " + path + " chunk extension of 10 KiB", head, "3;" + "e".repeat(10 * 1024) + "\r\na=b\r\n0\r\n\r\n"));
        all.add(split("POST " + path + " chunk without CRLF", head, "3\r\na=bX0\r\n\r\n"));
        all.add(split("POST " + path + " garbage trailer", head, "3\r\na=b\r\n0\r\nnot a trailer\r\n\r\n"));
        all.add(withBody("GET " + path + " with a body", "GET", path, FORM, "grant_type=client_credentials"));
        all.add(chunked("GET " + path + " with a chunked body", path, FORM, "a=b").renamed("POST", "GET"));
        return all;
    }

    static List<Hostile> requestLines() {
        List<Hostile> all = new ArrayList<>();
        all.add(raw("HTTP/1.0 without keep-alive", "GET /jwks HTTP/1.0\r\n\r\n"));
        all.add(raw("HTTP/1.0 with keep-alive", "GET /jwks HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
        all.add(raw("HTTP/2.0 in a request line", "GET /jwks HTTP/2.0\r\nHost: x\r\n\r\n"));
        all.add(raw("HTTP/9.9", "GET /jwks HTTP/9.9\r\nHost: x\r\n\r\n"));
        all.add(raw("HTTP/0.9 style", "GET /jwks\r\n\r\n"));
        all.add(raw("two spaces", "GET  /jwks HTTP/1.1\r\nHost: x\r\n\r\n"));
        all.add(raw("lower-case method", "get /jwks HTTP/1.1\r\nHost: x\r\n\r\n"));
        all.add(raw("method of 9 KiB", "G".repeat(9 * 1024) + " /jwks HTTP/1.1\r\nHost: x\r\n\r\n"));
        all.add(raw("empty line first", "\r\nGET /jwks HTTP/1.1\r\nHost: x\r\n\r\n"));
        all.add(raw("binary line", "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u00fc\u0003\u0003\r\n\r\n"));
        all.add(raw("LF only", "GET /jwks HTTP/1.1\nHost: x\n\n"));
        return all;
    }

    /**
     * A random hostile request (a kind, or an endpoint × method × content type × body), for the storm;
     * the same seed gives the same sequence.
     */
    static Hostile random(Random random, List<Hostile> kinds) {
        if (random.nextInt(3) > 0) {
            return kinds.get(random.nextInt(kinds.size()));
        }
        String method = pick(random, ODD_METHODS);
        String path = pick(random, ENDPOINTS);
        String type = pick(random, List.of(FORM, "application/json", "text/plain", FORM + "; charset=latin1", "application/jwt"));
        String body = switch (random.nextInt(5)) {
            case 0 -> "";
            case 1 -> "grant_type=client_credentials&scope=" + "s".repeat(random.nextInt(200));
            case 2 -> "%" + "z".repeat(random.nextInt(50)) + "&=&%E0";
            case 3 -> "a=" + "x".repeat(random.nextInt(100 * 1024));
            default -> {
                byte[] b = new byte[random.nextInt(4096)];
                random.nextBytes(b);
                yield new String(b, StandardCharsets.ISO_8859_1);
            }
        };
        String query = random.nextBoolean() ? "" : "?" + pick(random, List.of("a=%zz", "%", "client_id=%00", "x=" + "y".repeat(2000), "a=b"));
        return random.nextBoolean()
                ? withBody("random " + method + " " + path + query, method, path + query, type, body)
                : chunked("random chunked " + path + query, path + query, type, body).renamed("POST", method);
    }

    private static <T> T pick(Random random, List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    static Hostile raw(String name, String request) {
        return new Hostile(name, List.of(request.getBytes(StandardCharsets.ISO_8859_1)), false);
    }

    static Hostile head(String name, String request) {
        return new Hostile(name, List.of(request.getBytes(StandardCharsets.ISO_8859_1)), true);
    }

    static Hostile split(String name, String head, String body) {
        return new Hostile(name, List.of(head.getBytes(StandardCharsets.ISO_8859_1), body.getBytes(StandardCharsets.ISO_8859_1)), false);
    }

    /** A request with a {@code Content-Length} body, written in two parts: headers, then the body. */
    static Hostile withBody(String name, String method, String target, String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.ISO_8859_1);
        String head = method + " " + target + " HTTP/1.1\r\nHost: x\r\n" + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
                + "Content-Length: " + bytes.length + "\r\n\r\n";
        return new Hostile(name, List.of(head.getBytes(StandardCharsets.ISO_8859_1), bytes), false);
    }

    /** A POST with a well-framed chunked body (chunks of at most 8 KiB), headers and body in two parts. */
    static Hostile chunked(String name, String target, String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < bytes.length; i += 8192) {
            int n = Math.min(8192, bytes.length - i);
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes, i, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        String head = "POST " + target + " HTTP/1.1\r\nHost: x\r\nContent-Type: " + contentType + "\r\nTransfer-Encoding: chunked\r\n\r\n";
        return new Hostile(name, List.of(head.getBytes(StandardCharsets.ISO_8859_1), out.toByteArray()), false);
    }
}
