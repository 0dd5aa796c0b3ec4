package dev.latch.server.discovery;

import dev.latch.server.http.Routes;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.server.client.Client;
import dev.latch.server.http.Json;
import dev.latch.server.http.Response;
import dev.latch.server.scope.ScopeCatalogue;
import dev.latch.server.user.FhirUser;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Authorization server metadata (RFC 8414 §2). It lists what is actually implemented and states
 * explicitly every field whose RFC default would be wrong for Latch (RFC 8414 defaults
 * {@code grant_types_supported} to code+implicit, {@code token_endpoint_auth_methods_supported} to
 * Basic only, {@code response_modes_supported} to query+fragment).
 */
public final class MetadataEndpoint implements Routes.Source {

    private final ServerEndpoints endpoints;
    private final java.util.function.Supplier<List<String>> grantTypes;
    private final ScopeCatalogue scopes;
    private final BooleanSupplier registrationOpen;
    private final BooleanSupplier signIn;

    public MetadataEndpoint(ServerEndpoints endpoints, List<String> grantTypes, ScopeCatalogue scopes, BooleanSupplier registrationOpen) {
        this(endpoints, () -> grantTypes, scopes, registrationOpen, () -> false);
    }

    /**
     * @param grantTypes the grants that work end to end now
     * @param signIn     true when the authorization endpoint is served (users can sign in)
     */
    public MetadataEndpoint(ServerEndpoints endpoints, java.util.function.Supplier<List<String>> grantTypes, ScopeCatalogue scopes,
                            BooleanSupplier registrationOpen, BooleanSupplier signIn) {
        this.endpoints = endpoints;
        this.grantTypes = grantTypes;
        this.scopes = scopes;
        this.registrationOpen = registrationOpen;
        this.signIn = signIn;
    }

    public boolean signIn() {
        return signIn.getAsBoolean();
    }

    public Map<String, Object> metadata() {
        Map<String, Object> m = new LinkedHashMap<>();
        List<String> authMethods = Client.AUTH_METHODS;
        List<String> assertionAlgs = JwsAlgorithms.clientAssertionNames();
        m.put("issuer", endpoints.issuer());
        m.put("token_endpoint", endpoints.token());
        m.put("jwks_uri", endpoints.jwks());
        if (registrationOpen.getAsBoolean()) {
            m.put("registration_endpoint", endpoints.registration());
        }
        m.put("scopes_supported", scopes.supported());
        if (signIn.getAsBoolean()) {
            m.put("authorization_endpoint", endpoints.authorization());
            m.put("pushed_authorization_request_endpoint", endpoints.par());
            m.put("require_pushed_authorization_requests", false);
            m.put("response_types_supported", List.of("code"));
            m.put("response_modes_supported", List.of("query", "form_post"));
            m.put("code_challenge_methods_supported", List.of("S256"));
            m.put("authorization_response_iss_parameter_supported", true);
            m.put("ui_locales_supported", List.of("en"));
        } else {
            m.put("response_types_supported", List.of());
            m.put("response_modes_supported", List.of());
        }
        m.put("grant_types_supported", grantTypes.get());
        List<String> tokenAuthMethods = new java.util.ArrayList<>(authMethods);
        if (signIn.getAsBoolean()) {
            tokenAuthMethods.add(Client.NONE); // public clients (PKCE, no secret) in the code flow
        }
        m.put("token_endpoint_auth_methods_supported", tokenAuthMethods);
        m.put("token_endpoint_auth_signing_alg_values_supported", assertionAlgs);
        m.put("introspection_endpoint", endpoints.introspection());
        m.put("introspection_endpoint_auth_methods_supported", authMethods);
        m.put("introspection_endpoint_auth_signing_alg_values_supported", assertionAlgs);
        m.put("revocation_endpoint", endpoints.revocation());
        m.put("revocation_endpoint_auth_methods_supported", authMethods);
        m.put("revocation_endpoint_auth_signing_alg_values_supported", assertionAlgs);
        m.put("access_token_signing_alg_values_supported", JwsAlgorithms.asymmetricNames());
        m.put("tls_client_certificate_bound_access_tokens", false);
        return m;
    }

    /**
     * OpenID Connect Discovery 1.0 §3: the RFC 8414 document plus the OpenID fields, with explicit
     * values where a default would be wrong (request objects are not supported).
     */
    public Map<String, Object> openidConfiguration() {
        Map<String, Object> m = metadata();
        m.put("userinfo_endpoint", endpoints.userinfo());
        // OIDC RP-Initiated Logout 1.0 §2.1; served wherever the OpenID configuration is (people sign in)
        m.put("end_session_endpoint", endpoints.endSession());
        m.put("subject_types_supported", List.of("public"));
        m.put("id_token_signing_alg_values_supported", JwsAlgorithms.asymmetricNames());
        m.put("request_parameter_supported", false);
        m.put("request_uri_parameter_supported", false);
        m.put("claims_parameter_supported", false);
        List<String> claims = new java.util.ArrayList<>(List.of("iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "amr", "azp", "sid",
                "name", "given_name", "family_name", "preferred_username", "email", "email_verified", "phone_number", "address"));
        if (((List<?>) m.get("scopes_supported")).contains(FhirUser.CLAIM)) {
            claims.add(FhirUser.CLAIM); // SMART: the claim its scope asks for
        }
        m.put("claims_supported", claims);
        return m;
    }

    public Response handleOpenidConfiguration() {
        return Response.json(200, Json.write(openidConfiguration())).withHeader("Cache-Control", "public, max-age=300");
    }

    public Response handle() {
        return Response.json(200, Json.write(metadata())).withHeader("Cache-Control", "public, max-age=300");
    }

    @Override
    public void addRoutes(Routes routes) {
        routes.get(endpoints.metadataPath(), request -> handle()).crossOrigin(endpoints.metadataPath());
        // OIDC discovery only while people can sign in; its preflight is answered either way
        if (signIn()) {
            routes.get(endpoints.openidConfigurationPath(), request -> handleOpenidConfiguration());
        }
        routes.crossOrigin(endpoints.openidConfigurationPath());
    }
}
