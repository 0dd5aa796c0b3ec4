package dev.latch.server.revoke;

import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import dev.latch.server.http.Routes;
import dev.latch.core.error.OAuthError;
import dev.latch.server.client.ClientAuthentication;
import dev.latch.server.http.ErrorRenderer;
import dev.latch.server.http.FormParameters;
import dev.latch.server.http.Request;
import dev.latch.server.http.Response;
import dev.latch.server.metrics.Metrics;
import dev.latch.server.token.AccessToken;
import dev.latch.server.token.AccessTokenReader;
import java.util.Optional;

/**
 * Token revocation (RFC 7009). A client revokes only its own tokens; for a token it does not own,
 * or one that is unknown or invalid, the answer is still 200 and nothing changes (RFC 7009 §2.2),
 * so the endpoint reveals nothing about other clients' tokens.
 */
public final class RevocationEndpoint implements Routes.Source {

    private final ClientAuthentication authentication;
    private final AccessTokenReader reader;
    private final Metrics metrics;
    private final dev.latch.server.refresh.RefreshTokenStore refreshTokens;
    private final java.time.Clock clock;

    public RevocationEndpoint(ClientAuthentication authentication, AccessTokenReader reader, Metrics metrics,
                              dev.latch.server.refresh.RefreshTokenStore refreshTokens, java.time.Clock clock) {
        this.authentication = authentication;
        this.reader = reader;
        this.metrics = metrics;
        this.refreshTokens = refreshTokens;
        this.clock = clock;
    }

    public Response handle(Request request) {
        FormParameters form = null;
        try {
            form = FormParameters.parse(request);
            ClientAuthentication.Authenticated caller = authentication.authenticate(request, form);
            String token = form.require("token");
            Optional<AccessToken> found = reader.parse(token);
            if (found.isPresent() && caller.client().clientId().equals(found.get().clientId())) {
                reader.revoke(token, found.get());
                Audit.success(AuditEvent.TOKEN_REVOKE).ip(request.remoteAddress()).client(caller.client().clientId())
                        .user(found.get().subject().equals(found.get().clientId()) ? null : found.get().subject())
                        .tokenType("access_token").jti(found.get().jti()).write();
            } else if (found.isEmpty() && refreshTokens.revoke(token, caller.client().clientId(), clock.instant().getEpochSecond())) {
                // the whole family goes: its other tokens stand for the same grant (RFC 7009 §2.1)
                Audit.success(AuditEvent.TOKEN_REVOKE).ip(request.remoteAddress()).client(caller.client().clientId())
                        .tokenType("refresh_token").write();
            }
            return Response.empty(200).withHeader("Cache-Control", "no-store");
        } catch (OAuthError e) {
            metrics.error("revocation", e.code());
            Audit.failure(AuditEvent.TOKEN_REVOKE).ip(request.remoteAddress()).client(ClientAuthentication.claimedClientId(request, form))
                    .error(e.code()).reason(e.description()).write();
            return ErrorRenderer.json(e);
        }
    }

    @Override
    public void addRoutes(Routes routes) {
        // every method reaches the endpoint, which answers the wrong ones with the OAuth error the RFC names
        for (String method : java.util.List.of("POST", "GET", "PUT", "DELETE")) {
            routes.add(method, routes.base() + "/revoke", this::handle);
        }
        routes.crossOrigin(routes.base() + "/revoke");
    }
}
