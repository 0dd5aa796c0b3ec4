package dev.latch.client.token;

import dev.latch.client.OAuthClientException;
import dev.latch.client.auth.ClientAuthentication;
import dev.latch.client.discovery.Discovery;
import java.net.URI;

/**
 * One token request for a {@link CachingTokenSource}: the token endpoint given or discovered from the
 * issuer on first use, the client's authentication, a refresh token or the source's own grant.
 */
final class TokenFetcher {

    private final TokenClient client;
    private final ClientAuthentication authentication;
    private final URI issuer;
    private final Discovery discovery;
    private volatile TokenEndpoint endpoint;

    TokenFetcher(TokenClient client, ClientAuthentication authentication, URI issuer, URI tokenEndpoint, Discovery discovery) {
        this.client = client;
        this.authentication = authentication;
        this.issuer = issuer;
        this.discovery = discovery;
        this.endpoint = tokenEndpoint == null ? null : new TokenEndpoint(issuer, tokenEndpoint);
    }

    TokenEndpoint endpoint() {
        TokenEndpoint e = endpoint;
        if (e == null) {
            var metadata = discovery.discover(issuer);
            e = TokenEndpoint.of(metadata);
            endpoint = e;
        }
        return e;
    }

    /** The refresh-token grant; needs the client's authentication. */
    AccessToken refresh(TokenEndpoint where, String refreshToken) {
        if (authentication == null) {
            throw new OAuthClientException("a refresh token needs the client's authentication");
        }
        return client.request(where, authentication, TokenRequest.refreshToken(refreshToken));
    }

    /** The source's own grant (client credentials, JWT bearer, token exchange, …). */
    AccessToken grant(TokenEndpoint where, TokenRequest request) {
        return authentication == null ? client.request(where, request) : client.request(where, authentication, request);
    }
}
