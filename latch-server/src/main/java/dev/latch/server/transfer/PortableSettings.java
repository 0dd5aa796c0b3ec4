package dev.latch.server.transfer;

import dev.latch.server.config.ServerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The settings a configuration export carries: those that decide what tokens and clients look like
 * and so must agree between instances that share clients —
 * {@code issuer}, {@code tokens.access-token-lifetime}, {@code tokens.max-access-token-lifetime},
 * {@code tokens.default-audience}, {@code tokens.signing-alg}, {@code tokens.jwks-max-age}, {@code tokens.default-profile},
 * {@code registration.allowed-scopes}, {@code registration.allowed-grant-types},
 * {@code outbound.allow}, {@code outbound.timeout}, {@code outbound.max-bytes}.
 *
 * <p>Left out on purpose: what belongs to one node ({@code port}, {@code data}, {@code database.*},
 * {@code management.*}, {@code tls.*}, {@code crypto}) and secrets ({@code master-key},
 * {@code database.password}, {@code registration.initial-access-token}). Settings live in the YAML
 * file and environment of each node, not in the database, so an import does not change them: it
 * reports every one that differs from the importing instance's, for the operator to carry over.
 */
public final class PortableSettings {

    private PortableSettings() {}

    /** The portable settings of {@code config}, sorted by dotted name; values are strings or lists of strings. */
    public static SortedMap<String, Object> of(ServerConfig config) {
        SortedMap<String, Object> s = new TreeMap<>();
        s.put("issuer", config.issuer());
        ServerConfig.Tokens t = config.tokens();
        s.put("tokens.access-token-lifetime", duration(t.accessTokenLifetime()));
        s.put("tokens.max-access-token-lifetime", duration(t.maxAccessTokenLifetime()));
        s.put("tokens.default-audience", t.defaultAudience());
        s.put("tokens.signing-alg", t.signingAlg());
        s.put("tokens.jwks-max-age", duration(t.jwksMaxAge()));
        s.put("tokens.id-token-lifetime", duration(t.idTokenLifetime()));
        s.put("tokens.refresh-token-idle-lifetime", duration(t.refreshTokenIdleLifetime()));
        s.put("tokens.refresh-token-absolute-lifetime", duration(t.refreshTokenAbsoluteLifetime()));
        s.put("tokens.default-profile", t.defaultProfile().configName());
        s.put("registration.allowed-scopes", List.copyOf(config.registration().allowedScopes()));
        s.put("registration.allowed-grant-types", List.copyOf(config.registration().allowedGrantTypes()));
        s.put("outbound.allow", List.copyOf(config.outbound().allow()));
        s.put("outbound.timeout", duration(config.outbound().timeout()));
        s.put("outbound.max-bytes", Integer.toString(config.outbound().maxBytes()));
        return s;
    }

    /** In the notation the configuration file accepts ({@code 3600s}, {@code 500ms}). */
    static String duration(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    /** One line per setting whose value in {@code exported} differs from {@code here}. */
    public static List<String> differences(Map<String, Object> exported, Map<String, Object> here) {
        List<String> out = new ArrayList<>();
        if (exported == null) {
            return out;
        }
        for (Map.Entry<String, Object> e : new TreeMap<>(exported).entrySet()) {
            Object mine = here.get(e.getKey());
            if (mine == null) {
                out.add(e.getKey() + " is not a setting this version knows (exported value " + e.getValue() + ")");
            } else if (!Objects.equals(String.valueOf(mine), String.valueOf(e.getValue()))) {
                out.add(e.getKey() + " is " + mine + " here but " + e.getValue() + " in the export");
            }
        }
        return out;
    }
}
