package dev.latch.server.token;

import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The token endpoint (RFC 6749 §3.2): parse the form, authenticate the client, read the
 * {@link TokenRequest} once, dispatch it on {@code grant_type}, render. Every response carries {@code Cache-Control: no-store}.
 */
public final class TokenEndpoint implements Routes.Source {

    private final ClientAuthentication authentication;
    private final Map<String, GrantType> grants = new LinkedHashMap<>();
    private final Metrics metrics;
    private final Function<String, Optional<String>> refreshTokenClient;

    /** @param refreshTokenClient the client a refresh token was issued to ({@code RefreshTokenStore.clientOf}) */
    public TokenEndpoint(ClientAuthentication authentication, List<GrantType> grants, Metrics metrics,
                         Function<String, Optional<String>> refreshTokenClient) {
        this.authentication = authentication;
        this.refreshTokenClient = refreshTokenClient;
        for (GrantType g : grants) {
            this.grants.put(g.type(), g);
        }
        this.metrics = metrics;
    }

    public List<String> grantTypes() {
        return List.copyOf(grants.keySet());
    }

    public Response handle(Request request) {
        FormParameters form = null;
        ClientAuthentication.Authenticated client = null;
        try {
            form = FormParameters.parse(request);
            String grantType = form.require("grant_type");
            GrantType grant = grants.get(grantType);
            if (grant == null) {
                throw OAuthError.unsupportedGrantType("grant_type " + grantType + " is not supported");
            }
            client = authentication.authenticate(request, publicRefresh(grantType, request, form));
            Client c = client.client();
            if (!c.allowsGrant(grantType)) {
                throw OAuthError.unauthorizedClient("the client may not use grant_type " + grantType);
            }
            TokenResponse response = grant.execute(TokenRequest.read(grantType, client, form));
            metrics.tokenIssued(grantType);
            Audit.success(AuditEvent.TOKEN_ISSUE).ip(request.remoteAddress()).client(c.clientId())
                    .user(c.clientId().equals(response.issued().subject()) ? null : response.issued().subject())
                    .grantType(grantType).authMethod(client.method()).scope(response.scope()).jti(response.issued().jti())
                    .family(response.refreshFamily()).write();
            return Response.noStoreJson(200, Json.write(response.toJson()));
        } catch (OAuthError e) {
            metrics.error("token", e.code());
            Audit.failure(AuditEvent.TOKEN_ISSUE).ip(request.remoteAddress())
                    .client(client != null ? client.client().clientId() : ClientAuthentication.claimedClientId(request, form))
                    .grantType(form == null ? null : form.get("grant_type")).authMethod(client == null ? null : client.method())
                    .error(e.code()).reason(reason(e)).write();
            return ErrorRenderer.json(e);
        }
    }

    /** The audit reason of a refusal: the private detail when there is one, else the description the client saw. */
    static String reason(OAuthError e) {
        return e.detail() != null ? e.description() + ": " + e.detail() : e.description();
    }

    /**
     * RFC 6749 §6: a public client's refresh request may carry no credential and no {@code client_id}
     * (fhirclient sends none): it is then the request of the client the token was issued to, which must be
     * public — a confidential client's token presented without its credential still fails authentication.
     */
    private FormParameters publicRefresh(String grantType, Request request, FormParameters form) {
        if (!"refresh_token".equals(grantType) || request.header("authorization") != null || form.has("client_id")
                || form.has("client_secret") || form.has("client_assertion") || form.has("client_assertion_type")
                || form.get("refresh_token") == null) {
            return form;
        }
        return refreshTokenClient.apply(form.get("refresh_token")).map(owner -> form.with("client_id", owner)).orElse(form);
    }

    @Override
    public void addRoutes(Routes routes) {
        // every method reaches the endpoint, which answers the wrong ones with the OAuth error the RFC names
        for (String method : java.util.List.of("POST", "GET", "PUT", "DELETE")) {
            routes.add(method, routes.base() + "/token", this::handle);
        }
        routes.crossOrigin(routes.base() + "/token");
    }
}
