package dev.latch.server.token;


/** One grant type of the token endpoint (RFC 6749 §4); the endpoint dispatches on {@link #type()}. */
public interface GrantType {

    String type();

    /** Runs the grant for an authenticated client that is allowed to use it. */
    TokenResponse execute(TokenRequest request);
}
