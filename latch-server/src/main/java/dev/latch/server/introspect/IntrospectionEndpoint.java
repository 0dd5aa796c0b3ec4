package dev.latch.server.introspect;

import dev.latch.server.http.Routes;
import dev.latch.core.error.OAuthError;
import dev.latch.server.client.Client;
import dev.latch.server.client.ClientAuthentication;
import dev.latch.server.http.ErrorRenderer;
import dev.latch.server.http.FormParameters;
import dev.latch.server.http.Json;
import dev.latch.server.http.Request;
import dev.latch.server.http.Response;
import dev.latch.server.metrics.Metrics;
import dev.latch.server.token.AccessToken;
import dev.latch.server.token.AccessTokenReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Token introspection (RFC 7662). The caller authenticates as a client; a token is reported active
 * only to the client it was issued to, or to a resource server in its audience (its client_id or
 * one of its {@code resource_uris}). To anyone else, and for anything revoked, expired or unknown,
 * the answer is {@code {"active":false}} and nothing more (RFC 7662 §2.2, §4).
 */
public final class IntrospectionEndpoint implements Routes.Source {

    private static final String INACTIVE = "{\"active\":false}";
    private final ClientAuthentication authentication;
    private final AccessTokenReader reader;
    private final Metrics metrics;

    public IntrospectionEndpoint(ClientAuthentication authentication, AccessTokenReader reader, Metrics metrics) {
        this.authentication = authentication;
        this.reader = reader;
        this.metrics = metrics;
    }

    public Response handle(Request request) {
        try {
            FormParameters form = FormParameters.parse(request);
            ClientAuthentication.Authenticated caller = authentication.authenticate(request, form);
            String token = form.require("token");
            Optional<AccessToken> found = reader.active(token);
            if (found.isEmpty() || !maySee(caller.client(), found.get())) {
                return Response.noStoreJson(200, INACTIVE);
            }
            AccessToken at = found.get();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("active", true);
            body.putAll(at.claims());
            body.put("token_type", "Bearer");
            return Response.noStoreJson(200, Json.write(body));
        } catch (OAuthError e) {
            metrics.error("introspection", e.code());
            return ErrorRenderer.json(e);
        }
    }

    static boolean maySee(Client caller, AccessToken token) {
        if (caller.clientId().equals(token.clientId())) {
            return true;
        }
        List<String> aud = token.audience();
        if (aud.contains(caller.clientId())) {
            return true;
        }
        return caller.resourceUris() != null && caller.resourceUris().stream().anyMatch(aud::contains);
    }

    @Override
    public void addRoutes(Routes routes) {
        // every method reaches the endpoint, which answers the wrong ones with the OAuth error the RFC names
        for (String method : java.util.List.of("POST", "GET", "PUT", "DELETE")) {
            routes.add(method, routes.base() + "/introspect", this::handle);
        }
        // SMART App Launch 2.2: browser apps on a registered origin may introspect too (never with cookies)
        routes.crossOrigin(routes.base() + "/introspect");
    }
}
