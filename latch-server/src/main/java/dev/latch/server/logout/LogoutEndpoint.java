package dev.latch.server.logout;

import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import dev.latch.server.secret.Secrets;
import dev.latch.server.http.Routes;
import dev.latch.core.error.OAuthError;
import dev.latch.server.authorize.AuthorizationEndpoint;
import dev.latch.server.client.Client;
import dev.latch.server.client.StoredClient;
import dev.latch.server.consent.ConsentStore;
import dev.latch.server.discovery.ServerEndpoints;
import dev.latch.server.http.BrowserResponse;
import dev.latch.server.http.Cookies;
import dev.latch.server.http.FormParameters;
import dev.latch.server.http.Request;
import dev.latch.server.http.Response;
import dev.latch.server.keys.KeyRing;
import dev.latch.server.session.BrowserSession;
import dev.latch.server.session.SessionStore;
import dev.latch.server.ui.Pages;
import dev.latch.server.user.User;
import dev.latch.server.user.UserStore;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Function;

/**
 * The end-session endpoint (OpenID Connect RP-Initiated Logout 1.0 §2–§3), GET and POST.
 *
 * <p>The RP is identified only by a valid {@code id_token_hint} or by {@code client_id} (both must agree
 * when both are sent); without one, nothing ever redirects (§3: the OP must not be an open redirector).
 * {@code post_logout_redirect_uri} must equal one of the client's registered {@code post_logout_redirect_uris}.
 *
 * <p>The session ends without asking only when the request clearly comes from the session's RP: an
 * {@code id_token_hint} whose {@code sid} and {@code sub} are this browser's session (and no
 * {@code logout_hint} naming someone else). Otherwise a confirmation page asks the user (§2: "the OP
 * SHOULD ask the End-User whether to log out"), its form protected by a CSRF token derived from the
 * session cookie, so it dies with the session.
 *
 * <p>Ending a session deletes it, clears its cookie and drops its session-bound consents (those given
 * with "ask me again after I sign out", see {@link ConsentStore#endSession}).
 */
public final class LogoutEndpoint implements Routes.Source {

    private static final Set<String> PARAMETERS = Set.of("id_token_hint", "client_id", "logout_hint", "post_logout_redirect_uri",
            "state", "ui_locales");
    private static final int MAX_VALUE = 8192;

    private final SessionStore sessions;
    private final ConsentStore consents;
    private final UserStore users;
    private final KeyRing keys;
    private final Function<String, Optional<StoredClient>> clients;
    private final Pages pages;
    private final Clock clock;
    private final ServerEndpoints endpoints;
    private final boolean secureCookies;
    private final String cookiePath;

    public LogoutEndpoint(SessionStore sessions, ConsentStore consents, UserStore users, KeyRing keys,
                          Function<String, Optional<StoredClient>> clients, Pages pages, Clock clock, ServerEndpoints endpoints) {
        this.sessions = sessions;
        this.consents = consents;
        this.users = users;
        this.keys = keys;
        this.clients = clients;
        this.pages = pages;
        this.clock = clock;
        this.endpoints = endpoints;
        this.secureCookies = Cookies.secure(endpoints.issuer());
        this.cookiePath = endpoints.basePath().isEmpty() ? "/" : endpoints.basePath() + "/";
    }

    /** A logout request that cannot be accepted: always a page, never a redirect. */
    private static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private record Checked(Map<String, String> parameters, Optional<IdTokenHint> hint, Client client, String redirectUri) {}

    /** GET or POST {@code /logout}. */
    public BrowserResponse handle(Request http) {
        try {
            if ("GET".equals(http.method())) {
                return logout(http, single(http.query()), false, null);
            }
            if (!"POST".equals(http.method())) {
                return BrowserResponse.of(refused(405, "This address accepts GET and POST only."));
            }
            FormParameters form;
            try {
                form = FormParameters.parse(http);
            } catch (OAuthError e) {
                throw new Refused(e.description());
            }
            Map<String, String> parameters = new LinkedHashMap<>();
            form.asMap().forEach((k, v) -> parameters.put(k, v.get(0)));
            if (!"yes".equals(parameters.remove("confirm"))) {
                // the RP's cross-site POST carries no SameSite=Lax session cookie: repeat it as a top-level GET
                parameters.remove("csrf");
                return BrowserResponse.repeatAsGet(endpoints.endSession(), query(parameters))
                        .orElseGet(() -> BrowserResponse.of(refused(400, "it is too long to send as a link")));
            }
            String csrf = parameters.remove("csrf");
            return logout(http, parameters, true, csrf);
        } catch (Refused e) {
            return BrowserResponse.of(refused(400, e.getMessage()));
        }
    }

    private BrowserResponse logout(Request http, Map<String, String> raw, boolean confirmed, String csrf) {
        Checked request = check(raw);
        String cookie = Cookies.read(http, AuthorizationEndpoint.SESSION_COOKIE);
        Optional<BrowserSession> session = sessions.find(cookie, now());
        if (session.isEmpty()) {
            // nothing to end (already signed out, or expired): finish as if it had been
            return finish(request, cookie != null);
        }
        BrowserSession s = session.get();
        if (confirmed) {
            if (csrf == null || !MessageDigest.isEqual(csrf.getBytes(StandardCharsets.UTF_8), csrfToken(cookie).getBytes(StandardCharsets.UTF_8))) {
                throw new Refused("the sign-out form has expired or was not opened in this browser");
            }
        } else if (!fromSessionRp(request, s)) {
            return BrowserResponse.of(confirmation(request, cookie));
        }
        sessions.end(cookie);
        int dropped = consents.endSession(s.sid());
        Audit.success(AuditEvent.LOGOUT).ip(http.remoteAddress()).client(request.client() == null ? null : request.client().clientId())
                .user(s.subject()).write();
        if (dropped > 0) {
            Audit.success(AuditEvent.CONSENT_REVOKE).ip(http.remoteAddress()).user(s.subject()).count(dropped)
                    .reason("consents bound to the session ended at logout").write();
        }
        return finish(request, true);
    }

