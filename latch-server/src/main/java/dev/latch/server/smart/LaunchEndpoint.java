package dev.latch.server.smart;

import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import dev.latch.core.error.OAuthError;
import dev.latch.server.http.BearerToken;
import dev.latch.server.http.ErrorRenderer;
import dev.latch.server.http.FormParameters;
import dev.latch.server.http.Json;
import dev.latch.server.http.Request;
import dev.latch.server.http.Response;
import dev.latch.server.http.Routes;
import dev.latch.server.metrics.Metrics;
import dev.latch.server.token.AccessToken;
import dev.latch.server.token.AccessTokenReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /smart/launch}: an EHR creates a SMART EHR launch (SMART App Launch 2.2 §"EHR Launch")
 * and learns the URL that opens the app with {@code iss} and {@code launch}. The caller is a system,
 * not a person: a bearer access token of this server obtained by client credentials (its subject is
 * its client) with the {@code smart.launch} scope. Errors are RFC 6750 §3 challenges (no token: 401
 * without error code, §3.1; a bad one: 401 {@code invalid_token}; no {@code smart.launch}: 403
 * {@code insufficient_scope}) and, for the body, 400 {@code invalid_request} naming the field.
 */
public final class LaunchEndpoint implements Routes.Source {

    public static final String SCOPE = "smart.launch";

    private final AccessTokenReader tokens;
    private final Launches launches;
    private final Metrics metrics;

    public LaunchEndpoint(AccessTokenReader tokens, Launches launches, Metrics metrics) {
        this.tokens = tokens;
        this.launches = launches;
        this.metrics = metrics;
    }

    public Response handle(Request request) {
        AccessToken caller;
        try {
            String token = BearerToken.read(request, false);
            if (token == null) {
                return Response.noStoreJson(401, "{}").withHeader("WWW-Authenticate", "Bearer realm=\"latch\", scope=\"" + SCOPE + "\"");
            }
            caller = tokens.active(token).orElseThrow(() -> OAuthError.invalidToken("the access token is invalid, expired or revoked"));
            List<String> scopes = caller.scope() == null ? List.of() : List.of(caller.scope().split(" "));
            if (!scopes.contains(SCOPE) || !caller.subject().equals(caller.clientId())) {
                throw OAuthError.insufficientScope("creating a launch needs a client-credentials token with the " + SCOPE + " scope");
            }
        } catch (OAuthError e) {
            metrics.error("smart_launch", e.code());
            return ErrorRenderer.bearer(e);
        }
        try {
            String type = request.header("content-type");
            if (type == null || !FormParameters.mediaType(type).equals("application/json")) {
                throw OAuthError.invalidRequest("the body must be application/json");
            }
            LaunchRequest launch = LaunchRequest.parseJson(request.body());
            Launches.Created created = launches.create(launch);
            Audit.success(AuditEvent.SMART_LAUNCH).ip(request.remoteAddress()).actor("client:" + caller.clientId()).client(launch.clientId())
                    .username(launch.user()).patient(launch.context() == null ? null : launch.context().patient()).write();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("launch", created.launch());
            body.put("launch_url", created.launchUrl());
            body.put("expires_in", created.expiresIn());
            return Response.noStoreJson(201, Json.write(body));
        } catch (OAuthError e) {
            metrics.error("smart_launch", e.code());
            return ErrorRenderer.json(e);
        }
    }

    @Override
    public void addRoutes(Routes routes) {
        routes.post(routes.base() + "/smart/launch", this::handle);
    }
}
