package dev.latch.client.token;

import dev.latch.client.discovery.ProviderMetadata;
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

    public TokenEndpoint {
        Objects.requireNonNull(url, "token endpoint URL");
        if (!url.isAbsolute() || url.getHost() == null) {
            throw new IllegalArgumentException("token endpoint must be an absolute URL: " + url);
        }
    }

    /** A token endpoint known without its issuer. */
    public static TokenEndpoint of(URI url) {
        return new TokenEndpoint(null, url);
    }

    /** The token endpoint a provider's metadata names. */
    public static TokenEndpoint of(ProviderMetadata metadata) {
        if (metadata.tokenEndpoint() == null) {
            throw new dev.latch.client.OAuthClientException("the metadata of " + metadata.issuer() + " has no token_endpoint");
        }
        return new TokenEndpoint(URI.create(metadata.issuer()), metadata.tokenEndpoint());
    }
}
