package dev.latch.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.latch.resource.TokenRejectedException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The only code in the gateway that writes its own answers (refusals, upstream failures, metadata):
 * JSON bodies, {@code Cache-Control: no-store}, and RFC 6750 §3 challenges for refused tokens. Answers
 * that are not from the upstream always carry a body a program can read; never an HTML error page.
 */
public final class GatewayResponses {

    public static final ObjectMapper JSON = new ObjectMapper();

    private GatewayResponses() {}

    /** A JSON error {@code {"error": code, "error_description": description}}. */
    public static void error(Response response, Callback callback, int status, String code, String description) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        if (description != null) {
            body.put("error_description", description);
        }
        json(response, callback, status, body);
    }

    /**
     * A refused token: {@code 401}/{@code 403} with {@code WWW-Authenticate: Bearer …} (RFC 6750 §3,
     * {@code resource_metadata} of RFC 9728 §5.1), or {@code 503} with {@code Retry-After} when the
     * issuer cannot be reached.
     */
    public static void refused(Response response, Callback callback, TokenRejectedException refusal, String resourceMetadata) {
        refusal.headers(resourceMetadata).forEach(response.getHeaders()::put);
        write(response, callback, refusal.status(), refusal.json());
    }

    /**
     * A FHIR {@code OperationOutcome} (FHIR R4 §2.36) as {@code application/fhir+json}: the refusals of smart routes,
     * which FHIR clients read as FHIR. {@code code} is the issue type (http://hl7.org/fhir/R4/valueset-issue-type.html).
     */
    public static void operationOutcome(Response response, Callback callback, int status, String code, String diagnostics) {
        Map<String, Object> issue = new LinkedHashMap<>();
        issue.put("severity", "error");
        issue.put("code", code);
        issue.put("diagnostics", diagnostics);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("resourceType", "OperationOutcome");
        body.put("issue", java.util.List.of(issue));
        try {
            write(response, callback, status, "application/fhir+json", JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            callback.failed(e);
        }
    }

    /**
     * A refused token on a smart route: the status and {@code WWW-Authenticate} of {@link #refused}, with an
     * OperationOutcome body ({@code login} for 401, {@code forbidden} for 403, {@code transient} for 503).
     */
    public static void refusedFhir(Response response, Callback callback, TokenRejectedException refusal, String resourceMetadata) {
        refusal.headers(resourceMetadata).forEach(response.getHeaders()::put);
        String code = switch (refusal.status()) {
            case 401 -> "login";
            case 403 -> "forbidden";
            default -> "transient";
        };
        operationOutcome(response, callback, refusal.status(), code, refusal.description());
    }

    /**
     * What Jetty itself answers (a request it could not parse, headers too large, a failure before any
     * handler ran): the same JSON as every other refusal instead of an HTML page, and {@code Connection:
     * close} because Jetty closes such a connection afterwards — a client must learn that before it
     * sends its next request on it.
     */
    public static Request.Handler jettyErrors() {
        return (request, response, callback) -> {
            int status = request.getAttribute(ErrorHandler.ERROR_STATUS) instanceof Integer i ? i : response.getStatus();
            if (status < 400) status = 500;
            String code = switch (status) {
                case 400 -> "invalid_request";
                case 413 -> "request_too_large";
                case 414 -> "uri_too_long";
                case 431 -> "headers_too_large";
                default -> status >= 500 ? "server_error" : "invalid_request";
            };
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
            error(response, callback, status, code, org.eclipse.jetty.http.HttpStatus.getMessage(status));
            return true;
        };
    }

    public static void json(Response response, Callback callback, int status, Object body) {
        try {
            write(response, callback, status, JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            callback.failed(e);
        }
    }

    private static void write(Response response, Callback callback, int status, String json) {
        write(response, callback, status, "application/json", json);
    }

    private static void write(Response response, Callback callback, int status, String contentType, String json) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)), callback);
    }
}
