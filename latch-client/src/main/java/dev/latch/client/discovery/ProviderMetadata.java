package dev.latch.client.discovery;

import dev.latch.client.fetch.EndpointUrls;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;

/**
 * Authorization server metadata (RFC 8414 §2, OpenID Connect Discovery 1.0 §3): the members the
 * library and {@code latch doctor} use, and every member as received in {@link #raw()}.
 *
 * @param source where the document was fetched from
 */
public record ProviderMetadata(
        String issuer,
        URI source,
        URI authorizationEndpoint,
        URI tokenEndpoint,
        URI jwksUri,
        URI userinfoEndpoint,
        URI revocationEndpoint,
        URI introspectionEndpoint,
        URI pushedAuthorizationRequestEndpoint,
        URI registrationEndpoint,
        URI endSessionEndpoint,
        List<String> scopesSupported,
        List<String> responseTypesSupported,
        List<String> grantTypesSupported,
        List<String> tokenEndpointAuthMethodsSupported,
        List<String> tokenEndpointAuthSigningAlgValuesSupported,
        List<String> idTokenSigningAlgValuesSupported,
        List<String> codeChallengeMethodsSupported,
        boolean authorizationResponseIssParameterSupported,
        Map<String, Object> raw) {

    public ProviderMetadata {
        raw = Map.copyOf(raw);
    }

    /**
     * Reads a metadata document; the URL-valued members must be absolute https URLs, or http ones
     * on a loopback host ({@link EndpointUrls}; RFC 8414 §2, RFC 6749 §3.2).
     *
     * @throws DiscoveryException when {@code issuer} is missing, a member has the wrong type or an
     *                            endpoint URL is not acceptable (naming the member and the URL)
     */
    public static ProviderMetadata parse(Map<String, Object> json, URI source) {
        if (!(json.get("issuer") instanceof String issuer) || issuer.isEmpty()) {
            throw new DiscoveryException("the metadata at " + source + " has no issuer");
        }
        return new ProviderMetadata(issuer, source,
                url(json, "authorization_endpoint", source),
                url(json, "token_endpoint", source),
                url(json, "jwks_uri", source),
                url(json, "userinfo_endpoint", source),
                url(json, "revocation_endpoint", source),
                url(json, "introspection_endpoint", source),
                url(json, "pushed_authorization_request_endpoint", source),
                url(json, "registration_endpoint", source),
                url(json, "end_session_endpoint", source),
                strings(json, "scopes_supported", source),
                strings(json, "response_types_supported", source),
                strings(json, "grant_types_supported", source),
                strings(json, "token_endpoint_auth_methods_supported", source),
                strings(json, "token_endpoint_auth_signing_alg_values_supported", source),
                strings(json, "id_token_signing_alg_values_supported", source),
                strings(json, "code_challenge_methods_supported", source),
                Boolean.TRUE.equals(json.get("authorization_response_iss_parameter_supported")),
                json);
    }

    /**
     * RFC 8414 §2: {@code token_endpoint_auth_methods_supported} defaults to {@code client_secret_basic}
     * when absent.
     */
    public List<String> tokenEndpointAuthMethodsOrDefault() {
        return tokenEndpointAuthMethodsSupported.isEmpty() ? List.of("client_secret_basic") : tokenEndpointAuthMethodsSupported;
    }

    /** RFC 8414 §2: {@code grant_types_supported} defaults to authorization_code and implicit. */
    public List<String> grantTypesOrDefault() {
        return grantTypesSupported.isEmpty() ? List.of("authorization_code", "implicit") : grantTypesSupported;
    }

    private static URI url(Map<String, Object> json, String name, URI source) {
        Object value = json.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s)) {
            throw new DiscoveryException("the metadata at " + source + " has a " + name + " that is not a string");
        }
        try {
            URI uri = new URI(s);
            String problem = EndpointUrls.problem(uri);
            if (problem != null) {
                throw new DiscoveryException("the metadata at " + source + " has a " + name + " that " + problem + ": " + s);
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new DiscoveryException("the metadata at " + source + " has a " + name + " that is not a URL: " + s);
        }
    }

    private static List<String> strings(Map<String, Object> json, String name, URI source) {
        Object value = json.get(name);
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> list && list.stream().allMatch(v -> v instanceof String)) {
            return list.stream().map(String.class::cast).toList();
        }
        throw new DiscoveryException("the metadata at " + source + " has a " + name + " that is not a list of strings");
    }
}
