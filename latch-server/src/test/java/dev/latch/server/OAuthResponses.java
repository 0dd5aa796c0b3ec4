package dev.latch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Assertions on what the server answers, written from the RFCs rather than from the server's code:
 * RFC 6749 §5.2 error bodies, {@code Cache-Control: no-store}, the {@code WWW-Authenticate}
 * challenge, and that no response leaks a stack trace.
 */
public final class OAuthResponses {

    private static final ObjectMapper JSON = new ObjectMapper();

    private OAuthResponses() {}

    public static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + response.body(), e);
        }
    }

    /** The texts of a JSON array (metadata lists such as {@code scopes_supported}). */
    public static java.util.List<String> strings(JsonNode array) {
        java.util.List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** A successful JSON response that must not be cached; returns its body. */
    public static JsonNode assertNoStoreJson(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Cache-Control")).as("Cache-Control").hasValue("no-store");
        assertThat(response.headers().firstValue("Content-Type")).get().asString().startsWith("application/json");
        assertNoStackTrace(response);
        return json(response);
    }

    /**
     * An RFC 6749 §5.2 error: exact status and {@code error}, a JSON body with no stack trace,
     * {@code Cache-Control: no-store}; returns the body.
     */
    public static JsonNode assertError(HttpResponse<String> response, int status, String error) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = json(response);
        assertThat(body.path("error").asText()).as(response.body()).isEqualTo(error);
        // RFC 6749 §5.2 (and RFC 7591 §3.2.2 by reference): error_description is %x20-21 / %x23-5B / %x5D-7E only
        assertThat(body.path("error_description").asText()).as("error_description").matches("[\\x20-\\x21\\x23-\\x5B\\x5D-\\x7E]*");
        assertThat(response.headers().firstValue("Cache-Control")).as("Cache-Control").hasValue("no-store");
        assertNoStackTrace(response);
        return body;
    }

    /** invalid_client after HTTP Basic: 401 with a Basic challenge (RFC 6749 §5.2). */
    public static JsonNode assertInvalidClientWithBasicChallenge(HttpResponse<String> response) {
        JsonNode body = assertError(response, 401, "invalid_client");
        assertThat(response.headers().firstValue("WWW-Authenticate")).as("WWW-Authenticate").get().asString()
                .startsWith("Basic ").contains("realm=");
        return body;
    }

    /** invalid_client without Basic: 401 and no Basic challenge (the client did not use the header). */
    public static JsonNode assertInvalidClientWithoutChallenge(HttpResponse<String> response) {
        JsonNode body = assertError(response, 401, "invalid_client");
        assertThat(response.headers().firstValue("WWW-Authenticate")).isEmpty();
        return body;
    }

    public static void assertNoStackTrace(HttpResponse<String> response) {
        assertThat(response.body()).as("response body")
                .doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("at dev.latch")
                .doesNotContain("at java.").doesNotContain("at io.javalin").doesNotContain("at org.eclipse");
    }

    /** RFC 6749 §2.3.1: id and secret are form-urlencoded, then joined by ':' and base64-encoded. */
    public static String basic(String clientId, String secret) {
        String raw = form(clientId) + ":" + form(secret);
        return "Basic " + Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    public static String form(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
