package dev.latch.server.claims;

import dev.latch.server.config.ServerConfig;
import dev.latch.server.user.User;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The configured claim mappings (config section {@code claims:}): user attributes and roles copied
 * into ID token, userinfo and access token claims, so an application reads username, email and roles
 * straight from the token. The names the server sets itself ({@code iss}, {@code sub}, {@code aud},
 * {@code exp}, {@code iat}, {@code client_id}, {@code scope}…) are refused when the configuration is
 * loaded, and the issuers write their own claims last, so a mapping can never override them.
 */
public final class ClaimMappings {

    /** Where a mapped claim goes. */
    public enum Target {
        ID_TOKEN("id_token"), USERINFO("userinfo"), ACCESS_TOKEN("access_token");

        private final String configName;

        Target(String configName) {
            this.configName = configName;
        }
    }

    private final List<ServerConfig.ClaimMapping> mappings;

    public ClaimMappings(List<ServerConfig.ClaimMapping> mappings) {
        this.mappings = List.copyOf(mappings);
    }

    public static ClaimMappings none() {
        return new ClaimMappings(List.of());
    }

    /** The mapped claims of {@code user} for {@code target}, given the scopes granted; a source the user lacks is left out. */
    public Map<String, Object> claims(User user, Collection<String> grantedScopes, Target target) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (ServerConfig.ClaimMapping m : mappings) {
            if (!m.in().contains(target.configName) || m.scope() != null && !grantedScopes.contains(m.scope())) {
                continue;
            }
            Object value = source(user, m.source());
            if (value != null) {
                out.put(m.claim(), value);
            }
        }
        return out;
    }

    private static Object source(User user, String source) {
        return switch (source) {
            case "roles" -> user.roles() == null ? List.of() : user.roles();
            case "username" -> user.username();
            case "subject" -> user.subject();
            default -> user.claims() == null ? null : user.claims().get(source);
        };
    }
}
