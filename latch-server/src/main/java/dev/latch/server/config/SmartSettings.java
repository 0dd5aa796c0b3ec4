package dev.latch.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.server.config.ConfigLoader.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Binds {@code smart}: the FHIR servers SMART apps use through Latch. Each has the {@code base} apps see
 * (the {@code aud} they send, the {@code iss} of a launch) and the {@code upstream} Latch itself reads
 * patients from (the picker, the launch simulator); the upstream defaults to the base.
 */
final class SmartSettings {

    private static final Set<String> SMART_KEYS = Set.of("fhir-servers", "launch-lifetime");
    /** A launch value travels in a URL: long enough for a slow app to start, short enough that a leaked one is soon dead. */
    static final Duration MIN_LAUNCH_LIFETIME = Duration.ofSeconds(30);
    static final Duration MAX_LAUNCH_LIFETIME = Duration.ofHours(1);
    private static final Set<String> SERVER_KEYS = Set.of("base", "upstream");

    private SmartSettings() {}

    static ServerConfig.Smart bind(JsonNode root, YamlLines lines) {
        JsonNode smart = root.get("smart");
        if (smart == null || smart.isNull()) return ServerConfig.Smart.NONE;
        if (!smart.isObject()) {
            throw new ConfigException(lines.at("smart") + "smart: must be a mapping with fhir-servers (and launch-lifetime)");
        }
        ConfigNodes.checkKeys(smart, "smart", SMART_KEYS, lines);
        Duration launchLifetime = ConfigNodes.duration(smart, "smart.launch-lifetime", "launch-lifetime",
                ServerConfig.Smart.DEFAULT_LAUNCH_LIFETIME);
        if (launchLifetime.compareTo(MIN_LAUNCH_LIFETIME) < 0 || launchLifetime.compareTo(MAX_LAUNCH_LIFETIME) > 0) {
            throw new ConfigException(lines.at("smart.launch-lifetime") + "smart.launch-lifetime: must be between 30s and 1h (was "
                    + smart.get("launch-lifetime").asText() + ")");
        }
        JsonNode servers = smart.get("fhir-servers");
        if (servers == null || servers.isNull()) return ServerConfig.Smart.NONE;
        servers = ConfigNodes.indexedList(servers);
        if (!servers.isArray()) {
            throw new ConfigException(lines.at("smart.fhir-servers") + "smart.fhir-servers: must be a list of {base, upstream}");
        }
        List<ServerConfig.FhirServer> out = new ArrayList<>();
        Map<String, String> declaredAs = new HashMap<>();
        int i = 0;
        for (JsonNode s : servers) {
            String where = "smart.fhir-servers[" + i++ + "]";
            if (!s.isObject()) {
                throw new ConfigException(lines.at(where) + where + ": must be a mapping {base, upstream}");
            }
            ConfigNodes.checkKeys(s, where, SERVER_KEYS, lines);
            URI base = url(s, where, "base", lines);
            if (base == null) {
                throw new ConfigException(lines.at(where) + where + ".base: required: the FHIR base URL apps use, e.g. https://fhir.example.org/r4");
            }
            URI upstream = url(s, where, "upstream", lines);
            String first = declaredAs.putIfAbsent(base.toString(), where);
            if (first != null) {
                throw new ConfigException(lines.at(where + ".base") + where + ".base: " + base + " is declared twice (first as " + first + ")");
            }
            out.add(new ServerConfig.FhirServer(base.toString(), upstream == null ? base.toString() : upstream.toString()));
        }
        return new ServerConfig.Smart(out, launchLifetime);
    }

    /** An absolute http(s) URL without query or fragment, written without a trailing slash; null when absent. */
    private static URI url(JsonNode s, String where, String key, YamlLines lines) {
        JsonNode v = s.get(key);
        if (v == null || v.isNull()) return null;
        String path = where + "." + key;
        if (!v.isValueNode() || v.asText().isBlank()) {
            throw new ConfigException(lines.at(path) + path + ": must be an http(s) URL");
        }
        String text = v.asText().trim();
        try {
            URI u = new URI(text);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null || u.getQuery() != null
                    || u.getFragment() != null || u.getUserInfo() != null) {
                throw new URISyntaxException(text, "not an absolute http(s) URL without user, query or fragment");
            }
            return new URI(ServerConfig.Smart.withoutTrailingSlashes(text));
        } catch (URISyntaxException e) {
            throw new ConfigException(lines.at(path) + path + ": must be an absolute http(s) URL without user, query or fragment (was " + text + ")");
        }
    }
}
