package dev.latch.server.config;

import static dev.latch.server.config.ConfigNodes.list;
import static dev.latch.server.config.ConfigNodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.server.config.ConfigLoader.ConfigException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Binds {@code claims}: mappings of user attributes and roles into ID token, userinfo and access token claims. */
final class ClaimSettings {

    /**
     * Claims the mappings may never set: they say who issued the token, to whom, about whom, for what and when,
     * and in which SMART launch context (the gateway confines {@code patient/} scopes to the {@code patient} claim).
     */
    static final Set<String> PROTECTED_CLAIMS = java.util.stream.Stream.concat(Stream.of("iss", "sub", "aud", "exp", "iat", "nbf",
            "jti", "client_id", "scope", "azp", "auth_time", "nonce", "at_hash", "c_hash", "sid", "amr", "acr", "cnf"),
            dev.latch.core.smart.LaunchContext.PARAMETERS.stream()).collect(java.util.stream.Collectors.toUnmodifiableSet());
    private static final Set<String> KEYS = Set.of("claim", "source", "in", "scope");
    private static final Set<String> TARGETS = Set.of("id_token", "userinfo", "access_token");
    private static final Pattern CLAIM_NAME = Pattern.compile("[A-Za-z0-9_.:\\-]{1,100}");

    private ClaimSettings() {}

    /** The {@code claims:} entries; a list, or entries by index from the command line. */
    static List<ServerConfig.ClaimMapping> bind(JsonNode root) {
        JsonNode node = root.get("claims");
        if (node == null || node.isNull()) return List.of();
        node = ConfigNodes.indexedList(node);
        if (!node.isArray()) throw new ConfigException("claims: must be a list of {claim, source, in, scope}");
        List<ServerConfig.ClaimMapping> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int i = 0;
        for (JsonNode m : node) {
            String at = "claims[" + i + "]";
            if (!m.isObject()) throw new ConfigException(at + ": must be a mapping {claim, source, in, scope}");
            ConfigNodes.checkKeys(m, at, KEYS, YamlLines.NONE);
            String claim = text(m, "claim");
            if (claim == null || !CLAIM_NAME.matcher(claim).matches()) {
                throw new ConfigException(at + ".claim: a claim name (letters, digits, _ . : -) is required");
            }
            if (PROTECTED_CLAIMS.contains(claim)) {
                throw new ConfigException(at + ".claim: '" + claim + "' is set by the server and cannot be mapped (protected: "
                        + String.join(", ", new TreeSet<>(PROTECTED_CLAIMS)) + ")");
            }
            String source = text(m, "source", claim);
            if (!CLAIM_NAME.matcher(source).matches()) {
                throw new ConfigException(at + ".source: must be roles, username, subject or a claim name of the user (was " + source + ")");
            }
            List<String> in = list(m, "in", List.of("id_token", "userinfo", "access_token"));
            if (in.isEmpty()) throw new ConfigException(at + ".in: must name at least one of access_token, id_token, userinfo");
            for (String t : in) {
                if (!TARGETS.contains(t)) {
                    throw new ConfigException(at + ".in: '" + t + "' is not one of access_token, id_token, userinfo");
                }
                if (!seen.add(claim + "@" + t)) {
                    throw new ConfigException(at + ".claim: '" + claim + "' is already mapped into " + t);
                }
            }
            out.add(new ServerConfig.ClaimMapping(claim, source, in, text(m, "scope")));
            i++;
        }
        return List.copyOf(out);
    }
}
