package dev.latch.resource;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.latch.client.auth.ClientAuthentication;
import dev.latch.client.auth.FormPost;
import dev.latch.client.fetch.HttpFailure;
import dev.latch.client.fetch.ResponseBodies;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * One RFC 7662 §2.1 introspection request: {@code token} and {@code token_type_hint=access_token} posted
 * with the resource server's client authentication (through latch-client's {@link FormPost}, the one form
 * encoder), and the answer read strictly (§2.2: a JSON object with a boolean {@code active}).
 */
final class TokenIntrospection {

    /** The endpoint could not give a usable answer; the message says why, for the log. */
    static final class Unavailable extends RuntimeException {
        Unavailable(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    private final HttpClient http;
    private final ClientAuthentication authentication;
    private final URI issuer;
    private final Duration timeout;

    TokenIntrospection(HttpClient http, ClientAuthentication authentication, URI issuer, Duration timeout) {
        this.http = http;
        this.authentication = authentication;
        this.issuer = issuer;
        this.timeout = timeout;
    }

    /**
     * The introspection answer for {@code token} at {@code endpoint}.
     *
     * @throws Unavailable on a transport failure, a status other than 200, a body over 1 MiB, or one that is
     *                     not a JSON object with a boolean {@code active}
     */
    Map<String, Object> introspect(URI endpoint, String token) {
        FormPost post = new FormPost(endpoint).add("token", token).add("token_type_hint", "access_token");
        authentication.apply(post, issuer);
        String body;
        int status;
        try {
            HttpResponse<InputStream> response = http.send(post.toHttpRequest(timeout), HttpResponse.BodyHandlers.ofInputStream());
            status = response.statusCode();
            Optional<String> text = ResponseBodies.utf8(response.body(), ResponseBodies.MAX_BYTES);
            if (text.isEmpty()) {
                throw new Unavailable("introspection endpoint " + endpoint + " answered more than 1 MiB", null);
            }
            body = text.get();
        } catch (IOException e) {
            throw new Unavailable("introspection: " + HttpFailure.describe(endpoint, e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while waiting for introspection endpoint " + endpoint, e);
        }
        if (status != 200) {
            // 401 here means the resource server's own credentials are refused: a set-up problem, not the caller's
            throw new Unavailable("introspection endpoint " + endpoint + " answered " + status, null);
        }
        Map<String, Object> json;
        try {
            json = JSONObjectUtils.parse(body);
        } catch (java.text.ParseException e) {
            throw new Unavailable("introspection endpoint " + endpoint + " answered 200 with something that is not a JSON object", e);
        }
        if (!(json.get("active") instanceof Boolean)) {
            throw new Unavailable("introspection endpoint " + endpoint + " answered without a boolean active (RFC 7662 §2.2)", null);
        }
        return json;
    }
}
