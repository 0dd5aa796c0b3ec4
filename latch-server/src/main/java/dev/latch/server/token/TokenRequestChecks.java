package dev.latch.server.token;

import dev.latch.core.error.OAuthError;
import dev.latch.server.client.Client;
import dev.latch.server.client.ClientRegistry;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Checks shared by the grants, each a pure step over the request and the client. */
public final class TokenRequestChecks {

    private TokenRequestChecks() {}

    /**
     * RFC 6749 §3.3: the scope granted. Without {@code scope} the client gets everything it is
     * allowed; asking for anything beyond that is {@code invalid_scope}.
     */
    public static String checkScope(Client client, String requested) {
        List<String> allowed = client.scopes();
        if (requested == null) {
            return String.join(" ", allowed);
        }
        Set<String> asked = new LinkedHashSet<>(List.of(requested.trim().split(" +")));
        List<String> refused = new ArrayList<>();
        for (String s : asked) {
            if (s.isEmpty() || !allowed.contains(s)) refused.add(s);
        }
        if (!refused.isEmpty()) {
            throw OAuthError.invalidScope("scope not allowed for this client: " + String.join(" ", refused));
        }
        return String.join(" ", asked);
    }

    /**
     * RFC 8707 §2: the audience from {@code resource} indicators, each an absolute URI without
     * fragment and allowed for the client; without any, the server's default audience.
     */
    public static List<String> checkAudience(Client client, List<String> resources, String defaultAudience) {
        if (resources.isEmpty()) {
            return List.of(defaultAudience);
        }
        List<String> allowed = client.allowedResources() == null ? List.of() : client.allowedResources();
        Set<String> out = new LinkedHashSet<>();
        for (String r : resources) {
            if (!ClientRegistry.validResource(r)) {
                throw OAuthError.invalidTarget("resource must be an absolute URI without fragment: " + r);
            }
            if (!allowed.contains(r)) {
                throw OAuthError.invalidTarget("resource not allowed for this client: " + r);
            }
            out.add(r);
        }
        return List.copyOf(out);
    }
}
