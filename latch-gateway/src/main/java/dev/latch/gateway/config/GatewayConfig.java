package dev.latch.gateway.config;

import dev.latch.client.auth.ClientAuthentication;
import dev.latch.resource.AccessRule;
import dev.latch.resource.IssuerSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The gateway's configuration (gateway.yaml + {@code LATCH_GATEWAY_*} + flags), bound and checked by
 * {@link GatewayConfigLoader}. Defaults are declared in the loader next to the key they belong to and
 * documented in docs/gateway-configuration.md.
 *
 * @param port           public listener (default 8000; 0 picks a free one)
 * @param host           public bind address (default 0.0.0.0)
 * @param managementPort loopback listener for /healthz and /metrics (default 9000; 0 picks a free one)
 * @param tls            optional TLS of the public listener
 * @param issuers        by id, in file order
 * @param routes         in file order (matching picks the longest path prefix; a route with a host wins over one without)
 * @param forwardAuth    the forward-auth endpoint for nginx auth_request / Traefik / Envoy, or null when off
 * @param accessLog      one line per request on the {@code latch.gateway.access} logger
 * @param shutdownGrace  how long SIGTERM waits for requests in flight (default 30 s)
 */
public record GatewayConfig(int port, String host, int managementPort, Tls tls, Map<String, Issuer> issuers,
                            List<Route> routes, ForwardAuth forwardAuth, boolean accessLog, Duration shutdownGrace) {

    public GatewayConfig {
        issuers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(issuers));
        routes = List.copyOf(routes);
    }

    /** A method's own rule, else {@code *}'s, else {@link AccessRule#NONE}. */
    private static AccessRule ruleFor(Map<String, AccessRule> rules, String method) {
        AccessRule own = rules.get(method);
        return own != null ? own : rules.getOrDefault("*", AccessRule.NONE);
    }

    /** PEM certificate chain and private key. */
    public record Tls(Path cert, Path key) {}

    /** An issuer whose tokens {@code protect} routes accept: the id routes name, and the validation settings. */
    public record Issuer(String id, IssuerSettings settings) {}

    public enum Mode {
        PROTECT, ATTACH, PASSTHROUGH, SMART, SSO;

        /** True for the modes that validate the caller's token (smart is protect plus SMART scope enforcement). */
        public boolean protects() {
            return this == PROTECT || this == SMART;
        }
    }

    /**
     * One route.
     *
     * @param path           path prefix, starting and (by convention) ending with {@code /}
     * @param host           the Host it applies to (case-insensitive, without port), or null for any
     * @param upstream       where requests go: scheme, host, port and an optional base path that replaces {@code path}
     * @param mode           protect | attach | passthrough
     * @param issuer         protect: the issuer id whose tokens are accepted
     * @param rules          protect: HTTP method (upper case) or {@code *} → what the token must carry
     * @param forwardToken   protect: pass the caller's {@code Authorization} header on (default false: removed)
     * @param headers        protect: the identity header names
     * @param token          attach: how the gateway gets its token
     * @param cors           null when the route answers no CORS
     * @param rateLimit      null when unlimited
     * @param timeouts       connect / idle / total time limits towards the upstream
     * @param maxBodyBytes   request bodies larger than this are refused with 413 (default 10 MiB; -1 no limit)
     * @param smart          smart: the SMART enforcement settings; null for other modes
     * @param sso            sso: the browser sign-in settings; null for other modes
     */
    public record Route(String path, String host, URI upstream, Mode mode, String issuer, Map<String, AccessRule> rules,
                        boolean forwardToken, IdentityHeaders headers, Token token, Cors cors, RateLimit rateLimit,
                        Timeouts timeouts, long maxBodyBytes, Smart smart, Sso sso) {

        public Route {
            rules = Map.copyOf(rules);
        }

        /** A route of a mode other than sso. */
        public Route(String path, String host, URI upstream, Mode mode, String issuer, Map<String, AccessRule> rules,
                     boolean forwardToken, IdentityHeaders headers, Token token, Cors cors, RateLimit rateLimit,
                     Timeouts timeouts, long maxBodyBytes, Smart smart) {
            this(path, host, upstream, mode, issuer, rules, forwardToken, headers, token, cors, rateLimit, timeouts, maxBodyBytes, smart, null);
        }

        /** A route of a mode other than smart. */
        public Route(String path, String host, URI upstream, Mode mode, String issuer, Map<String, AccessRule> rules,
                     boolean forwardToken, IdentityHeaders headers, Token token, Cors cors, RateLimit rateLimit,
                     Timeouts timeouts, long maxBodyBytes) {
            this(path, host, upstream, mode, issuer, rules, forwardToken, headers, token, cors, rateLimit, timeouts, maxBodyBytes, null);
        }

        /** The rule for {@code method}: its own, else {@code *}'s, else {@link AccessRule#NONE}. */
        public AccessRule rule(String method) {
            return ruleFor(rules, method);
        }
    }

    /**
     * Header names of the identity sent upstream (oauth2-proxy's by default). The caller's own headers of
     * these names are always removed first.
     */
    public record IdentityHeaders(String user, String email, String preferredUsername, String groups, String clientId, String scope) {
        public static final IdentityHeaders DEFAULT = new IdentityHeaders("X-Forwarded-User", "X-Forwarded-Email",
                "X-Forwarded-Preferred-Username", "X-Forwarded-Groups", "X-Forwarded-Client-Id", "X-Forwarded-Scope");

        public List<String> all() {
            return List.of(user, email, preferredUsername, groups, clientId, scope);
        }
    }

    /**
     * An attach route's token: client credentials at {@code issuer} (found by discovery) or at an explicit
     * token endpoint.
     *
     * @param issuer         the authorization server's issuer, or null when {@code tokenEndpoint} is given
     * @param tokenEndpoint  explicit token URL (Epic, Entra), or null for discovery
     * @param authentication client authentication with secrets resolved and keys loaded
     * @param scopes         requested scopes (may be empty)
     * @param resource       RFC 8707 resource, or null
     * @param audience       audience parameter, or null
     */
    public record Token(URI issuer, URI tokenEndpoint, ClientAuthentication authentication, List<String> scopes,
                        String resource, String audience) {
        public Token {
            scopes = List.copyOf(scopes);
        }
    }

    /**
     * CORS for a route (Fetch standard). {@code allowedOrigins} holds exact origins; {@code *} is allowed only
     * without credentials.
     */
    public record Cors(List<String> allowedOrigins, List<String> allowedMethods, List<String> allowedHeaders,
                       List<String> exposedHeaders, boolean allowCredentials, Duration maxAge) {
        public Cors {
            allowedOrigins = List.copyOf(allowedOrigins);
            allowedMethods = List.copyOf(allowedMethods);
            allowedHeaders = List.copyOf(allowedHeaders);
            exposedHeaders = List.copyOf(exposedHeaders);
        }
    }

    /**
     * A smart route's SMART enforcement (docs/gateway-configuration.md, "smart routes").
     *
     * @param checkActive        ask the issuer (RFC 7662 introspection) whether each token is still active, so a
     *                           revoked token is refused (default true; needs the issuer's introspection client)
     * @param introspectionCache how long an introspection answer is kept (default 0: every request asks)
     * @param maxResponseBytes   responses read whole to be checked (patient/ or restricted scopes) may be this large;
     *                           larger ones are refused (default 8 MiB)
     * @param discoveryCache     how long the issuer's smart-configuration is kept (default 5 min)
     */
    public record Smart(boolean checkActive, Duration introspectionCache, long maxResponseBytes, Duration discoveryCache) {}

    /**
     * An sso route's browser sign-in (docs/gateway-configuration.md, "sso routes").
     *
     * @param issuer             the OpenID provider, found by discovery
     * @param authentication     the gateway's client at the provider (secret or private key), with its client id
     * @param scopes             requested scopes; always include {@code openid}
     * @param cookieSecrets      the first seals new session cookies; all of them open cookies (rotation)
     * @param cookieName         the session cookie's name (split into {@code name_0}, {@code name_1}, … when large)
     * @param cookieSecure       true, false, or null for "when the redirect URI or the listener is https"
     * @param prefix             the reserved paths: {@code prefix + "callback"}, {@code "start"}, {@code "sign_out"}, {@code "userinfo"}
     * @param redirectUri        the callback URL registered at the provider, or null to build it from each request's host
     * @param allowedRoles       a user must hold one of these roles or groups (empty: any)
     * @param allowedUsers       a user's sub, preferred username or email must be one of these (empty: any)
     * @param allowedClaims      claim path → values; the user's claim must hold one of them (every path must match)
     * @param roleClaims         claim paths read as roles (ID token and, when it is a JWT, the access token)
     * @param sessionLifetime    a session ends this long after sign-in, whatever the refreshes
     * @param refreshBefore      tokens are refreshed when they expire within this
     * @param signOutRedirect    where {@code sign_out} ends: a path on this site or an absolute URL
     * @param forwardAccessToken send the access token upstream ({@code Authorization: Bearer} and {@code X-Forwarded-Access-Token})
     * @param forwardIdToken     send the ID token upstream ({@code X-Forwarded-Id-Token})
     */
    public record Sso(URI issuer, ClientAuthentication authentication, List<String> scopes, List<String> cookieSecrets,
                      String cookieName, Boolean cookieSecure, String prefix, URI redirectUri, List<String> allowedRoles,
                      List<String> allowedUsers, Map<String, List<String>> allowedClaims, List<String> roleClaims,
                      Duration sessionLifetime, Duration refreshBefore, String signOutRedirect,
                      boolean forwardAccessToken, boolean forwardIdToken) {
        public Sso {
            scopes = List.copyOf(scopes);
            cookieSecrets = List.copyOf(cookieSecrets);
            allowedRoles = List.copyOf(allowedRoles);
            allowedUsers = List.copyOf(allowedUsers);
            allowedClaims = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(allowedClaims));
            roleClaims = List.copyOf(roleClaims);
        }

        public String clientId() {
            return authentication.clientId();
        }
    }

    /** Token bucket per caller (client id on protect routes, remote address elsewhere). */
    public record RateLimit(double perSecond, int burst) {}

    public record Timeouts(Duration connect, Duration idle, Duration total) {
        public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(300));
    }

    /**
     * The forward-auth endpoint: answers 200 (with the identity headers) or 401/403 for the request that
     * nginx {@code auth_request}, Traefik ForwardAuth or Envoy {@code ext_authz} describe.
     *
     * @param path    where it listens on the public port (default {@code /_latch/auth})
     * @param issuer  the issuer id whose tokens are accepted
     * @param rules   method → rule, as on a route (the method is that of the original request:
     *                {@code X-Forwarded-Method} or {@code X-Original-Method})
     * @param headers identity header names in the answer
     */
    public record ForwardAuth(String path, String issuer, Map<String, AccessRule> rules, IdentityHeaders headers) {
        public ForwardAuth {
            rules = Map.copyOf(rules);
        }

        /** The rule for the original request's {@code method}, as {@link Route#rule}. */
        public AccessRule rule(String method) {
            return ruleFor(rules, method);
        }
    }
}
