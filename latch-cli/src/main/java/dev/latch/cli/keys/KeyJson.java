package dev.latch.cli.keys;

import com.nimbusds.jose.jwk.JWK;
import dev.latch.cli.jwt.JsonText;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JWK and JWK Set documents as the key commands print and write them. */
final class KeyJson {

    private KeyJson() {}

    /** A JWK Set holding only the public half of {@code key} (RFC 7517 §5). */
    static Map<String, Object> publicSet(JWK key) {
        Map<String, Object> set = new LinkedHashMap<>();
        set.put("keys", List.of(key.toPublicJWK().toJSONObject()));
        return set;
    }

    /** JWK members in the order RFC 7517/7518 list them, so printed keys read alike. */
    private static final List<String> ORDER = List.of("kty", "use", "key_ops", "alg", "kid", "crv", "n", "e", "x", "y", "d",
            "p", "q", "dp", "dq", "qi", "x5u", "x5c", "x5t", "x5t#S256", "iat", "exp", "nbf");

    @SuppressWarnings("unchecked")
    static String pretty(Map<String, Object> json) {
        return JsonText.pretty(ordered(json));
    }

    @SuppressWarnings("unchecked")
    private static Object ordered(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            boolean jwk = map.containsKey("kty");
            if (jwk) {
                for (String name : ORDER) {
                    if (map.containsKey(name)) {
                        out.put(name, ordered(map.get(name)));
                    }
                }
            }
            map.forEach((k, v) -> out.putIfAbsent((String) k, ordered(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(KeyJson::ordered).toList();
        }
        return value;
    }
}
