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
        body.put("error_description", describe(error));
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
                + describe(error) + "\"";
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", error.code());
        body.put("error_description", describe(error));
        return Response.noStoreJson(error.status(), Json.write(body)).withHeader("WWW-Authenticate", challenge);
    }

    /** An error answered to a browser as the error page (logged as {@link #json} logs it), its description as the message. */
    public static Response page(OAuthError error, HttpAdapter.ErrorPage page) {
        log(error);
        String title = error.status() == 503 ? "Try again in a moment" : "Something went wrong";
        return page.render(error.status(), title, describe(error), error.code());
    }

        /** An unexpected failure: logged with its stack trace, answered as a bare server_error. */
    public static Response unexpected(Throwable failure) {
        LOG.error("unexpected failure", failure);
        return json(OAuthError.serverError("the server could not complete the request"));
    }

    /**
     * RFC 6749 §5.2 (RFC 6750 §3, RFC 7591 §3.2.2 alike): {@code error_description} holds only
     * %x20-21 / %x23-5B / %x5D-7E. Descriptions quote what the caller sent, so they are mapped into
     * that set here: a few signs spelled out, quotes made single, anything else a '?'.
     */
    static String describe(OAuthError error) {
        String d = error.description().replace("§", "section ").replace("≥", ">=").replace("–", "-").replace("—", "-");
        StringBuilder out = new StringBuilder(d.length());
        for (int i = 0; i < d.length(); i++) {
            char c = d.charAt(i);
            if (c == '"') {
                out.append('\'');
            } else if (c >= 0x20 && c <= 0x7e && c != '\\') {
                out.append(c);
            } else {
                out.append('?');
                if (Character.isHighSurrogate(c) && i + 1 < d.length() && Character.isLowSurrogate(d.charAt(i + 1))) i++;
            }
        }
        return out.toString();
    }

    /** Refusals to retry later (503 temporarily_unavailable: saturation, database down) in one line per 10 s, with their count. */
    private static final RepeatedWarning BUSY = new RepeatedWarning(LOG, 10, java.util.concurrent.TimeUnit.SECONDS, System::nanoTime);

    private static void log(OAuthError error) {
        // 505 answers a client's protocol version, not a failure of the server
        if (error.status() == 503 && "temporarily_unavailable".equals(error.code())) {
            BUSY.occurred("503 temporarily_unavailable: " + (error.detail() == null ? error.description() : error.detail()));
        } else if (error.status() >= 500 && error.status() != 505) {
            LOG.warn("{} {}: {}", error.status(), error.code(), error.detail() == null ? error.description() : error.detail());
        } else if (LOG.isDebugEnabled()) {
            LOG.debug("{} {}: {}{}", error.status(), error.code(), error.description(),
                    error.detail() == null ? "" : " (" + error.detail() + ")");
        }
    }
}
