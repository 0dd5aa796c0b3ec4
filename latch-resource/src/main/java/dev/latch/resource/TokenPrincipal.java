package dev.latch.resource;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who a validated access token speaks for (RFC 9068 §2.2; RFC 7662 §2.2 for introspected tokens).
 *
 * @param issuer    {@code iss}
 * @param subject   {@code sub} (the user, or the client for client-credentials tokens)
 * @param clientId  {@code client_id} ({@code azp} or {@code appid} where the issuer uses those), or null
 * @param username  {@code preferred_username} (or the configured username claim), or null
 * @param email     {@code email}, or null
 * @param roles     roles, groups and entitlements read through the issuer's role claim paths
 * @param scopes    {@code scope} (space-separated) or {@code scp} (string or list)
 * @param audience  {@code aud}
 * @param expiresAt {@code exp}; null only for an introspected token without one
 * @param tokenId   {@code jti}, or null
 * @param claims    every claim as received
 */
public record TokenPrincipal(String issuer, String subject, String clientId, String username, String email,
                             Set<String> roles, Set<String> scopes, List<String> audience, Instant expiresAt,
                             String tokenId, Map<String, Object> claims) {

    public TokenPrincipal {
        roles = Set.copyOf(roles);
        scopes = Set.copyOf(scopes);
        audience = List.copyOf(audience);
        claims = Map.copyOf(claims);
    }
}
