package dev.latch.gateway.sso;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.latch.client.OAuthClientException;
import dev.latch.client.discovery.ProviderMetadata;
import dev.latch.client.oidc.CodeExchange;
import dev.latch.client.oidc.IdTokenValidationException;
import dev.latch.client.token.AccessToken;
import dev.latch.client.token.TokenErrorException;
import dev.latch.core.pkce.Pkce;
import dev.latch.gateway.config.GatewayConfig;
import dev.latch.gateway.http.GatewayResponses;
import dev.latch.gateway.protect.Protection;
import dev.latch.gateway.proxy.UpstreamProxy;
import dev.latch.gateway.route.Forward;
import dev.latch.resource.AccessRule;
import dev.latch.resource.TokenPrincipal;
import dev.latch.resource.TokenRejectedException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code mode: sso} route: browser sign-in in front of a web app through any OpenID provider.
 *
 * <p>Each request: the session cookie is opened ({@link SessionCookies}); tokens about to expire are
 * refreshed (a refused refresh ends the session); the route's {@code allowed-*} rules are checked; then the
 * request goes upstream with the identity headers of {@code protect} and without the gateway's own
 * cookies. Without a session a page navigation is sent to the provider and anything else gets {@code 401}
 * JSON. The reserved paths under the prefix (default {@code /oauth2/}): {@code start} (sign in, then go
 * to {@code rd}), {@code callback} (the redirect URI), {@code sign_out} and {@code userinfo}.
 *
 * <p>Sign-in is the authorization code flow with PKCE S256, {@code state} and {@code nonce}, kept in a
 * sealed cookie of their own for ten minutes; the ID token is validated by {@code latch-client}, and the
 * RFC 9207 {@code iss} parameter is checked whenever it is sent (and required when the provider says it
 * sends it). A return address is only ever a path on this site.
 */
public final class SsoRoute {

    private static final Logger LOG = LoggerFactory.getLogger(SsoRoute.class);
    /** The headers that carry a session's tokens upstream; only the gateway sets them (a caller's copies are removed). */
    public static final List<String> TOKEN_HEADERS = List.of("X-Forwarded-Access-Token", "X-Forwarded-Id-Token");
    private static final String SESSION = "latch-sso-session";
    private static final String LOGIN = "latch-sso-login";
    private static final String ID_TOKEN = "latch-sso-id-token";
    private static final long LOGIN_SECONDS = 600;
    private static final ObjectMapper JSON = GatewayResponses.JSON;

    private final GatewayConfig.Route route;
    private final GatewayConfig.Sso settings;
    private final SsoProvider provider;
    private final SessionCookies cookies;
    private final GatewayConfig.IdentityHeaders headers;
    private final AccessRule claimRule;
    private final Consumer<String> refusals;

    private record Login(@JsonProperty("s") String state, @JsonProperty("n") String nonce, @JsonProperty("v") String verifier,
                         @JsonProperty("r") String returnTo, @JsonProperty("t") long startedAt) {}

    /**
     * @param secureCookies whether the cookies carry {@code Secure} when the route does not say (the listener is https)
     * @param refusals      told the reason of each refusal (metrics)
     */
    public SsoRoute(GatewayConfig.Route route, java.net.http.HttpClient http, java.time.Clock clock, boolean secureCookies,
                    Consumer<String> refusals) {
        this.route = route;
        this.settings = route.sso();
        this.provider = new SsoProvider(settings, http, clock);
        boolean secure = settings.cookieSecure() != null ? settings.cookieSecure()
                : settings.redirectUri() != null ? "https".equals(settings.redirectUri().getScheme()) : secureCookies;
        this.cookies = new SessionCookies(settings.cookieSecrets(), secure);
        this.headers = route.headers() == null ? GatewayConfig.IdentityHeaders.DEFAULT : route.headers();
        this.claimRule = new AccessRule(Set.of(), Set.of(), Set.of(), settings.allowedClaims());
        this.refusals = refusals;
    }

    public GatewayConfig.Route route() {
        return route;
    }

