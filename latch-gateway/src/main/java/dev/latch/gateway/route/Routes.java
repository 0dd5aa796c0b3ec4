package dev.latch.gateway.route;

import dev.latch.gateway.config.GatewayConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Picks the route of a request: the longest matching path prefix; among equal prefixes, a route
 * naming the request's host wins over one for any host. A prefix {@code /api/} also matches
 * {@code /api} exactly. Paths are matched in Jetty's canonical (decoded, dot-segment-free) form,
 * so {@code /api/../admin} cannot reach another route's upstream through this one.
 */
public final class Routes<T> {

    private record Entry<T>(String prefix, String host, T target) {}

    private final List<Entry<T>> entries = new ArrayList<>();

    public void add(GatewayConfig.Route route, T target) {
        entries.add(new Entry<>(route.path(), route.host() == null ? null : route.host().toLowerCase(Locale.ROOT), target));
        entries.sort(Comparator.<Entry<T>>comparingInt(e -> e.prefix().length()).reversed()
                .thenComparing(e -> e.host() == null ? 1 : 0));
    }

    /** The route for {@code path} on {@code host} (no port), or null. */
    public T match(String host, String path) {
        if (path == null) {
            return null;
        }
        for (Entry<T> e : entries) {
            if (e.host() != null && (host == null || !e.host().equalsIgnoreCase(host))) {
                continue;
            }
            if (matches(e.prefix(), path)) {
                return e.target();
            }
        }
        return null;
    }

    /** True when {@code path} falls under {@code prefix}. */
    public static boolean matches(String prefix, String path) {
        if (path.startsWith(prefix)) {
            return true;
        }
        return prefix.endsWith("/") && prefix.length() > 1 && path.length() == prefix.length() - 1 && prefix.startsWith(path);
    }

    /** The part of {@code path} below {@code prefix} (without a leading slash), "" for the prefix itself. */
    public static String remainder(String prefix, String path) {
        if (path.length() < prefix.length()) {
            return "";
        }
        String rest = path.substring(prefix.length());
        return rest.startsWith("/") ? rest.substring(1) : rest;
    }

    public List<T> all() {
        return entries.stream().map(Entry::target).toList();
    }
}
