package dev.latch.server.userinfo;

import dev.latch.server.http.Routes;
import dev.latch.core.error.OAuthError;
import dev.latch.server.claims.ClaimMappings;
import dev.latch.server.http.BearerToken;
import dev.latch.server.http.ErrorRenderer;
import dev.latch.server.http.Json;
import dev.latch.server.http.Request;
import dev.latch.server.http.Response;
import dev.latch.server.metrics.Metrics;
import dev.latch.server.token.AccessToken;
import dev.latch.server.token.AccessTokenReader;
import dev.latch.server.user.FhirUser;
import dev.latch.server.user.StandardClaims;
import dev.latch.server.user.User;
import dev.latch.server.user.UserStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The UserInfo endpoint (OIDC Core §5.3): GET or POST with a bearer access token (RFC 6750 §2.1
 * header, or §2.2 form body on POST); any valid access token of this server carrying {@code openid},
 * whatever its audience. Answers {@code sub}, the standard claims of the granted scopes (§5.4) and
 * the claims mapped into userinfo. Errors are RFC 6750 §3 challenges.
 */
public final class UserinfoEndpoint implements Routes.Source {

    private final AccessTokenReader tokens;
    private final UserStore users;
    private final ClaimMappings mappings;
    private final Metrics metrics;
    private final java.util.function.Predicate<String> fhirBase;

    public UserinfoEndpoint(AccessTokenReader tokens, UserStore users, ClaimMappings mappings, Metrics metrics) {
        this(tokens, users, mappings, metrics, aud -> false);
    }

    /** @param fhirBase tells which audiences are configured SMART FHIR bases (for an absolute {@code fhirUser}) */
    public UserinfoEndpoint(AccessTokenReader tokens, UserStore users, ClaimMappings mappings, Metrics metrics,
                            java.util.function.Predicate<String> fhirBase) {
        this.fhirBase = fhirBase;
        this.tokens = tokens;
        this.users = users;
        this.mappings = mappings;
        this.metrics = metrics;
    }

    public Response handle(Request request) {
        try {
            String token = BearerToken.read(request, true);
            if (token == null) {
                // RFC 6750 §3.1: a request without credentials gets the challenge but no error code
                return Response.noStoreJson(401, "{}").withHeader("WWW-Authenticate", "Bearer realm=\"latch\"");
            }
            AccessToken at = tokens.active(token).orElseThrow(() -> OAuthError.invalidToken("the access token is invalid, expired or revoked"));
            Set<String> scopes = at.scope() == null || at.scope().isEmpty() ? Set.of() : Set.of(at.scope().split(" "));
            if (!scopes.contains("openid")) {
                throw OAuthError.insufficientScope("the access token was not granted the openid scope");
            }
            // a client_credentials token has the client as subject: no user, so nothing to tell
            User user = users.findBySubject(at.subject()).filter(User::enabled)
                    .orElseThrow(() -> OAuthError.invalidToken("the access token does not stand for an active user"));
            Map<String, Object> body = new LinkedHashMap<>(mappings.claims(user, scopes, ClaimMappings.Target.USERINFO));
            body.putAll(StandardClaims.forScopes(user, scopes));
            FhirUser.claim(user, scopes, at.audience(), fhirBase).ifPresent(f -> body.put(FhirUser.CLAIM, f));
            body.put("sub", user.subject());
            return Response.noStoreJson(200, Json.write(body));
        } catch (OAuthError e) {
            metrics.error("userinfo", e.code());
            return ErrorRenderer.bearer(e);
        }
    }

    @Override
    public void addRoutes(Routes routes) {
        String path = routes.base() + "/userinfo";
        routes.get(path, this::handle).post(path, this::handle).crossOrigin(path);
    }
}
