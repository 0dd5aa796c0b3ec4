package dev.latch.server.http;

import dev.latch.core.error.OAuthError;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders an {@link OAuthError}: as RFC 6749 §5.2 JSON for the token, introspection, revocation and
 * registration endpoints, or as an RFC 6750 §3 {@code WWW-Authenticate: Bearer} challenge for
 * resources. The only code that writes error bodies.
 */
public final class ErrorRenderer {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorRenderer.class);

    private ErrorRenderer() {}

    public static Response json(OAuthError error) {
        log(error);
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", error.code());
        body.put("error_description", error.description());
        Response response = Response.noStoreJson(error.status(), Json.write(body));
        if (error.basicChallenge()) {
            response = response.withHeader("WWW-Authenticate", "Basic realm=\"latch\", charset=\"UTF-8\"");
        }
        return response;
    }

    /** RFC 6750 §3: the challenge carries the error code; 401 for invalid_token, 403 for insufficient_scope. */
    public static Response bearer(OAuthError error) {
        log(error);
        String challenge = "Bearer realm=\"latch\", error=\"" + error.code() + "\", error_description=\""
                + error.description().replace("\"", "'") + "\"";
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", error.code());
        body.put("error_description", error.description());
        return Response.noStoreJson(error.status(), Json.write(body)).withHeader("WWW-Authenticate", challenge);
    }

    /** An unexpected failure: logged with its stack trace, answered as a bare server_error. */
    public static Response unexpected(Throwable failure) {
        LOG.error("unexpected failure", failure);
        return json(OAuthError.serverError("the server could not complete the request"));
    }

    private static void log(OAuthError error) {
        if (error.status() >= 500) {
            LOG.warn("{} {}: {}", error.status(), error.code(), error.detail() == null ? error.description() : error.detail());
        } else if (LOG.isDebugEnabled()) {
            LOG.debug("{} {}: {}{}", error.status(), error.code(), error.description(),
                    error.detail() == null ? "" : " (" + error.detail() + ")");
        }
    }
}
