package dev.latch.server.authorize;

/**
 * A refused authorization request, and where the refusal goes. Until the client and its redirect URI
 * are known to be genuine the user sees an error page and is never redirected (RFC 6749 §4.1.2.1,
 * RFC 9700 §4.1); after that the error goes back to the client with {@code state} and {@code iss}.
 *
 * @param redirectUri  where to send the error; null means "show an error page"
 * @param responseMode {@code query} or {@code form_post}
 */
public final class AuthorizationError extends RuntimeException {

    private final String code;
    private final String description;
    private final String redirectUri;
    private final String state;
    private final String responseMode;

    private AuthorizationError(String code, String description, String redirectUri, String state, String responseMode) {
        super(code + ": " + description, null, false, false);
        this.code = code;
        this.description = description;
        this.redirectUri = redirectUri;
        this.state = state;
        this.responseMode = responseMode;
    }

    /** An error shown to the user only: the client or its redirect URI cannot be trusted. */
    public static AuthorizationError page(String code, String description) {
        return new AuthorizationError(code, description, null, null, null);
    }

    /** An error returned to the (verified) client at its redirect URI. */
    public static AuthorizationError redirect(String code, String description, String redirectUri, String state, String responseMode) {
        return new AuthorizationError(code, description, redirectUri, state, responseMode);
    }

    public boolean showsPage() {
        return redirectUri == null;
    }

    public String code() { return code; }
    public String description() { return description; }
    public String redirectUri() { return redirectUri; }
    public String state() { return state; }
    public String responseMode() { return responseMode; }
}
