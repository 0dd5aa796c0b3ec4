package dev.latch.resource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Claims addressed by dotted paths, as issuers nest them: {@code realm_access.roles}, and with the
 * placeholder {@code *} for "every member of this object" ({@code resource_access.*.roles}, Keycloak's
 * per-client roles). A claim whose own name contains dots (Auth0's {@code https://example.com/roles})
 * is found too: at each level the whole rest of the path is tried as one name first.
 */
public final class ClaimPaths {

    private ClaimPaths() {}

    /** Every value at {@code path}; a list found at the end gives its elements. Empty when nothing is there. */
    public static List<Object> values(Map<String, Object> claims, String path) {
        List<Object> out = new ArrayList<>();
        collect(claims, path.split("\\.", -1), 0, out);
        return out;
    }

    /** The strings at {@code path} (other values are not names of roles or scopes, so they are passed over). */
    public static List<String> strings(Map<String, Object> claims, String path) {
        List<String> out = new ArrayList<>();
        for (Object v : values(claims, path)) {
            if (v instanceof String s) {
                out.add(s);
            }
        }
        return out;
    }

    private static void collect(Object node, String[] segments, int i, List<Object> out) {
        if (node == null) {
            return;
        }
        if (i == segments.length) {
            if (node instanceof List<?> list) {
                for (Object element : list) {
                    if (element != null) out.add(element);
                }
            } else {
                out.add(node);
            }
            return;
        }
        if (!(node instanceof Map<?, ?> map)) {
            return;
        }
        if (i < segments.length - 1) {
            Object whole = map.get(String.join(".", java.util.Arrays.asList(segments).subList(i, segments.length)));
            if (whole != null) {
                collect(whole, segments, segments.length, out);
                return;
            }
        }
        if ("*".equals(segments[i])) {
            for (Object member : map.values()) {
                collect(member, segments, i + 1, out);
            }
        } else {
            collect(map.get(segments[i]), segments, i + 1, out);
        }
    }
}