    /** The reserved path prefix ({@code /oauth2/} by default). */
    public String prefix() {
        return settings.prefix();
    }

    /** Null when the provider's metadata can be had, else why not (for /healthz). */
    public String problem() {
        return provider.problem();
    }

    /** What {@code latch gateway --check} finds wrong with the provider, the client or the redirect URI. */
    public List<String> check() {
        return provider.check();
    }

    // ---------------------------------------------------------------- requests of the route

    /** Handles a request of the route; returns who is signed in (for the access log), else null. */
    public TokenPrincipal handle(Request request, Request forwarded, Response response, Callback callback, Forward next) {
        Current current = current(request, response, callback);
        if (current.answered()) {
            return null;
        }
        SsoSession session = current.session();
        if (session == null) {
            refusals.accept("no_session");
            if (SsoPages.wantsPage(request)) {
                startSignIn(request, response, callback, sameSite(returnPath(request), "/"));
            } else {
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Cookie realm=\"" + settings.prefix() + "start\"");
                GatewayResponses.error(response, callback, 401, "unauthorized",
                        "sign in first: open " + settings.prefix() + "start in a browser");
            }
            return null;
        }
        TokenPrincipal principal = session.principal(settings.issuer().toString());
        String refused = refusal(session, principal);
        if (refused != null) {
            refusals.accept("forbidden");
            SsoPages.answer(request, response, callback, 403, "forbidden", "Not allowed",
                    "You are signed in as " + displayName(session) + ", but " + refused + ".", "Sign out",
                    settings.prefix() + "sign_out");
            return principal;
        }
        forwarded.setAttribute(UpstreamProxy.ADD_HEADERS, upstreamHeaders(request, session, principal));
        forwarded.setAttribute(UpstreamProxy.REMOVE_HEADERS, Set.of("cookie"));
        next.forward(forwarded, principal, response, callback);
        return principal;
    }

    /**
     * The request's session, for the route and for {@code start} and {@code userinfo} alike: null when there is none (or it
     * is over); refreshed first when its access token expires within {@code refresh-before}. The response already carries
     * what the cookies need: the session sealed again (refreshed, or sealed with an older secret), or a dead session's
     * cookie cleared. {@code answered}: the request has had its answer already (a 503 when new tokens are needed and the
     * provider cannot be reached; a 500 when the session no longer fits in cookies).
     */
    private record Current(SsoSession session, boolean answered) {}

    private Current current(Request request, Response response, Callback callback) {
        Map<String, String> jar = SessionCookies.read(request);
        String sealed = SessionCookies.joined(jar, settings.cookieName());
        SsoSession session = open(sealed);
        Instant now = provider.clock().instant();
        boolean rewrite = session != null && cookies.sealedWithOlderSecret(sealed);
        if (session != null && session.over(now)) {
            session = null;
        }
        if (session != null && session.expiresWithin(now, settings.refreshBefore().toSeconds())) {
            if (session.refreshToken() == null) {
                if (session.accessExpired(now)) session = null;
            } else {
                try {
                    session = refreshed(session);
                    rewrite = true;
                } catch (TokenErrorException | IdTokenValidationException e) {
                    LOG.info("route {}: the provider would not refresh the session of {} ({}); signing in again", route.path(),
                            session.subject(), e.getMessage());
                    session = null;
                } catch (OAuthClientException e) {
                    if (session.accessExpired(now)) {
                        LOG.warn("route {}: the session of {} needs new tokens and the provider cannot be reached: {}", route.path(),
                                session.subject(), e.getMessage());
                        SsoPages.answer(request, response, callback, 503, "provider_unavailable", "Sign-in is unavailable",
                                "Your session needs to be renewed, but the identity provider " + settings.issuer()
                                        + " cannot be reached: " + e.getMessage(), "Try again", returnPath(request));
                        return new Current(null, true);
                    }
                }
            }
        }
        if (session == null) {
            if (sealed != null) {
                cookies.clear(response, jar, settings.cookieName(), "/"); // a dead session is not tried again
            }
            return new Current(null, false);
        }
        return new Current(session, rewrite && !writeSession(request, response, callback, jar, session));
    }

    private SsoSession open(String sealed) {
        if (sealed == null) {
            return null;
        }
        byte[] json = cookies.open(SESSION, sealed);
        return json == null ? null : SsoSession.fromJson(json);
    }

    /** New tokens for {@code session}; the identity is read again from them (a refreshed ID token is validated). */
    private SsoSession refreshed(SsoSession session) {
        ProviderMetadata metadata = provider.metadata();
        AccessToken tokens = provider.refresh(metadata, session.refreshToken());
        JWTClaimsSet claims;
        String idToken = session.idToken();
        if (tokens.idToken() != null) {
            claims = provider.validateRefreshed(metadata, tokens.idToken(), tokens.value());
            if (!session.subject().equals(claims.getSubject())) {
                throw new IdTokenValidationException("the refreshed ID token is for another subject");
            }
            idToken = tokens.idToken();
        } else {
            // the claims of the ID token validated at sign-in, as the sealed session kept them
            claims = session.previousIdClaims();
        }
        return SsoSession.of(settings, claims, userinfo(metadata, claims, tokens.value()), tokens, idToken, session.refreshToken(),
                session.startedAt(), session.endsAt());
    }

    /** Userinfo's claims when the ID token lacks the email or username the headers show, else none. */
    private Map<String, Object> userinfo(ProviderMetadata metadata, JWTClaimsSet idClaims, String accessToken) {
        return SsoSession.incomplete(idClaims) ? provider.userinfo(metadata, accessToken, idClaims.getSubject()) : Map.of();
    }

    /** Why {@code session} may not use the route, or null when it may. */
    private String refusal(SsoSession session, TokenPrincipal principal) {
        if (!settings.allowedUsers().isEmpty() && !(settings.allowedUsers().contains(session.subject())
                || (session.username() != null && settings.allowedUsers().contains(session.username()))
                || (session.email() != null && settings.allowedUsers().contains(session.email())))) {
            return "this site is open to a list of users that does not include you";
        }
        if (!settings.allowedRoles().isEmpty() && settings.allowedRoles().stream().noneMatch(session.roles()::contains)) {
            return "this site needs one of the roles " + String.join(", ", settings.allowedRoles())
                    + (session.roles().isEmpty() ? " (you hold none)" : " (you hold " + String.join(", ", session.roles()) + ")");
        }
        try {
            claimRule.check(principal);
        } catch (TokenRejectedException e) {
            return "your account lacks a claim value this site needs (" + String.join("; ", settings.allowedClaims().keySet()) + ")";
        }
        return null;
    }

    private static String displayName(SsoSession session) {
        return session.username() != null ? session.username() : session.email() != null ? session.email() : session.subject();
    }

    /** The identity headers, the tokens when configured, and the caller's cookies less the gateway's own. */
    private HttpFields upstreamHeaders(Request request, SsoSession session, TokenPrincipal principal) {
        HttpFields.Mutable add = HttpFields.build(Protection.identity(headers, principal));
        if (settings.forwardAccessToken()) {
            add.put(HttpHeader.AUTHORIZATION, "Bearer " + session.accessToken());
            add.put(TOKEN_HEADERS.get(0), session.accessToken());
        }
        if (settings.forwardIdToken() && session.idToken() != null) {
            add.put(TOKEN_HEADERS.get(1), session.idToken());
        }
        String kept = cookiesWithoutOurs(request);
        if (kept != null) {
            add.put(HttpHeader.COOKIE, kept);
        }
        return add;
    }

    /** The request's {@code Cookie} headers without the session and sign-in cookies; null when nothing is left. */
    private String cookiesWithoutOurs(Request request) {
        StringBuilder kept = new StringBuilder();
        for (HttpField field : request.getHeaders()) {
            if (field.getHeader() != HttpHeader.COOKIE) continue;
            for (String pair : field.getValue().split(";")) {
                String p = pair.strip();
                if (p.isEmpty()) continue;
                int eq = p.indexOf('=');
                String name = eq < 0 ? p : p.substring(0, eq).strip();
                if (ours(name)) continue;
                if (!kept.isEmpty()) kept.append("; ");
                kept.append(p);
            }
        }
        return kept.isEmpty() ? null : kept.toString();
    }

    private boolean ours(String cookieName) {
        return SessionCookies.isPart(cookieName, settings.cookieName()) || SessionCookies.isPart(cookieName, idTokenCookie())
                || cookieName.startsWith(settings.cookieName() + "_login_");
    }

    /** The path and query of the request (the return address after sign-in). */
    private static String returnPath(Request request) {
        String path = request.getHttpURI().getPath();
        String query = request.getHttpURI().getQuery();
        return query == null ? path : path + "?" + query;
    }

    // ---------------------------------------------------------------- the reserved paths

    /** Answers a request under the prefix. */
    public void endpoint(Request request, Response response, Callback callback) {
        String rest = request.getHttpURI().getPath().substring(settings.prefix().length());
        String method = request.getMethod();
        boolean read = method.equals("GET") || method.equals("HEAD");
        switch (rest) {
            case "start" -> {
                if (!read) { notAllowed(response, callback, "GET"); return; }
                Fields query = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
                start(request, response, callback, sameSite(query.getValue("rd"), "/"));
            }
            case "callback" -> {
                if (!read) { notAllowed(response, callback, "GET"); return; }
                callback(request, response, callback);
            }
            case "sign_out" -> {
                if (!read && !method.equals("POST")) { notAllowed(response, callback, "GET, POST"); return; }
                signOut(request, response, callback);
            }
            case "userinfo" -> {
                if (!read) { notAllowed(response, callback, "GET"); return; }
                userinfo(request, response, callback);
            }
            case "auth" -> {
                if (!read) { notAllowed(response, callback, "GET"); return; }
                auth(request, response, callback);
            }
            default -> GatewayResponses.error(response, callback, 404, "not_found",
                    "the sign-in paths are " + settings.prefix() + "start, callback, sign_out, userinfo and auth");
        }
    }

    private static void notAllowed(Response response, Callback callback, String allow) {
        response.getHeaders().put(HttpHeader.ALLOW, allow);
        GatewayResponses.error(response, callback, 405, "method_not_allowed", "use " + allow);
    }

    /** Sends the browser to the provider, remembering state, nonce, PKCE verifier and where to return in a sealed cookie. */
    private void startSignIn(Request request, Response response, Callback callback, String returnTo) {
        ProviderMetadata metadata;
        try {
            metadata = provider.metadata();
        } catch (RuntimeException e) {
            unavailable(request, response, callback, e, returnTo);
            return;
        }
        String state = dev.latch.core.crypto.RandomValues.urlSafe256();
        String nonce = dev.latch.core.crypto.RandomValues.urlSafe256();
        Pkce pkce = Pkce.create();
        Login login = new Login(state, nonce, pkce.verifier(), returnTo, provider.clock().instant().getEpochSecond());
        try {
            cookies.write(response, Map.of(), loginCookie(state), settings.prefix(), cookies.seal(LOGIN, JSON.writeValueAsBytes(login)),
                    LOGIN_SECONDS);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        SsoPages.redirect(response, callback,
                provider.authorizationUrl(metadata, redirectUri(request), state, nonce, pkce.challenge()).toString());
    }

    private void unavailable(Request request, Response response, Callback callback, RuntimeException cause, String retry) {
        LOG.warn("route {}: sign-in through {} is unavailable: {}", route.path(), settings.issuer(), cause.getMessage());
        refusals.accept("provider_unavailable");
        SsoPages.answer(request, response, callback, 502, "provider_unavailable", "Sign-in is unavailable",
                "The identity provider " + settings.issuer() + " cannot be used: " + cause.getMessage(), "Try again", retry);
    }

    private String loginCookie(String state) {
        return settings.cookieName() + "_login_" + state.substring(0, 12);
    }

    /** The configured redirect URI, else this request's scheme and host with the callback path. */
    private URI redirectUri(Request request) {
        if (settings.redirectUri() != null) {
            return settings.redirectUri();
        }
        return URI.create(request.getHttpURI().getScheme() + "://" + request.getHttpURI().getAuthority() + settings.prefix() + "callback");
    }

    private void callback(Request request, Response response, Callback callback) {
        Fields query = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
        for (String name : List.of("state", "code", "iss", "error")) {
            List<String> values = query.getValues(name);
            if (values != null && values.size() > 1) {
                failed(request, response, callback, 400, "invalid_request", "The sign-in response repeats the parameter " + name + ".");
                return;
            }
        }
        String state = query.getValue("state");
        Map<String, String> jar = SessionCookies.read(request);
        Login login = state == null || state.length() < 12 ? null : login(jar.get(loginCookie(state)), state);
        if (login == null) {
            failed(request, response, callback, 400, "invalid_state", "No sign-in was started in this browser for this answer, or it took"
                    + " longer than " + LOGIN_SECONDS / 60 + " minutes. Start again.");
            return;
        }
        cookies.clear(response, jar, loginCookie(state), settings.prefix());
        String error = query.getValue("error");
        if (error != null) {
            String description = query.getValue("error_description");
            int status = error.equals("access_denied") ? 403 : error.equals("server_error") || error.equals("temporarily_unavailable") ? 502 : 400;
            failed(request, response, callback, status, error, "The identity provider did not sign you in: " + error
                    + (description == null ? "" : " (" + description + ")") + ".");
            return;
        }
        ProviderMetadata metadata;
        try {
            metadata = provider.metadata();
        } catch (RuntimeException e) {
            unavailable(request, response, callback, e, login.returnTo());
            return;
        }
        String iss = query.getValue("iss");
        if (iss != null ? !iss.equals(metadata.issuer()) : metadata.authorizationResponseIssParameterSupported()) {
            failed(request, response, callback, 400, "invalid_request", iss == null
                    ? "The sign-in answer does not say which provider sent it (RFC 9207 iss), though " + metadata.issuer() + " always does."
                    : "The sign-in answer comes from " + iss + ", not from " + metadata.issuer() + " (RFC 9207); it was refused.");
            return;
        }
        String code = query.getValue("code");
        if (code == null || code.isEmpty()) {
            failed(request, response, callback, 400, "invalid_request", "The sign-in answer carries no authorization code.");
            return;
        }
        CodeExchange.SignIn signIn;
        try {
            signIn = provider.exchange(metadata, code, redirectUri(request), login.verifier(), login.nonce());
        } catch (TokenErrorException e) {
            LOG.warn("route {}: the provider refused the authorization code: {} {}", route.path(), e.error(), e.errorDescription());
            failed(request, response, callback, 502, "sign_in_failed", "The identity provider refused to complete the sign-in: " + e.error()
                    + (e.errorDescription() == null ? "" : " (" + e.errorDescription() + ")")
                    + (e.error().equals("invalid_client") || e.error().equals("unauthorized_client")
                            ? ". The gateway's client id or secret is wrong at the provider." : "."));
            return;
        } catch (IdTokenValidationException e) {
            LOG.warn("route {}: the provider's ID token was refused: {}", route.path(), e.getMessage());
            failed(request, response, callback, 502, "invalid_id_token", "The identity provider's answer could not be trusted: " + e.getMessage() + ".");
            return;
        } catch (OAuthClientException e) {
            unavailable(request, response, callback, e, login.returnTo());
            return;
        }
        Map<String, Object> userinfo;
        try {
            userinfo = userinfo(metadata, signIn.idToken(), signIn.tokens().value());
        } catch (OAuthClientException e) {
            unavailable(request, response, callback, e, login.returnTo());
            return;
        }
        long now = provider.clock().instant().getEpochSecond();
        SsoSession session = SsoSession.of(settings, signIn.idToken(), userinfo, signIn.tokens(), signIn.tokens().idToken(), null, now,
                now + settings.sessionLifetime().toSeconds());
        if (writeSession(request, response, callback, jar, session)) {
            LOG.info("route {}: {} signed in", route.path(), session.subject());
            SsoPages.redirect(response, callback, login.returnTo());
        }
    }

    /** The sign-in cookie's contents when they were sealed here for {@code state} less than ten minutes ago. */
    private Login login(String value, String state) {
        byte[] json = cookies.open(LOGIN, value);
        if (json == null) {
            return null;
        }
        try {
            Login login = JSON.readValue(json, Login.class);
            long age = provider.clock().instant().getEpochSecond() - login.startedAt();
            return state.equals(login.state()) && age >= 0 && age <= LOGIN_SECONDS ? login : null;
        } catch (IOException e) {
            return null;
        }
    }

    private void failed(Request request, Response response, Callback callback, int status, String error, String message) {
        refusals.accept("sign_in_" + error);
        SsoPages.answer(request, response, callback, status, error, "Sign-in failed", message, "Start again", settings.prefix() + "start");
    }

    /**
     * Sets the session cookie, and, when the route does not forward the ID token and the session has a new one,
     * the ID token cookie, which only the route's own paths receive (sign-out sends it to the provider); false
     * after answering 500 when the session cannot fit in cookies.
     */
    private boolean writeSession(Request request, Response response, Callback callback, Map<String, String> jar, SsoSession session) {
        long maxAge = Math.max(0, session.endsAt() - provider.clock().instant().getEpochSecond());
        try {
            SsoSession stored = settings.forwardIdToken() ? session : session.withoutIdToken();
            cookies.write(response, jar, settings.cookieName(), "/", cookies.seal(SESSION, stored.toJson()), maxAge);
            if (stored != session && session.idToken() != null) {
                cookies.write(response, jar, idTokenCookie(), settings.prefix(),
                        cookies.seal(ID_TOKEN, session.idToken().getBytes(StandardCharsets.UTF_8)), maxAge);
            }
            return true;
        } catch (IllegalStateException e) {
            LOG.error("route {}: {}", route.path(), e.getMessage());
            SsoPages.answer(request, response, callback, 500, "session_too_large", "Sign-in failed", e.getMessage(), null, null);
            return false;
        }
    }

    /** The cookie that holds the ID token of a route that does not forward it (its path is the route's prefix). */
    private String idTokenCookie() {
        return settings.cookieName() + "_id";
    }

    /** The ID token to hint the provider's logout with: the session's own, or the ID token cookie's when it is the same user's. */
    private String idTokenOf(SsoSession session, Map<String, String> jar) {
        if (session == null) {
            return null;
        }
        if (session.idToken() != null) {
            return session.idToken();
        }
        byte[] sealed = cookies.open(ID_TOKEN, SessionCookies.joined(jar, idTokenCookie()));
        if (sealed == null) {
            return null;
        }
        String idToken = new String(sealed, StandardCharsets.UTF_8);
        try {
            return session.subject().equals(dev.latch.core.jose.JwtParsing.jwt(idToken).getJWTClaimsSet().getSubject()) ? idToken : null;
        } catch (java.text.ParseException e) {
            return null;
        }
    }

    private void signOut(Request request, Response response, Callback callback) {
        Map<String, String> jar = SessionCookies.read(request);
        SsoSession session = open(SessionCookies.joined(jar, settings.cookieName()));
        String idToken = idTokenOf(session, jar);
        cookies.clear(response, jar, settings.cookieName(), "/");
        cookies.clear(response, jar, idTokenCookie(), settings.prefix());
        Fields query = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
        String target = sameSite(query.getValue("rd"), settings.signOutRedirect());
        URI absolute = target.startsWith("/")
                ? URI.create(request.getHttpURI().getScheme() + "://" + request.getHttpURI().getAuthority() + target)
                : URI.create(target);
        if (session != null) {
            LOG.info("route {}: {} signed out", route.path(), session.subject());
        }
        try {
            URI end = provider.endSessionUrl(provider.metadata(), idToken, absolute);
            if (end != null) {
                SsoPages.redirect(response, callback, end.toString());
                return;
            }
        } catch (RuntimeException e) {
            LOG.warn("route {}: signed out here only; the provider cannot be reached to end its session: {}", route.path(), e.getMessage());
        }
        SsoPages.redirect(response, callback, target);
    }

    /** The signed-in user as JSON (oauth2-proxy's {@code /oauth2/userinfo}). */
    private void userinfo(Request request, Response response, Callback callback) {
        Current current = current(request, response, callback);
        if (current.answered()) {
            return;
        }
        SsoSession session = current.session();
        if (session == null) {
            refusals.accept("no_session");
            GatewayResponses.error(response, callback, 401, "unauthorized", "no session; sign in at " + settings.prefix() + "start");
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("user", session.subject());
        if (session.email() != null) body.put("email", session.email());
        if (session.username() != null) body.put("preferredUsername", session.username());
        body.put("groups", session.roles());
        GatewayResponses.json(response, callback, 200, body);
    }

    /**
     * {@code {prefix}start}: with a live session (renewed first when due, its cookie written again), straight back to
     * {@code returnTo}; otherwise a new sign-in at the provider. So nginx's sign-in redirect after an {@code auth} 401 for an
     * expired access token renews the session without the provider's pages when it has a refresh token.
     */
    private void start(Request request, Response response, Callback callback, String returnTo) {
        Current current = current(request, response, callback);
        if (current.answered()) {
            return;
        }
        if (current.session() != null) {
            SsoPages.redirect(response, callback, returnTo);
            return;
        }
        startSignIn(request, response, callback, returnTo);
    }

    /**
     * For nginx {@code auth_request} (oauth2-proxy's {@code /oauth2/auth}): {@code 202} with the route's identity headers
     * (never the tokens: this path is reachable from the browser) when the session may use the route, {@code 403} when
     * it may not ({@code allowed-users}/{@code -roles}/{@code -claims}), {@code 401} without a usable session. It never
     * renews a session or sets a cookie (nginx passes at most one {@code Set-Cookie} of a subrequest): an expired access
     * token is a 401, and {@code X-Latch-Sign-In} then names where to send the browser, {@code {prefix}start} with the
     * original URI ({@code X-Original-URI}) as {@code rd}, percent-encoded; {@code start} renews the session there.
     */
    private void auth(Request request, Response response, Callback callback) {
        SsoSession session = open(SessionCookies.joined(SessionCookies.read(request), settings.cookieName()));
        Instant now = provider.clock().instant();
        if (session == null || session.over(now) || session.accessExpired(now)) {
            refusals.accept("no_session");
            String back = sameSite(request.getHeaders().get("X-Original-URI"), "/");
            response.getHeaders().put("X-Latch-Sign-In", settings.prefix() + "start?rd=" + URLEncoder.encode(back, StandardCharsets.UTF_8));
            GatewayResponses.error(response, callback, 401, "unauthorized", "no session; sign in at " + settings.prefix() + "start");
            return;
        }
        TokenPrincipal principal = session.principal(settings.issuer().toString());
        String refused = refusal(session, principal);
        if (refused != null) {
            refusals.accept("forbidden");
            GatewayResponses.error(response, callback, 403, "forbidden", "signed in as " + displayName(session) + ", but " + refused);
            return;
        }
        for (HttpField field : Protection.identity(headers, principal)) {
            response.getHeaders().put(field);
        }
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.setStatus(202);
        response.write(true, null, callback);
    }

    /**
     * {@code candidate} when it is a path on this site ({@code /…}, not {@code //host} or {@code /\host}, no
     * control characters, a valid URI reference), else {@code fallback}: return addresses never lead off the site.
     */
    static String sameSite(String candidate, String fallback) {
        if (candidate == null || candidate.isEmpty() || !candidate.startsWith("/") || candidate.startsWith("//")
                || candidate.startsWith("/\\") || candidate.chars().anyMatch(c -> c < 0x21 || c == 0x7f || c == '\\')) {
            return fallback;
        }
        try {
            new URI(candidate); // sign_out makes an absolute URI of it: /a%zz or /a^b would fail there
        } catch (java.net.URISyntaxException e) {
            return fallback;
        }
        return candidate;
    }
}
