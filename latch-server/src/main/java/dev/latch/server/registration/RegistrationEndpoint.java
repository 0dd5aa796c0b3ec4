package dev.latch.server.registration;

import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import dev.latch.server.http.Routes;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.latch.core.error.OAuthError;
import dev.latch.core.smart.SmartScopes;
import dev.latch.server.client.Client;
import dev.latch.server.client.ClientRegistry;
import dev.latch.server.secret.Secrets;
import dev.latch.server.client.StoredClient;
import dev.latch.server.config.ServerConfig;
import dev.latch.server.discovery.ServerEndpoints;
import dev.latch.server.http.ErrorRenderer;
import dev.latch.server.http.FormParameters;
import dev.latch.server.http.Json;
import dev.latch.server.http.Request;
import dev.latch.server.http.Response;
import dev.latch.server.metrics.Metrics;
import dev.latch.server.scope.ScopeCatalogue;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Dynamic client registration (RFC 7591) guarded by an initial access token, and client
 * configuration (RFC 7592: read, update, delete) with the registration access token issued at
 * registration. Registered scopes and grant types are capped by the server's policy; settings only
 * an administrator may make (allowed resources, resource-server identity, enabling) are refused.
 */
public final class RegistrationEndpoint implements Routes.Source {

    /** Latch settings a client may not give itself. */
    static final Set<String> ADMIN_ONLY = Set.of("allowed_resources", "resource_uris", "enabled", "registered_dynamically",
            "client_id_issued_at", "client_secret_expires_at", "require_pkce", "refresh_tokens", "refresh_token_idle_lifetime",
            "refresh_token_absolute_lifetime");
    static final Set<String> KNOWN = Set.of("client_id", "client_secret", "client_name", "token_endpoint_auth_method",
            "token_endpoint_auth_signing_alg", "grant_types", "response_types", "scope", "redirect_uris", "jwks", "jwks_uri",
            "access_token_lifetime", "access_token_format", "access_token_signed_response_alg", "registration_access_token",
            "registration_client_uri", "client_uri", "logo_uri", "tos_uri", "policy_uri", "contacts", "software_id",
            "software_version", "software_statement", "application_type", "post_logout_redirect_uris",
            "id_token_signed_response_alg", "require_pushed_authorization_requests", "default_max_age", "initiate_login_uri");

    private final ClientRegistry registry;
    private final ScopeCatalogue scopes;
    private final ServerConfig.Registration policy;
    private final ServerEndpoints endpoints;
    private final Metrics metrics;
    private final Consumer<String> onChange;

    public RegistrationEndpoint(ClientRegistry registry, ScopeCatalogue scopes, ServerConfig.Registration policy,
                                ServerEndpoints endpoints, Metrics metrics, Consumer<String> onChange) {
        this.registry = registry;
        this.scopes = scopes;
        this.policy = policy;
        this.endpoints = endpoints;
        this.metrics = metrics;
        this.onChange = onChange;
    }

    public boolean open() {
        return policy.open();
    }

    /** POST to the registration endpoint (RFC 7591 §3.1). */
    public Response register(Request request) {
        try {
            String bearer = bearer(request);
            if (bearer == null || !constantTimeEquals(bearer, policy.initialAccessToken())) {
                throw OAuthError.invalidToken("a valid initial access token is required to register");
            }
            Map<String, Object> body = jsonBody(request);
            Client requested = toClient(body);
            checkPolicy(requested);
            String registrationToken = Secrets.generate(256);
            ClientRegistry.Registered registered = registry.create(
                    requested.toBuilder().clientId(null).registeredDynamically(true).build(), null, false, registrationToken);
            Audit.success(AuditEvent.CLIENT_CREATE).ip(request.remoteAddress()).actor("registration").client(registered.stored().clientId())
                    .scope(registered.stored().client().scope()).authMethod(registered.stored().client().tokenEndpointAuthMethod()).write();
            return Response.noStoreJson(201, Json.write(render(registered.stored(), registered.clientSecret(), registrationToken)));
        } catch (OAuthError e) {
            Audit.failure(AuditEvent.CLIENT_CREATE).ip(request.remoteAddress()).actor("registration").error(e.code())
                    .reason(e.description()).write();
            return error(e);
        }
    }

