package dev.latch.resource;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request whose bearer token is refused, with the RFC 6750 §3.1 error it is answered with. The
 * {@link #description() description} is safe to send to the caller (it says which check failed, never
 * what a valid token would look like); the exception message adds detail for the log.
 */
public final class TokenRejectedException extends RuntimeException {

    /** Why a token was refused; each maps to one RFC 6750 error code and HTTP status. */
    public enum Reason {
        /** No {@code Authorization: Bearer} header (RFC 6750 §3.1: no error code, just the challenge). */
        MISSING(401, null),
        /** Not {@code Bearer <token68>}, a token in the query or form (§2.2/§2.3 not accepted), or not a JWT/opaque token. */
        MALFORMED(401, "invalid_request"),
        EXPIRED(401, "invalid_token"),
        NOT_YET_VALID(401, "invalid_token"),
        BAD_SIGNATURE(401, "invalid_token"),
        /** The {@code kid} (or key type) fits no key of the issuer's JWKS, even after one refetch. */
        UNKNOWN_KEY(401, "invalid_token"),
        /** {@code none}, HMAC, or an asymmetric algorithm not on the issuer's allow-list. */
        DISALLOWED_ALGORITHM(401, "invalid_token"),
        WRONG_ISSUER(401, "invalid_token"),
        WRONG_AUDIENCE(401, "invalid_token"),
        /** The JOSE {@code typ} is not the one the issuer is configured for (e.g. an ID token where {@code at+jwt} is required). */
        WRONG_TYPE(401, "invalid_token"),
        /** Introspection answered {@code active: false} (revoked, expired, unknown). */
        INACTIVE(401, "invalid_token"),
        /** The token lacks a required scope (RFC 6750 §3.1 {@code insufficient_scope}). */
        INSUFFICIENT_SCOPE(403, "insufficient_scope"),
        /** A required role or claim value is missing. */
        FORBIDDEN(403, "insufficient_scope"),
        /** The issuer's discovery, JWKS or introspection endpoint cannot be reached, so nothing can be decided. */
        ISSUER_UNAVAILABLE(503, "temporarily_unavailable");

        private final int status;
        private final String error;

        Reason(int status, String error) {
            this.status = status;
            this.error = error;
        }

        public int status() {
            return status;
        }

        /** The RFC 6750 error code, or null for {@link #MISSING}. */
        public String error() {
            return error;
        }
    }

    private final Reason reason;
    private final String description;
    private final String requiredScope;

    public TokenRejectedException(Reason reason, String description) {
        this(reason, description, null, null);
    }

    /**
     * @param detail        for the log only (never sent), or null
     * @param requiredScope the scope(s) that would be enough, for {@code insufficient_scope}; or null
     */
    public TokenRejectedException(Reason reason, String description, String detail, String requiredScope) {
        super(description + (detail == null ? "" : " (" + detail + ")"));
        this.reason = reason;
        this.description = description;
        this.requiredScope = requiredScope;
    }

    public Reason reason() {
        return reason;
    }

    /** The public {@code error_description}. */
    public String description() {
        return description;
    }

    /** The {@code scope} attribute of an {@code insufficient_scope} challenge, or null. */
    public String requiredScope() {
        return requiredScope;
    }

    public int status() {
        return reason.status();
    }

    /**
     * The RFC 6750 §3 {@code WWW-Authenticate} value, e.g.
     * {@code Bearer error="invalid_token", error_description="the token expired", resource_metadata="…"}.
     *
     * @param resourceMetadata the RFC 9728 §5.1 protected-resource metadata URL, or null
     */
    public String wwwAuthenticate(String resourceMetadata) {
        return BearerChallenge.of(reason.error(), description, requiredScope, resourceMetadata);
    }

    /** Seconds a client is asked to wait ({@code Retry-After}) when the issuer cannot be reached. */
    public static final int RETRY_AFTER_SECONDS = 5;

    /**
     * The headers of the answer besides its body's type, the same from every Latch bearer check (the Servlet and
     * JDK filters, the gateway): for 401/403 the RFC 6750 §3 {@code WWW-Authenticate} challenge; for 503 (the
     * issuer cannot be reached, nothing is known to be wrong with the token) {@code Retry-After} and no challenge.
     *
     * @param resourceMetadata the RFC 9728 §5.1 protected-resource metadata URL, or null
     */
    public Map<String, String> headers(String resourceMetadata) {
        return status() == 503 ? Map.of("Retry-After", Integer.toString(RETRY_AFTER_SECONDS))
                : Map.of("WWW-Authenticate", wwwAuthenticate(resourceMetadata));
    }

    /**
     * The response body, {@code {"error":"…","error_description":"…"}} (RFC 6750 §3.1 codes; {@code invalid_token}
     * for {@link Reason#MISSING}, whose challenge carries no error attribute). JSON-escaped by Nimbus.
     */
    public String json() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", reason.error() == null ? "invalid_token" : reason.error());
        if (description != null) {
            body.put("error_description", description);
        }
        return JSONObjectUtils.toJSONString(body);
    }
}
