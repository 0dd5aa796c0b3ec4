package dev.latch.cli.doctor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import dev.latch.core.jose.KeyGeneration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A provider made of a local HTTP endpoint whose metadata, JWKS, token endpoint and Date header a
 * test can break one at a time. Healthy by default: exact issuer, absolute endpoints, an RS256
 * (2048-bit) and an ES256 key with unique kids, Date equal to {@link #NOW}, 401 invalid_client for a
 * request without credentials. A plain socket rather than com.sun.net.httpserver, because that one
 * always overwrites the Date header with its own clock and the skew checks need to set it.
 */
final class FakeProvider implements AutoCloseable {

    static final Instant NOW = Instant.parse("2030-01-02T03:04:05Z");
    static final ObjectMapper JSON = new ObjectMapper();
    /** The healthy keys, made once: every test's provider publishes them. */
    static final JWK RS256 = KeyGeneration.generate(JWSAlgorithm.RS256);
    static final JWK ES256 = KeyGeneration.generate(JWSAlgorithm.ES256);

    /** One canned answer. */
    record Answer(int status, String contentType, String body) {}

    final ServerSocket server;
    final String issuer;
    final ObjectNode metadata;
    final List<JWK> privateKeys = new ArrayList<>();
    /** The JWKS members served, public parts of {@link #privateKeys} unless a test replaces them. */
    final ArrayNode keys;
    final Map<String, Answer> overrides = new ConcurrentHashMap<>();
    volatile Instant serverTime = NOW;

    FakeProvider() {
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        issuer = "http://127.0.0.1:" + server.getLocalPort();
        metadata = JSON.createObjectNode();
        metadata.put("issuer", issuer);
        metadata.put("authorization_endpoint", issuer + "/authorize");
        metadata.put("token_endpoint", issuer + "/token");
        metadata.put("jwks_uri", issuer + "/jwks");
        metadata.put("userinfo_endpoint", issuer + "/userinfo");
        metadata.putArray("response_types_supported").add("code");
        metadata.putArray("subject_types_supported").add("public");
        metadata.putArray("id_token_signing_alg_values_supported").add("RS256").add("ES256");
        metadata.putArray("grant_types_supported").add("authorization_code").add("client_credentials");
        metadata.putArray("token_endpoint_auth_methods_supported").add("client_secret_basic").add("private_key_jwt");
        metadata.putArray("token_endpoint_auth_signing_alg_values_supported").add("RS256").add("ES256");
        metadata.putArray("code_challenge_methods_supported").add("S256");
        keys = JSON.createArrayNode();
        addKey(RS256);
        addKey(ES256);
        Thread.ofPlatform().daemon().name("fake-provider").start(this::serve);
    }

    JWK addKey(JWK key) {
        privateKeys.add(key);
        keys.add(JSON.valueToTree(key.toPublicJWK().toJSONObject()));
        return key;
    }

    JWK key(JWSAlgorithm alg) {
        return privateKeys.stream().filter(k -> alg.equals(k.getAlgorithm())).findFirst().orElseThrow();
    }

    /** Replaces what {@code path} answers. */
    FakeProvider answer(String path, int status, String contentType, String body) {
        overrides.put(path, new Answer(status, contentType, body));
        return this;
    }

    private void serve() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> handle(s));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** One HTTP/1.1 exchange per connection: request line, headers, body by Content-Length; the answer closes. */
    private void handle(Socket socket) {
        try (socket; var in = new java.io.BufferedInputStream(socket.getInputStream()); var out = socket.getOutputStream()) {
            String requestLine = line(in);
            int length = 0;
            for (String h; !(h = line(in)).isEmpty(); ) {
                if (h.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) length = Integer.parseInt(h.substring(15).trim());
            }
            in.readNBytes(length);
            String path = java.net.URI.create(requestLine.split(" ")[1]).getPath();
            Answer a = overrides.get(path);
            if (a == null) {
                a = switch (path) {
                    case "/.well-known/openid-configuration" -> new Answer(200, "application/json", metadata.toString());
                    case "/jwks" -> new Answer(200, "application/json", JSON.createObjectNode().set("keys", keys).toString());
                    case "/token" -> new Answer(401, "application/json", "{\"error\":\"invalid_client\",\"error_description\":\"no client authentication\"}");
                    default -> new Answer(404, "text/plain", "not found");
                };
            }
            byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
            String head = "HTTP/1.1 " + a.status() + " X\r\nContent-Type: " + a.contentType() + "\r\nDate: "
                    + DateTimeFormatter.RFC_1123_DATE_TIME.format(serverTime.atZone(ZoneOffset.UTC))
                    + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
        } catch (IOException | RuntimeException e) {
            // the client went away; nothing to answer
        }
    }

    private static String line(java.io.InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) != -1 && c != '\n'; ) {
            if (c != '\r') b.append((char) c);
        }
        return b.toString();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
