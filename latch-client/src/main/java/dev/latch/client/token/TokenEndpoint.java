package dev.latch.client.token;

import dev.latch.client.OAuthClientException;
import dev.latch.client.discovery.ProviderMetadata;
import dev.latch.client.fetch.EndpointUrls;
import java.net.URI;
import java.util.Objects;

/**
 * Where token requests go: the exact URL posted to and, when known, the issuer (needed for
 * assertions whose {@code aud} is the issuer).
 *
 * @param issuer the authorization server's issuer identifier, or null
 * @param url    the token endpoint URL
 */
public record TokenEndpoint(URI issuer, URI url) {

    /**
     * @throws OAuthClientException when {@code url} is not an absolute https URL (http only on a
     *                              loopback host, RFC 6749 §3.2; see {@link EndpointUrls})
     */
    public TokenEndpoint {
        Objects.requireNonNull(url, "token endpoint URL");
        String problem = EndpointUrls.problem(url);
        if (problem != null) {
            throw new OAuthClientException("the token endpoint " + url + " " + problem);
        }
    }

    /** A token endpoint known without its issuer. */
    public static TokenEndpoint of(URI url) {
        return new TokenEndpoint(null, url);
    }

    /** The token endpoint a provider's metadata names. */
    public static TokenEndpoint of(ProviderMetadata metadata) {
        if (metadata.tokenEndpoint() == null) {
            throw new OAuthClientException("the metadata of " + metadata.issuer() + " has no token_endpoint");
        }
        return new TokenEndpoint(URI.create(metadata.issuer()), metadata.tokenEndpoint());
    }
}
