package dev.latch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.server.client.Client;
import dev.latch.server.client.ClientRegistry;
import dev.latch.server.http.Json;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How bodies cross the wire: request bodies with or without a Content-Length, responses written
 * with their length and never compressed (secrets next to client-chosen values invite BREACH).
 */
class HttpFramingTest {

    static TestServer server;
    static ClientRegistry.Registered client;
    /** Enough scopes that the token response passes Javalin's 1,500-byte compression threshold. */
    static final String MANY_SCOPES = IntStream.range(0, 60).mapToObj(i -> "scope-number-" + i + "-with-a-long-name")
            .collect(Collectors.joining(" "));

    @BeforeAll
    static void start() {
        server = TestServer.start();
        client = server.register(new Client.Builder().clientId("framing").scope(MANY_SCOPES).build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String basic() {
        return "Basic " + Base64.getEncoder().encodeToString(("framing:" + client.clientSecret()).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void tokenResponseWhenClientAcceptsGzipThenSentUncompressedWithItsLength() throws Exception {
        HttpResponse<String> r = server.postForm("/token", "grant_type=client_credentials&scope=" + MANY_SCOPES.replace(' ', '+'),
                "Authorization", basic(), "Accept-Encoding", "gzip, deflate, br");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body().length()).isGreaterThan(1500);
        assertThat(r.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(r.headers().firstValueAsLong("Content-Length")).hasValue(r.body().getBytes(StandardCharsets.UTF_8).length);
        JsonNode json = Json.MAPPER.readTree(r.body());
        assertThat(json.get("scope").asText()).isEqualTo(MANY_SCOPES);
    }

    @Test
    void tokenRequestWhenBodyChunkedWithoutLengthThenParsed() {
        byte[] form = "grant_type=client_credentials&scope=scope-number-1-with-a-long-name".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r = TestServer.send(HttpRequest.newBuilder(URI.create(server.url("/token")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", basic())
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(form)))
                .build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"scope\":\"scope-number-1-with-a-long-name\"");
    }

    @Test
    void tokenRequestWhenChunkedBodyOver64KiBThenInvalidRequest() {
        byte[] form = ("grant_type=client_credentials&padding=" + "a".repeat(70 * 1024)).getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r = TestServer.send(HttpRequest.newBuilder(URI.create(server.url("/token")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", basic())
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(form)))
                .build());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("\"error\":\"invalid_request\"");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    }

    @Test
    void oversizedBodyThenInvalidRequestWithConnectionCloseAndTheNextRequestOnTheSameClientWorks() {
        String big = "a".repeat(1 << 20);
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = server.postForm("/token", big, "Authorization", basic());
            assertThat(r.statusCode()).isEqualTo(400);
            // the rest of the body is left unread and the server closes the connection: it must say so,
            // or the client reuses the connection and its next request fails (broken pipe / no bytes)
            assertThat(r.headers().firstValue("Connection")).hasValue("close");
            HttpResponse<String> next = server.postForm("/token", "grant_type=client_credentials", "Authorization", basic());
            assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
        }
    }
}
