package dev.latch.server.token;

import dev.latch.core.error.OAuthError;
import dev.latch.core.smart.SmartScope;
import dev.latch.core.smart.SmartScopes;
import dev.latch.server.config.ServerConfig;
import java.util.List;

/**
 * Where access tokens may be aimed (RFC 8707): the server's default audience, the resources each client
 * is allowed, and — with SMART on FHIR configured — the FHIR servers' bases, which every client may name
 * (what it may do there is what its SMART scopes say, enforced by the FHIR front). A FHIR base is
 * always written the configured way (no trailing slash), so the token's {@code aud} is exactly what the
 * gateway requires.
 *
 * @param defaultAudience the audience of a token asked for no resource (null where there is none)
 */
public record Audiences(String defaultAudience, ServerConfig.Smart smart) {

    public Audiences {
        smart = smart == null ? ServerConfig.Smart.NONE : smart;
    }

    /**
     * SMART Backend Services: the client may name the FHIR server with {@code aud} (as Epic's clients do)
     * as well as with {@code resource}; an {@code aud} that is no configured FHIR base is
     * {@code invalid_target} (without SMART configured, {@code aud} is no token-request parameter and is
     * ignored). A token with {@code system/} scopes that names nothing is aimed at the FHIR server when
     * exactly one is configured; with several, the client must name one, else {@code invalid_target}.
     * Any other request keeps its resources.
     */
    List<String> forBackendService(String scope, List<String> resources, String aud) {
        if (!smart.enabled()) {
            return resources;
        }
        if (aud != null) {
            String base = fhirBase(aud);
            if (base == null) {
                throw OAuthError.invalidTarget("aud must be the FHIR server's base URL: one of " + bases() + " (was " + aud + ")");
            }
            List<String> named = new java.util.ArrayList<>(resources);
            named.add(base);
            return named;
        }
        if (!resources.isEmpty() || !SmartScopes.hasSystemScope(scope)) {
            return resources;
        }
        List<ServerConfig.FhirServer> servers = smart.fhirServers();
        if (servers.size() == 1) {
            return List.of(servers.get(0).base());
        }
        throw OAuthError.invalidTarget("system/ scopes need the FHIR server named with resource (or aud): one of " + bases());
    }

    private String bases() {
        return String.join(", ", smart.fhirServers().stream().map(ServerConfig.FhirServer::base).toList());
    }

    /**
     * SMART App Launch 2.2 §"Obtain authorization code": {@code aud} is the FHIR base URL of the server the
     * app wants to reach, so a token is never handed to an app that was pointed at an impostor FHIR server.
     * With SMART configured, a request asking for SMART clinical or launch scopes must carry an {@code aud}
     * that is a configured FHIR base, and any {@code aud} sent must be one.
     *
     * @return the FHIR base (as configured) the token is then aimed at; empty when SMART is not configured
     *         or the request neither asks for SMART scopes nor sends {@code aud}
     * @throws OAuthError {@code invalid_request} when {@code aud} is missing or names no configured FHIR server
     */
    public java.util.Optional<String> authorizeAud(String scope, String aud) {
        if (!smart.enabled() || (aud == null && !asksForSmart(scope))) {
            return java.util.Optional.empty();
        }
        String base = aud == null ? null : fhirBase(aud);
        if (base == null) {
            throw OAuthError.invalidRequest("aud must be the FHIR server's base URL (" + bases() + ")"
                    + (aud == null ? "; it is missing" : "; " + aud + " is not one"));
        }
        return java.util.Optional.of(base);
    }

    /** True when {@code scope} holds a SMART clinical scope or a launch scope. */
    static boolean asksForSmart(String scope) {
        if (scope == null) return false;
        for (String s : scope.split(" ")) {
            if (SmartScope.isClinical(s) || s.equals("launch") || s.startsWith("launch/")) return true;
        }
        return false;
    }

    /** True when {@code audience} is a configured FHIR base (trailing slashes ignored). */
    public boolean isFhirBase(String audience) {
        return fhirBase(audience) != null;
    }

    /** The configured FHIR base {@code resource} names (trailing slashes ignored), or null when it names none. */
    String fhirBase(String resource) {
        return smart.byBase(resource).map(ServerConfig.FhirServer::base).orElse(null);
    }
}
