package dev.latch.gateway.metadata;

import dev.latch.gateway.config.GatewayConfig;
import dev.latch.gateway.http.GatewayResponses;
import dev.latch.resource.AccessRule;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728) for each {@code protect} route: the resource
 * {@code https://host/api/} is described at {@code /.well-known/oauth-protected-resource/api/} (§3.1: the
 * well-known segment between host and path), a route at {@code /} at {@code /.well-known/oauth-protected-resource}.
 * The URL is named in every refusal's challenge as {@code resource_metadata} (§5.1).
 */
public final class ProtectedResourceMetadata {

    public static final String WELL_KNOWN = "/.well-known/oauth-protected-resource";

    private final Map<String, GatewayConfig.Issuer> issuers;

    public ProtectedResourceMetadata(Map<String, GatewayConfig.Issuer> issuers) {
        this.issuers = issuers;
    }

    /** True when {@code path} is a metadata location. */
    public static boolean isMetadataPath(String path) {
        return path.equals(WELL_KNOWN) || path.startsWith(WELL_KNOWN + "/");
    }

    /** The route path a metadata path describes ("/" for the bare well-known URL). */
    public static String routePath(String metadataPath) {
        String rest = metadataPath.substring(WELL_KNOWN.length());
        return rest.isEmpty() ? "/" : rest;
    }

    /** Where the metadata of {@code route} is, as seen by the caller of {@code request}. */
    public static String url(Request request, GatewayConfig.Route route) {
        return origin(request) + WELL_KNOWN + (route.path().equals("/") ? "" : route.path());
    }

    private static String origin(Request request) {
        HttpURI uri = request.getHttpURI();
        return uri.getScheme() + "://" + uri.getAuthority();
    }

    /** Answers the metadata of {@code route} (a protect route). */
    public void answer(Request request, Response response, Callback callback, GatewayConfig.Route route) {
        GatewayConfig.Issuer issuer = issuers.get(route.issuer());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("resource", origin(request) + route.path());
        body.put("authorization_servers", List.of(issuer.settings().issuer()));
        TreeSet<String> scopes = new TreeSet<>();
        for (AccessRule rule : route.rules().values()) {
            scopes.addAll(rule.anyScopes());
            scopes.addAll(rule.allScopes());
        }
        if (!scopes.isEmpty()) {
            body.put("scopes_supported", List.copyOf(scopes));
        }
        body.put("bearer_methods_supported", List.of("header"));
        response.getHeaders().put("Access-Control-Allow-Origin", "*");
        GatewayResponses.json(response, callback, 200, body);
    }
}
