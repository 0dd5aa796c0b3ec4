package dev.latch.server.smart;

import dev.latch.server.discovery.MetadataEndpoint;
import dev.latch.server.discovery.ServerEndpoints;
import dev.latch.server.http.Json;
import dev.latch.server.http.Response;
import dev.latch.server.http.Routes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SMART App Launch 2.2 §"Retrieve .well-known/smart-configuration": {@code {issuer}/.well-known/smart-configuration},
 * served only when {@code smart.fhir-servers} is configured (otherwise there is no FHIR server to launch
 * against, and the path is 404). Its fields are those of the RFC 8414 metadata ({@link MetadataEndpoint},
 * so the two documents cannot disagree) that SMART names, plus {@code capabilities}
 * ({@link SmartCapabilities}), and {@code management_endpoint} when people can sign in: the page where they
 * review and withdraw what they approved ({@link dev.latch.server.account.AppsPage}). Always
 * {@code application/json} whatever {@code Accept} says, readable from any origin.
 */
public final class SmartConfigurationEndpoint implements Routes.Source {

    /** The RFC 8414 fields SMART's document carries, in SMART's order; absent ones stay absent. */
    static final List<String> METADATA_FIELDS = List.of("issuer", "jwks_uri", "authorization_endpoint", "token_endpoint",
            "grant_types_supported", "token_endpoint_auth_methods_supported", "token_endpoint_auth_signing_alg_values_supported",
            "registration_endpoint", "scopes_supported", "response_types_supported", "code_challenge_methods_supported",
            "introspection_endpoint", "revocation_endpoint");

    private final ServerEndpoints endpoints;
    private final MetadataEndpoint metadata;
    private final String managementEndpoint;

    /** @param managementEndpoint the page of apps with access, null when nobody can sign in */
    public SmartConfigurationEndpoint(ServerEndpoints endpoints, MetadataEndpoint metadata, String managementEndpoint) {
        this.endpoints = endpoints;
        this.metadata = metadata;
        this.managementEndpoint = managementEndpoint;
    }

    public Map<String, Object> configuration() {
        Map<String, Object> rfc8414 = metadata.metadata();
        Map<String, Object> m = new LinkedHashMap<>();
        for (String field : METADATA_FIELDS) {
            Object v = rfc8414.get(field);
            if (v != null) m.put(field, v);
        }
        if (managementEndpoint != null) m.put("management_endpoint", managementEndpoint);
        m.put("capabilities", SmartCapabilities.of(metadata.signIn()));
        return m;
    }

    public Response handle() {
        return Response.json(200, Json.write(configuration())).withHeader("Cache-Control", "public, max-age=300");
    }

    @Override
    public void addRoutes(Routes routes) {
        routes.get(endpoints.smartConfigurationPath(), request -> handle()).anyOrigin(endpoints.smartConfigurationPath());
    }
}