    /** GET, PUT or DELETE on the client configuration endpoint (RFC 7592 §2). */
    public Response configure(Request request, String clientId) {
        try {
            StoredClient stored = authorized(request, clientId);
            switch (request.method()) {
                case "GET" -> {
                    return Response.noStoreJson(200, Json.write(render(stored, null, null)));
                }
                case "PUT" -> {
                    Map<String, Object> body = jsonBody(request);
                    if (!clientId.equals(body.get("client_id"))) {
                        throw OAuthError.invalidRequest("client_id in the body must be the client's");
                    }
                    Client requested = keepAdministratorSettings(toClient(withoutEchoedSettings(body, stored)), stored.client());
                    checkPolicy(requested);
                    ClientRegistry.Registered updated = registry.update(clientId, requested, false);
                    onChange.accept(clientId);
                    Audit.success(AuditEvent.CLIENT_UPDATE).ip(request.remoteAddress()).actor("client:" + clientId).client(clientId)
                            .scope(updated.stored().client().scope()).authMethod(updated.stored().client().tokenEndpointAuthMethod()).write();
                    return Response.noStoreJson(200, Json.write(render(updated.stored(), updated.clientSecret(), null)));
                }
                case "DELETE" -> {
                    registry.remove(clientId);
                    onChange.accept(clientId);
                    Audit.success(AuditEvent.CLIENT_DELETE).ip(request.remoteAddress()).actor("client:" + clientId).client(clientId).write();
                    return Response.empty(204).withHeader("Cache-Control", "no-store");
                }
                default -> throw OAuthError.invalidRequest("method not allowed");
            }
        } catch (OAuthError e) {
            AuditEvent event = "PUT".equals(request.method()) ? AuditEvent.CLIENT_UPDATE : "DELETE".equals(request.method()) ? AuditEvent.CLIENT_DELETE : null;
            if (event != null) {
                Audit.failure(event).ip(request.remoteAddress()).actor("client:" + clientId).client(clientId).error(e.code())
                        .reason(e.description()).write();
            }
            return error(e);
        }
    }

    /**
     * RFC 7592 §2.2: the update replaces the client's metadata — but not the settings only an
     * administrator makes, or a disabled client could enable itself and drop its restrictions.
     */
    private static Client keepAdministratorSettings(Client requested, Client existing) {
        return requested.toBuilder().enabled(existing.enabled()).allowedResources(existing.allowedResources())
                .resourceUris(existing.resourceUris()).build();
    }

    /**
     * RFC 7592 §2.2: an update carries every field the client was last shown, so a setting only the
     * administrator makes may come back; it is dropped when unchanged (and refused when changed).
     */
    private Map<String, Object> withoutEchoedSettings(Map<String, Object> body, StoredClient stored) {
        Map<String, Object> shown = render(stored, null, null);
        Map<String, Object> out = new LinkedHashMap<>(body);
        for (String field : ADMIN_ONLY) {
            if (out.containsKey(field) && asJson(out.get(field)).equals(asJson(shown.get(field)))) {
                out.remove(field);
            }
        }
        return out;
    }

