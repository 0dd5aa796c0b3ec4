package dev.latch.client.token;

/**
 * Where callers get an access token. Implementations return a token that is not expired (with
 * margin), fetching or refreshing as needed; they never return an expired token.
 */
public interface TokenSource {

    /** A current access token, fetched or refreshed when needed. */
    AccessToken token();

    /** The access token value, for an {@code Authorization: Bearer} header or an XOAUTH2 credential. */
    default String accessToken() {
        return token().value();
    }

    /**
     * The resource server rejected {@code token} ({@code invalid_token}): forget it so the next
     * {@link #token()} fetches a new one. A token other than the cached one is ignored.
     */
    default void invalidate(AccessToken token) {}
}
