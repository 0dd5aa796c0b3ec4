package dev.latch.server.token;

import dev.latch.core.error.OAuthError;
import dev.latch.server.client.Client;
import dev.latch.server.client.ClientRegistry;
import dev.latch.core.smart.SmartScopes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Checks shared by the grants, each a pure step over the request and the client. */
public final class TokenRequestChecks {

    private TokenRequestChecks() {}

    /**
     * RFC 6749 §3.3: the scope granted. Without {@code scope} the client gets everything it is
     * allowed; asking for anything beyond that is {@code invalid_scope}. SMART clinical scopes are
     * covered by the client's wildcards ({@code patient/*.rs} covers {@code patient/Observation.r}).
     */
    public static String checkScope(Client client, String requested) {
        List<String> allowed = client.scopes();
        if (requested == null) {
            return String.join(" ", allowed);
        }
        return coveredScope(allowed, requested, "scope not allowed for this client: ");
    }

    /**
     * {@code requested} exactly as asked (repeats dropped) when every scope of it is covered by
     * {@code allowed} ({@link SmartScopes#covered}: clinical scopes by SMART coverage, others by name);
     * otherwise {@code invalid_scope} with {@code refusal} and the scopes refused. A malformed SMART
     * clinical scope is {@code invalid_scope} naming it, whatever is allowed.
     */
    public static String coveredScope(Collection<String> allowed, String requested, String refusal) {
        Set<String> asked = new LinkedHashSet<>(List.of(requested.trim().split(" +")));
        List<String> refused = new ArrayList<>();
        for (String s : asked) {
            boolean covered;
            try {
                covered = !s.isEmpty() && SmartScopes.covered(allowed, s);
            } catch (IllegalArgumentException e) {
                throw OAuthError.invalidScope("malformed SMART scope " + s + ": " + e.getMessage());
            }
            if (!covered) refused.add(s);
        }
        if (!refused.isEmpty()) {
            throw OAuthError.invalidScope(refusal + String.join(" ", refused));
        }
        return String.join(" ", asked);
    }

    /**
     * RFC 8707 §2: the audience from {@code resource} indicators, each an absolute URI without
     * fragment and allowed for the client or a configured FHIR base ({@link Audiences}); without any,
     * the server's default audience.
     */
    public static List<String> checkAudience(Client client, List<String> resources, Audiences audiences) {
        if (resources.isEmpty()) {
            return List.of(audiences.defaultAudience());
        }
        List<String> allowed = client.allowedResources() == null ? List.of() : client.allowedResources();
        Set<String> out = new LinkedHashSet<>();
        for (String r : resources) {
            if (!ClientRegistry.validResource(r)) {
                throw OAuthError.invalidTarget("resource must be an absolute URI without fragment: " + r);
            }
            String fhirBase = audiences.fhirBase(r);
            if (fhirBase != null) {
                out.add(fhirBase);
                continue;
            }
            if (!allowed.contains(r)) {
                throw OAuthError.invalidTarget("resource not allowed for this client: " + r);
            }
            out.add(r);
        }
        return List.copyOf(out);
    }
}
