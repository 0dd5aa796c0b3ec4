package dev.latch.core.error;

/**
 * The one error type of every Latch protocol endpoint: an RFC error code, its HTTP status, a public
 * description (safe to show the caller) and a private detail for the log (never rendered).
 *
 * <p>Codes come from RFC 6749 §5.2 (token endpoint), RFC 6750 §3.1 (bearer), RFC 7591 §3.2.2
 * (registration) and RFC 8707 §2 ({@code invalid_target}). One renderer turns it into a response; no
 * other code writes error bodies.
 */
public final class OAuthError extends RuntimeException {

    private final String code;
    private final int status;
    private final String description;
    private final transient String detail;
    private final boolean basicChallenge;

    private OAuthError(String code, int status, String description, String detail, boolean basicChallenge) {
        super(code + ": " + description + (detail == null ? "" : " (" + detail + ")"), null, false, false);
        this.code = code;
        this.status = status;
        this.description = description;
        this.detail = detail;
        this.basicChallenge = basicChallenge;
    }

    public static OAuthError of(String code, int status, String description) {
        return new OAuthError(code, status, description, null, false);
    }

    public static OAuthError invalidRequest(String description) { return of("invalid_request", 400, description); }
    /** RFC 6749 §5.2: 401 when the client tried to authenticate (with a challenge when it used Basic). */
    public static OAuthError invalidClient(String description) { return of("invalid_client", 401, description); }
    public static OAuthError invalidGrant(String description) { return of("invalid_grant", 400, description); }
    public static OAuthError unauthorizedClient(String description) { return of("unauthorized_client", 400, description); }
    public static OAuthError unsupportedGrantType(String description) { return of("unsupported_grant_type", 400, description); }
    public static OAuthError invalidScope(String description) { return of("invalid_scope", 400, description); }
    public static OAuthError invalidTarget(String description) { return of("invalid_target", 400, description); }
    public static OAuthError invalidToken(String description) { return of("invalid_token", 401, description); }
    public static OAuthError insufficientScope(String description) { return of("insufficient_scope", 403, description); }
    public static OAuthError accessDenied(String description) { return of("access_denied", 403, description); }
    public static OAuthError invalidClientMetadata(String description) { return of("invalid_client_metadata", 400, description); }
    public static OAuthError invalidRedirectUri(String description) { return of("invalid_redirect_uri", 400, description); }
    public static OAuthError unsupportedTokenType(String description) { return of("unsupported_token_type", 400, description); }
    public static OAuthError serverError(String description) { return of("server_error", 500, description); }
    public static OAuthError notFound(String description) { return of("not_found", 404, description); }

    /** The same error with a private detail for the log only. */
    public OAuthError withDetail(String detail) {
        return new OAuthError(code, status, description, detail, basicChallenge);
    }

    /** The same error, answered with {@code WWW-Authenticate: Basic} (the client used HTTP Basic). */
    public OAuthError withBasicChallenge() {
        return new OAuthError(code, status, description, detail, true);
    }

    public String code() { return code; }
    public int status() { return status; }
    public String description() { return description; }
    public String detail() { return detail; }
    public boolean basicChallenge() { return basicChallenge; }
}
