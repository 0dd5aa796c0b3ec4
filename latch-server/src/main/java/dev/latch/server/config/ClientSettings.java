package dev.latch.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.core.secret.SecretReference;
import dev.latch.server.config.ConfigLoader.ConfigException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binds {@code clients}: each entry stays RFC 7591 metadata as a map, checked when applied by the
 * client registry; only {@code client_secret} is resolved here, as a secret reference.
 */
final class ClientSettings {

    private ClientSettings() {}

    static List<Map<String, Object>> bind(JsonNode root, SecretReference secrets) {
        JsonNode cl = root.get("clients");
        if (cl == null || cl.isNull()) return List.of();
        if (!cl.isArray()) throw new ConfigException("clients: must be a list");
        List<Map<String, Object>> clients = new ArrayList<>();
        int i = 0;
        for (JsonNode c : cl) {
            if (!c.isObject()) throw new ConfigException("clients[" + i + "]: must be a mapping");
            @SuppressWarnings("unchecked")
            Map<String, Object> map = ConfigNodes.YAML.convertValue(c, LinkedHashMap.class);
            if (map.get("client_secret") instanceof String s) {
                map.put("client_secret", secrets.resolve("clients[" + i + "].client_secret", s));
            }
            clients.add(map);
            i++;
        }
        return List.copyOf(clients);
    }
}
