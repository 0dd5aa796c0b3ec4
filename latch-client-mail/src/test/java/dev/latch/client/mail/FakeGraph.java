package dev.latch.client.mail;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local stand-in for the parts of Microsoft Graph the mail sender uses, answering as Microsoft
 * documents them: sendMail (202), draft messages (201 with an id), attachments (201), upload sessions
 * (201 with an uploadUrl; PUT ranges answered 200 with {@code nextExpectedRanges} and 201 when complete),
 * send (202), delete (204). Bearer tokens are checked with {@link LatchTokenVerifier} (401 with Graph's
 * error object otherwise). Every request is recorded for the tests to check field by field; an
 * {@link #override} answers instead when it returns a response.
 */
final class FakeGraph implements AutoCloseable {

    record Recorded(String method, String rawPath, String rawQuery, Headers headers, byte[] body) {
        String header(String name) {
            return headers.getFirst(name);
        }

        Map<String, Object> json() {
            try {
                return JSONObjectUtils.parse(new String(body, StandardCharsets.UTF_8));
            } catch (java.text.ParseException e) {
                throw new AssertionError("request body is not a JSON object: " + new String(body, StandardCharsets.UTF_8), e);
            }
        }
    }

    record Response(int status, Map<String, String> headers, String body) {
        static Response json(int status, String body, String... headers) {
            Map<String, String> h = new LinkedHashMap<>();
            h.put("Content-Type", "application/json");
            for (int i = 0; i < headers.length; i += 2) {
                h.put(headers[i], headers[i + 1]);
            }
            return new Response(status, h, body);
        }

        static Response graphError(int status, String code, String message, String... headers) {
            return json(status, "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message
                    + "\",\"innerError\":{\"date\":\"2025-03-04T05:06:07\",\"request-id\":\"req-" + status + "\"}}}", headers);
        }
    }

    private static final Pattern USER = Pattern.compile("/v1\\.0/users/([^/]+)(/.*)");
    private static final Pattern MESSAGE = Pattern.compile("/messages/([^/]+)(/.*)?");

    private final HttpServer server;
    private final LatchTokenVerifier verifier;
    final List<Recorded> requests = new CopyOnWriteArrayList<>();
    /** Upload session id → bytes received so far. */
    final Map<String, ByteArrayOutputStream> uploads = new ConcurrentHashMap<>();
    private final Map<String, Long> uploadSizes = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile Function<Recorded, Response> override = r -> null;

    FakeGraph(LatchTokenVerifier verifier) {
        this.verifier = verifier;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers with {@code f}'s response where it gives one; null falls through to the Graph behaviour. */
    void override(Function<Recorded, Response> f) {
        this.override = f;
    }

    /** Answers the next {@code responses.length} requests with these, then behaves as Graph again. */
    void respondNext(Response... responses) {
        AtomicInteger next = new AtomicInteger();
        override(r -> {
            int i = next.getAndIncrement();
            return i < responses.length ? responses[i] : null;
        });
    }

    List<Recorded> requests(String method) {
        return requests.stream().filter(r -> r.method().equals(method)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Recorded r = new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders(), exchange.getRequestBody().readAllBytes());
            requests.add(r);
            Response response = override.apply(r);
            if (response == null) {
                response = graph(r);
            }
            for (Map.Entry<String, String> h : response.headers().entrySet()) {
                exchange.getResponseHeaders().set(h.getKey(), h.getValue());
            }
            byte[] body = response.body() == null ? new byte[0] : response.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            throw e;
        }
    }

    private Response graph(Recorded r) {
        if (r.rawPath().startsWith("/upload/")) {
            return uploadRange(r);
        }
        String auth = r.header("Authorization");
        if (auth == null || !auth.startsWith("Bearer ") || verifier.clientIdIfValid(auth.substring(7)) == null) {
            return Response.graphError(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.",
                    // what Graph sends: no error="invalid_token" (RFC 6750), the JSON code says it
                    "WWW-Authenticate", "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", "
                            + "client_id=\"00000003-0000-0000-c000-000000000000\"");
        }
        Matcher user = USER.matcher(r.rawPath());
        if (!user.matches()) {
            return Response.graphError(400, "BadRequest", "Resource not found for the segment '" + r.rawPath() + "'.");
        }
        String rest = user.group(2);
        if (r.method().equals("POST") && rest.equals("/sendMail")) {
            return new Response(202, Map.of(), null);
        }
        if (r.method().equals("POST") && rest.equals("/messages")) {
            return Response.json(201, "{\"id\":\"AAMkAD" + ids.incrementAndGet() + "/x+y==\",\"isDraft\":true}");
        }
        Matcher message = MESSAGE.matcher(rest);
        if (!message.matches()) {
            return Response.graphError(400, "BadRequest", "Unsupported request.");
        }
        String action = message.group(2) == null ? "" : message.group(2);
        return switch (r.method() + " " + action) {
            case "POST /attachments" -> Response.json(201, "{\"id\":\"att" + ids.incrementAndGet() + "\"}");
            case "POST /attachments/createUploadSession" -> {
                String session = "s" + ids.incrementAndGet();
                uploads.put(session, new ByteArrayOutputStream());
                Object item = r.json().get("AttachmentItem");
                uploadSizes.put(session, ((Number) ((Map<?, ?>) item).get("size")).longValue());
                yield Response.json(201, "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.uploadSession\","
                        + "\"uploadUrl\":\"" + baseUrl() + "/upload/" + session + "?authtoken=opaque\","
                        + "\"expirationDateTime\":\"2025-03-04T05:21:07Z\",\"nextExpectedRanges\":[\"0-\"]}");
            }
            case "POST /send" -> new Response(202, Map.of(), null);
            case "DELETE " -> new Response(204, Map.of(), null);
            default -> Response.graphError(405, "ErrorInvalidRequest", "The OData request is not supported.");
        };
    }

    /** Accepts exactly the next expected range, as Outlook's upload URL does. */
    private Response uploadRange(Recorded r) {
        String session = r.rawPath().substring("/upload/".length());
        ByteArrayOutputStream received = uploads.get(session);
        if (received == null || !"authtoken=opaque".equals(r.rawQuery())) {
            return Response.graphError(404, "ErrorItemNotFound", "Upload session not found.");
        }
        Matcher range = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)").matcher(String.valueOf(r.header("Content-Range")));
        if (!range.matches()) {
            return Response.graphError(400, "InvalidContentRange", "Content-Range is missing or malformed.");
        }
        long start = Long.parseLong(range.group(1));
        long end = Long.parseLong(range.group(2));
        long total = Long.parseLong(range.group(3));
        if (start != received.size() || end - start + 1 != r.body().length || total != uploadSizes.get(session)) {
            return Response.graphError(416, "InvalidRange", "Expected range starting at " + received.size());
        }
        received.writeBytes(r.body());
        if (received.size() == total) {
            return new Response(201, Map.of("Location", "https://outlook.office.com/api/v2.0/Users('x')/Messages('y')/Attachments('z')"), null);
        }
        return Response.json(200, "{\"expirationDateTime\":\"2025-03-04T05:21:07Z\",\"nextExpectedRanges\":[\"" + received.size() + "\"]}");
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