    /** As a JSON tree read back from text, so that 5 sent and 5L stored compare equal. */
    private static com.fasterxml.jackson.databind.JsonNode asJson(Object value) {
        try {
            return Json.MAPPER.readTree(Json.write(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Response error(OAuthError e) {
        metrics.error("registration", e.code());
        return e.code().equals("invalid_token") ? ErrorRenderer.bearer(e) : ErrorRenderer.json(e);
    }

    private StoredClient authorized(Request request, String clientId) {
        String bearer = bearer(request);
        if (bearer == null) {
            throw OAuthError.invalidToken("the registration access token is required");
        }
        Optional<StoredClient> stored = registry.find(clientId);
        // RFC 7592 §2: an unknown client and a wrong token look the same.
        if (stored.isEmpty() || !Secrets.matches(bearer, stored.get().registrationTokenDigest())) {
            throw OAuthError.invalidToken("the registration access token is not valid for this client");
        }
        return stored.get();
    }

    private void checkPolicy(Client c) {
        for (String s : c.scopes()) {
            boolean allowed;
            try {
                ScopeCatalogue.checkWellFormed(s);
                // the policy's SMART wildcards cover the clinical scopes under them
                allowed = policy.allowedScopes().isEmpty() ? scopes.offers(s) : SmartScopes.covered(policy.allowedScopes(), s);
            } catch (IllegalArgumentException e) {
                throw OAuthError.invalidClientMetadata("scope " + s + " is not a well-formed SMART scope: " + e.getMessage());
            }
            if (!allowed) {
                throw OAuthError.invalidClientMetadata("scope " + s + " may not be registered");
            }
        }
        List<String> grants = c.grantTypes() == null ? List.of("client_credentials") : c.grantTypes();
        for (String g : grants) {
            if (g == null || !policy.allowedGrantTypes().contains(g)) {
                throw OAuthError.invalidClientMetadata("grant type " + g + " may not be registered");
            }
        }
    }

    private Map<String, Object> render(StoredClient stored, String secret, String registrationToken) {
        @SuppressWarnings("unchecked")
        Map<String, Object> out = Json.MAPPER.convertValue(stored.client(), LinkedHashMap.class);
        out.remove("registered_dynamically");
        if (secret != null) {
            out.put("client_secret", secret);
        }
        if (registrationToken != null) {
            out.put("registration_access_token", registrationToken);
        }
        out.put("registration_client_uri", endpoints.registration() + "/" + stored.clientId());
        return out;
    }

    private static Client toClient(Map<String, Object> body) {
        for (String field : body.keySet()) {
            if (ADMIN_ONLY.contains(field)) {
                throw OAuthError.invalidClientMetadata(field + " is set by the administrator, not by registration");
            }
        }
        Map<String, Object> known = new LinkedHashMap<>();
        body.forEach((k, v) -> {
            if (KNOWN.contains(k) && !k.equals("client_secret") && !k.startsWith("registration_")) {
                known.put(k, v);
            }
        });
        try {
            return Json.MAPPER.convertValue(known, Client.class);
        } catch (IllegalArgumentException e) {
            throw OAuthError.invalidClientMetadata("client metadata has a value of the wrong type")
                    .withDetail(e.getMessage());
        }
    }

    private static Map<String, Object> jsonBody(Request request) {
        String contentType = request.header("content-type");
        if (contentType == null || !FormParameters.mediaType(contentType).equals("application/json")) {
            throw OAuthError.invalidClientMetadata("the body must be application/json");
        }
        if (request.body().length > FormParameters.MAX_BODY) {
            throw OAuthError.invalidClientMetadata("the body is larger than 64 KiB");
        }
        try {
            Map<String, Object> map = Json.MAPPER.readValue(new String(request.body(), StandardCharsets.UTF_8),
                    new TypeReference<LinkedHashMap<String, Object>>() {});
            if (map == null) throw OAuthError.invalidClientMetadata("the body must be a JSON object");
            return map;
        } catch (JsonProcessingException e) {
            throw OAuthError.invalidClientMetadata("the body is not a JSON object");
        }
    }

    private static String bearer(Request request) {
        String h = request.header("authorization");
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = h.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    private static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void addRoutes(Routes routes) {
        if (!open()) {
            return;
        }
        String path = routes.base() + "/register";
        routes.post(path, this::register);
        for (String method : java.util.List.of("GET", "PUT", "DELETE")) {
            routes.add(method, path + "/{client_id}", request -> configure(request, request.pathParam("client_id")));
        }
    }
}
