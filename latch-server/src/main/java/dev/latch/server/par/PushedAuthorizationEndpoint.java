package dev.latch.server.par;

import dev.latch.server.http.Routes;
import dev.latch.core.error.OAuthError;
import dev.latch.server.authorize.AuthorizationError;
import dev.latch.server.authorize.AuthorizationRequestParser;
import dev.latch.server.client.ClientAuthentication;
import dev.latch.server.http.ErrorRenderer;
import dev.latch.server.http.FormParameters;
import dev.latch.server.http.Json;
import dev.latch.server.http.Request;
import dev.latch.server.http.Response;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pushed authorization request endpoint (RFC 9126 §2): the client authenticates as at the token
 * endpoint, the request is checked as the authorization endpoint would check it, and a single-use
 * request URI valid for 60 s comes back (§2.2, 201 Created).
 */
public final class PushedAuthorizationEndpoint implements Routes.Source {

    /** Client authentication parameters: they authenticate the push and are not part of the request. */
    private static final Set<String> AUTHENTICATION = Set.of("client_secret", "client_assertion", "client_assertion_type");

    private final ClientAuthentication authentication;
    private final AuthorizationRequestParser parser;
    private final PushedRequestStore store;
    private final Clock clock;

    public PushedAuthorizationEndpoint(ClientAuthentication authentication, AuthorizationRequestParser parser, PushedRequestStore store,
                                       Clock clock) {
        this.authentication = authentication;
        this.parser = parser;
        this.store = store;
        this.clock = clock;
    }

    public Response handle(Request request) {
        try {
            FormParameters form = FormParameters.parse(request);
            ClientAuthentication.Authenticated client = authentication.authenticate(request, form);
            String clientId = client.client().clientId();
            Map<String, List<String>> parameters = new LinkedHashMap<>(form.asMap());
            AUTHENTICATION.forEach(parameters::remove);
            if (parameters.containsKey("request_uri")) {
                throw OAuthError.invalidRequest("request_uri cannot be pushed (RFC 9126 §2.1)");
            }
            parameters.put("client_id", List.of(clientId));
            try {
                parser.parse(parameters, true);
            } catch (AuthorizationError e) {
                throw OAuthError.of(e.code(), 400, e.description());
            }
            String uri = store.push(clientId, parameters, clock.instant().getEpochSecond());
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("request_uri", uri);
            body.put("expires_in", PushedRequestStore.LIFETIME_SECONDS);
            return Response.noStoreJson(201, Json.write(body));
        } catch (OAuthError e) {
            return ErrorRenderer.json(e);
        }
    }

    @Override
    public void addRoutes(Routes routes) {
        routes.post(routes.base() + "/par", this::handle);
    }
}
