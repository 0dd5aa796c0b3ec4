package dev.latch.server.discovery;

import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.server.client.Client;
import dev.latch.server.http.Json;
import dev.latch.server.http.Response;
import dev.latch.server.scope.ScopeCatalogue;
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
public final class MetadataEndpoint {

    private final ServerEndpoints endpoints;
    private final List<String> grantTypes;
    private final ScopeCatalogue scopes;
    private final BooleanSupplier registrationOpen;

    public MetadataEndpoint(ServerEndpoints endpoints, List<String> grantTypes, ScopeCatalogue scopes, BooleanSupplier registrationOpen) {
        this.endpoints = endpoints;
        this.grantTypes = grantTypes;
        this.scopes = scopes;
        this.registrationOpen = registrationOpen;
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
        m.put("scopes_supported", List.copyOf(scopes.all().keySet()));
        m.put("response_types_supported", List.of());
        m.put("response_modes_supported", List.of());
        m.put("grant_types_supported", grantTypes);
        m.put("token_endpoint_auth_methods_supported", authMethods);
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

    public Response handle() {
        return Response.json(200, Json.write(metadata())).withHeader("Cache-Control", "public, max-age=300");
    }
}
