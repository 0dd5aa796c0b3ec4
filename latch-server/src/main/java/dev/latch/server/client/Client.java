package dev.latch.server.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * A registered client, as RFC 7591 §2 client metadata plus Latch's own settings. Stored as this JSON
 * document; secrets are not part of it (see {@link StoredClient}).
 *
 * @param accessTokenLifetime           seconds; null for the server default
 * @param accessTokenFormat             {@code jwt} (RFC 9068, default) or {@code opaque} (reference tokens)
 * @param accessTokenSignedResponseAlg  algorithm of this client's JWT access tokens; null for the server default
 * @param allowedResources              RFC 8707 resource indicators this client may ask tokens for
 * @param resourceUris                  identifiers of the resource server(s) this client is, for introspection
 * @param refreshTokens                 Latch policy: true issues a refresh token on every authorization code
 *                                      grant, not only when {@code offline_access} was granted (needs grant type refresh_token)
 * @param refreshTokenIdleLifetime      seconds a refresh token may lie unused; null for the server default
 * @param refreshTokenAbsoluteLifetime  seconds from the first refresh token of a sign-in after which none works; null for the server default
 * @param initiateLoginUri              OIDC Registration §2 {@code initiate_login_uri}: where a third party starts the
 *                                      app's sign-in; for SMART, the app's launch URL, which an EHR launch opens
 *                                      with {@code iss} and {@code launch}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Client(
        @JsonProperty("client_id") String clientId,
        @JsonProperty("client_name") String clientName,
        @JsonProperty("token_endpoint_auth_method") String tokenEndpointAuthMethod,
        @JsonProperty("token_endpoint_auth_signing_alg") String tokenEndpointAuthSigningAlg,
        @JsonProperty("grant_types") List<String> grantTypes,
        @JsonProperty("response_types") List<String> responseTypes,
        @JsonProperty("scope") String scope,
        @JsonProperty("redirect_uris") List<String> redirectUris,
        @JsonProperty("jwks") Map<String, Object> jwks,
        @JsonProperty("jwks_uri") String jwksUri,
        @JsonProperty("access_token_lifetime") Long accessTokenLifetime,
        @JsonProperty("access_token_format") String accessTokenFormat,
        @JsonProperty("access_token_signed_response_alg") String accessTokenSignedResponseAlg,
        @JsonProperty("allowed_resources") List<String> allowedResources,
        @JsonProperty("resource_uris") List<String> resourceUris,
        @JsonProperty("enabled") Boolean enabled,
        @JsonProperty("client_id_issued_at") Long clientIdIssuedAt,
        @JsonProperty("client_secret_expires_at") Long clientSecretExpiresAt,
        @JsonProperty("registered_dynamically") Boolean registeredDynamically,
        @JsonProperty("application_type") String applicationType,
        @JsonProperty("post_logout_redirect_uris") List<String> postLogoutRedirectUris,
        @JsonProperty("id_token_signed_response_alg") String idTokenSignedResponseAlg,
        @JsonProperty("require_pushed_authorization_requests") Boolean requirePushedAuthorizationRequests,
        @JsonProperty("default_max_age") Long defaultMaxAge,
        @JsonProperty("client_uri") String clientUri,
        @JsonProperty("logo_uri") String logoUri,
        @JsonProperty("policy_uri") String policyUri,
        @JsonProperty("tos_uri") String tosUri,
        @JsonProperty("require_pkce") Boolean requirePkce,
        @JsonProperty("refresh_tokens") Boolean refreshTokens,
        @JsonProperty("refresh_token_idle_lifetime") Long refreshTokenIdleLifetime,
        @JsonProperty("refresh_token_absolute_lifetime") Long refreshTokenAbsoluteLifetime,
        @JsonProperty("initiate_login_uri") String initiateLoginUri) {

    public static final String BASIC = "client_secret_basic";
    public static final String POST = "client_secret_post";
    public static final String SECRET_JWT = "client_secret_jwt";
    public static final String PRIVATE_KEY_JWT = "private_key_jwt";
    public static final String NONE = "none";
    public static final List<String> AUTH_METHODS = List.of(BASIC, POST, SECRET_JWT, PRIVATE_KEY_JWT);

    /** RFC 8252 / OIDC Registration: {@code native} clients may use any loopback port. Default {@code web}. */
    public boolean isNative() {
        return "native".equals(applicationType);
    }

    /** Public clients cannot keep a secret: they authenticate with nothing but PKCE. */
    public boolean isPublic() {
        return NONE.equals(tokenEndpointAuthMethod);
    }

    /** PKCE is required for public clients always and for confidential ones unless relaxed per client. */
    public boolean pkceRequired() {
        return isPublic() || requirePkce == null || requirePkce;
    }

    public boolean isEnabled() {
        return enabled == null || enabled;
    }

    public boolean usesSecretDigest() {
        return BASIC.equals(tokenEndpointAuthMethod) || POST.equals(tokenEndpointAuthMethod);
    }

    public boolean usesEncryptedSecret() {
        return SECRET_JWT.equals(tokenEndpointAuthMethod);
    }

    /** True when a refresh token goes with every code grant of this client, offline_access or not. */
    public boolean refreshTokensAlways() {
        return refreshTokens != null && refreshTokens;
    }

    public List<String> scopes() {
        return scope == null || scope.isBlank() ? List.of() : List.of(scope.trim().split("\\s+"));
    }

    public boolean allowsGrant(String grantType) {
        return grantTypes != null && grantTypes.contains(grantType);
    }

    public boolean opaqueTokens() {
        return "opaque".equals(accessTokenFormat);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Copy-with for the few places that change a client. */
    public static final class Builder {
        private String clientId, clientName, method, signingAlg, scope, jwksUri, format, atAlg;
        private List<String> grantTypes, responseTypes, redirectUris, allowedResources, resourceUris;
        private Map<String, Object> jwks;
        private Long lifetime, issuedAt, secretExpiresAt;
        private Boolean enabled, dynamic, requirePar, requirePkce;
        private String applicationType, idTokenAlg, clientUri, logoUri, policyUri, tosUri;
        private List<String> postLogoutRedirectUris;
        private Long defaultMaxAge;
        private Boolean refreshTokens;
        private Long refreshIdle, refreshAbsolute;
        private String initiateLoginUri;

        public Builder() {}

        Builder(Client c) {
            clientId = c.clientId; clientName = c.clientName; method = c.tokenEndpointAuthMethod;
            signingAlg = c.tokenEndpointAuthSigningAlg; scope = c.scope; jwksUri = c.jwksUri; format = c.accessTokenFormat;
            atAlg = c.accessTokenSignedResponseAlg; grantTypes = c.grantTypes; responseTypes = c.responseTypes;
            redirectUris = c.redirectUris; allowedResources = c.allowedResources; resourceUris = c.resourceUris;
            jwks = c.jwks; lifetime = c.accessTokenLifetime; issuedAt = c.clientIdIssuedAt;
            secretExpiresAt = c.clientSecretExpiresAt; enabled = c.enabled; dynamic = c.registeredDynamically;
            applicationType = c.applicationType; postLogoutRedirectUris = c.postLogoutRedirectUris;
            idTokenAlg = c.idTokenSignedResponseAlg; requirePar = c.requirePushedAuthorizationRequests;
            defaultMaxAge = c.defaultMaxAge; clientUri = c.clientUri; logoUri = c.logoUri; policyUri = c.policyUri;
            tosUri = c.tosUri; requirePkce = c.requirePkce; refreshTokens = c.refreshTokens;
            refreshIdle = c.refreshTokenIdleLifetime; refreshAbsolute = c.refreshTokenAbsoluteLifetime;
            initiateLoginUri = c.initiateLoginUri;
        }

        public Builder clientId(String v) { clientId = v; return this; }
        public Builder clientName(String v) { clientName = v; return this; }
        public Builder tokenEndpointAuthMethod(String v) { method = v; return this; }
        public Builder tokenEndpointAuthSigningAlg(String v) { signingAlg = v; return this; }
        public Builder scope(String v) { scope = v; return this; }
        public Builder jwksUri(String v) { jwksUri = v; return this; }
        public Builder jwks(Map<String, Object> v) { jwks = v; return this; }
        public Builder accessTokenFormat(String v) { format = v; return this; }
        public Builder accessTokenSignedResponseAlg(String v) { atAlg = v; return this; }
        public Builder grantTypes(List<String> v) { grantTypes = v; return this; }
        public Builder responseTypes(List<String> v) { responseTypes = v; return this; }
        public Builder redirectUris(List<String> v) { redirectUris = v; return this; }
        public Builder allowedResources(List<String> v) { allowedResources = v; return this; }
        public Builder resourceUris(List<String> v) { resourceUris = v; return this; }
        public Builder accessTokenLifetime(Long v) { lifetime = v; return this; }
        public Builder clientIdIssuedAt(Long v) { issuedAt = v; return this; }
        public Builder clientSecretExpiresAt(Long v) { secretExpiresAt = v; return this; }
        public Builder enabled(Boolean v) { enabled = v; return this; }
        public Builder registeredDynamically(Boolean v) { dynamic = v; return this; }
        public Builder applicationType(String v) { applicationType = v; return this; }
        public Builder postLogoutRedirectUris(List<String> v) { postLogoutRedirectUris = v; return this; }
        public Builder idTokenSignedResponseAlg(String v) { idTokenAlg = v; return this; }
        public Builder requirePushedAuthorizationRequests(Boolean v) { requirePar = v; return this; }
        public Builder defaultMaxAge(Long v) { defaultMaxAge = v; return this; }
        public Builder clientUri(String v) { clientUri = v; return this; }
        public Builder logoUri(String v) { logoUri = v; return this; }
        public Builder policyUri(String v) { policyUri = v; return this; }
        public Builder tosUri(String v) { tosUri = v; return this; }
        public Builder requirePkce(Boolean v) { requirePkce = v; return this; }
        public Builder refreshTokens(Boolean v) { refreshTokens = v; return this; }
        public Builder refreshTokenIdleLifetime(Long v) { refreshIdle = v; return this; }
        public Builder refreshTokenAbsoluteLifetime(Long v) { refreshAbsolute = v; return this; }
        public Builder initiateLoginUri(String v) { initiateLoginUri = v; return this; }

        public Client build() {
            return new Client(clientId, clientName, method, signingAlg, grantTypes, responseTypes, scope, redirectUris, jwks,
                    jwksUri, lifetime, format, atAlg, allowedResources, resourceUris, enabled, issuedAt, secretExpiresAt, dynamic,
                    applicationType, postLogoutRedirectUris, idTokenAlg, requirePar, defaultMaxAge, clientUri, logoUri, policyUri,
                    tosUri, requirePkce, refreshTokens, refreshIdle, refreshAbsolute, initiateLoginUri);
        }
    }
}
