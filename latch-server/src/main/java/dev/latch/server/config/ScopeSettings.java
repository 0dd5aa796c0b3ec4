package dev.latch.server.config;

import static dev.latch.server.config.ConfigNodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.server.config.ConfigLoader.ConfigException;
import java.util.ArrayList;
import java.util.List;

/** Binds {@code scopes}: the catalogue, each entry a name or {@code {name, description}}. */
final class ScopeSettings {

    private ScopeSettings() {}

    static List<ServerConfig.ScopeSetting> bind(JsonNode root) {
        JsonNode sc = root.get("scopes");
        if (sc == null || sc.isNull()) return List.of();
        if (!sc.isArray()) throw new ConfigException("scopes: must be a list");
        List<ServerConfig.ScopeSetting> scopes = new ArrayList<>();
        for (JsonNode s : sc) {
            if (s.isTextual()) scopes.add(new ServerConfig.ScopeSetting(s.asText(), null));
            else if (s.isObject() && s.hasNonNull("name")) scopes.add(new ServerConfig.ScopeSetting(s.get("name").asText(), text(s, "description")));
            else throw new ConfigException("scopes: each entry is a name or {name, description}");
        }
        return List.copyOf(scopes);
    }
}