    /** Parameters checked in the order of §2 and §3; any problem is a page (never a redirect). */
    private Checked check(Map<String, String> raw) {
        for (Map.Entry<String, String> e : raw.entrySet()) {
            if (e.getValue().length() > MAX_VALUE) {
                throw new Refused("parameter " + e.getKey() + " is too long");
            }
        }
        Map<String, String> p = new LinkedHashMap<>();
        raw.forEach((k, v) -> {
            if (PARAMETERS.contains(k)) p.put(k, v);
        });
        Optional<IdTokenHint> hint = Optional.empty();
        if (p.containsKey("id_token_hint")) {
            hint = IdTokenHint.verify(p.get("id_token_hint"), keys, endpoints.issuer());
            if (hint.isEmpty()) {
                throw new Refused("the id_token_hint is not a valid ID token from this server");
            }
        }
        String clientId = p.get("client_id");
        if (clientId != null && hint.isPresent() && !hint.get().audience().contains(clientId)) {
            throw new Refused("client_id is not an audience of the id_token_hint");
        }
        if (clientId == null && hint.isPresent()) {
            clientId = hint.get().clientId().orElseThrow(() -> new Refused("the id_token_hint names no single client; send client_id"));
        }
        Client client = null;
        if (clientId != null) {
            client = clients.apply(clientId).map(StoredClient::client)
                    .orElseThrow(() -> new Refused("the client is unknown"));
        }
        String redirect = p.get("post_logout_redirect_uri");
        if (redirect != null) {
            if (client == null) {
                throw new Refused("post_logout_redirect_uri needs the client to be identified by id_token_hint or client_id");
            }
            List<String> registered = client.postLogoutRedirectUris() == null ? List.of() : client.postLogoutRedirectUris();
            if (!registered.contains(redirect)) {
                throw new Refused("post_logout_redirect_uri is not registered for the client");
            }
        }
        return new Checked(p, hint, client, redirect);
    }

    /** The session's own RP asks: its ID token for this very session, and no hint of another user. */
    private boolean fromSessionRp(Checked request, BrowserSession session) {
        if (request.hint().isEmpty()) return false;
        IdTokenHint hint = request.hint().get();
        if (!session.sid().equals(hint.sid()) || !session.subject().equals(hint.subject())) return false;
        String logoutHint = request.parameters().get("logout_hint");
        return logoutHint == null || users.findBySubject(session.subject()).map(User::username).filter(logoutHint::equals).isPresent()
                || logoutHint.equals(session.subject());
    }

    private Response confirmation(Checked request, String cookie) {
        Map<String, Object> p = new HashMap<>();
        p.put("action", endpoints.endSession());
        p.put("csrf", csrfToken(cookie));
        p.put("done", false);
        p.put("clientName", request.client() == null ? null : name(request.client()));
        p.put("fields", request.parameters());
        // the answer to the form may redirect to the client, which form-action 'self' would block
        return pages.render(200, "logout", p, true, false);
    }

    private BrowserResponse finish(Checked request, boolean clearCookie) {
        Response response;
        if (request.redirectUri() != null) {
            String uri = request.redirectUri();
            String state = request.parameters().get("state");
            String location = state == null ? uri : uri + (uri.contains("?") ? "&" : "?") + "state=" + encode(state);
            response = Response.empty(303).withHeader("Location", location).withHeader("Cache-Control", "no-store")
                    .withHeader("Referrer-Policy", "no-referrer");
        } else {
            Map<String, Object> p = new HashMap<>();
            p.put("action", endpoints.endSession());
            p.put("csrf", "");
            p.put("done", true);
            response = pages.render(200, "logout", p, false, false);
        }
        BrowserResponse out = BrowserResponse.of(response);
        return clearCookie ? out.withCookie(Cookies.set(AuthorizationEndpoint.SESSION_COOKIE, "", cookiePath, 0, secureCookies)) : out;
    }

    /** Bound to the session cookie, which a cross-site page can neither read nor send with a POST (SameSite=Lax). */
    private static String csrfToken(String cookie) {
        return dev.latch.server.secret.Secrets.digest("logout-csrf:" + cookie);
    }

    private Response refused(int status, String message) {
        return pages.error(status, "Sign-out request refused", "The sign-out request cannot be accepted: " + message + ".", "invalid_request");
    }

    private static Map<String, String> single(Map<String, List<String>> query) {
        Map<String, String> p = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : query.entrySet()) {
            List<String> values = e.getValue().stream().filter(v -> !v.isEmpty()).toList();
            if (values.size() > 1) {
                throw new Refused("parameter " + e.getKey() + " is repeated");
            }
            if (values.size() == 1) p.put(e.getKey(), values.get(0));
        }
        return p;
    }

    private static String query(Map<String, String> parameters) {
        StringJoiner j = new StringJoiner("&");
        parameters.forEach((k, v) -> j.add(encode(k) + "=" + encode(v)));
        return j.toString();
    }

    private static String name(Client client) {
        return client.clientName() == null || client.clientName().isBlank() ? client.clientId() : client.clientName();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private long now() {
        return clock.instant().getEpochSecond();
    }

    @Override
    public void addRoutes(Routes routes) {
        String path = routes.base() + "/logout";
        routes.addPage("GET", path, this::handle).addPage("POST", path, this::handle);
    }
}
