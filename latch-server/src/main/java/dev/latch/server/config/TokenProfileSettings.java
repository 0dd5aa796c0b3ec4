package dev.latch.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.server.config.ConfigLoader.ConfigException;
import dev.latch.server.resource.ResourceProfiles;
import dev.latch.server.resource.TokenProfile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binds the access-token profile settings: {@code tokens.default-profile} and the {@code resources}
 * list. Every problem names the file and line when the setting came from the file
 * ({@code latch.yaml:12: resources[0].token-profile: must be one of rfc9068, jwt (was jwtt)}).
 */
final class TokenProfileSettings {

    private static final Set<String> RESOURCE_KEYS = Set.of("uri", "token-profile");

    private TokenProfileSettings() {}

    /** {@code tokens.default-profile}; {@code rfc9068} when unset. */
    static TokenProfile defaultProfile(JsonNode tokens, YamlLines lines) {
        JsonNode v = tokens.get("default-profile");
        if (v == null || v.isNull()) return TokenProfile.RFC9068;
        return profile(v, "tokens.default-profile", lines);
    }

    /** The {@code resources:} entries; {@code node} is a list, or entries by index from the command line. */
    static List<ServerConfig.ResourceSetting> resources(JsonNode node, YamlLines lines) {
        if (node == null || node.isNull()) return List.of();
        node = ConfigNodes.indexedList(node);
        if (!node.isArray()) {
            throw new ConfigException(lines.at("resources") + "resources: must be a list of {uri, token-profile}");
        }
        List<ServerConfig.ResourceSetting> out = new ArrayList<>();
        Map<String, String> declaredAs = new HashMap<>();
        int i = 0;
        for (JsonNode r : node) {
            String where = "resources[" + i++ + "]";
            if (!r.isObject()) {
                throw new ConfigException(lines.at(where) + where + ": must be a mapping {uri, token-profile}");
            }
            ConfigNodes.checkKeys(r, where, RESOURCE_KEYS, lines);
            JsonNode uriNode = r.get("uri");
            if (uriNode == null || uriNode.isNull() || !uriNode.isValueNode()) {
                throw new ConfigException(lines.at(where) + where + ".uri: required: the resource indicator (RFC 8707), e.g. https://api.example.org");
            }
            String uri = uriNode.asText();
            try {
                ResourceProfiles.checkUri(uri);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(lines.at(where + ".uri") + where + ".uri: " + e.getMessage());
            }
            String first = declaredAs.putIfAbsent(uri, where);
            if (first != null) {
                throw new ConfigException(lines.at(where + ".uri") + where + ".uri: " + uri + " is declared twice (first as " + first + ")");
            }
            JsonNode p = r.get("token-profile");
            if (p == null || p.isNull()) {
                throw new ConfigException(lines.at(where) + where + ".token-profile: required: one of " + TokenProfile.names());
            }
            out.add(new ServerConfig.ResourceSetting(uri, profile(p, where + ".token-profile", lines)));
        }
        return List.copyOf(out);
    }

    private static TokenProfile profile(JsonNode v, String path, YamlLines lines) {
        try {
            if (!v.isValueNode()) throw new IllegalArgumentException("must be one of " + TokenProfile.names());
            return TokenProfile.parse(v.asText());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(lines.at(path) + path + ": " + e.getMessage());
        }
    }
}
