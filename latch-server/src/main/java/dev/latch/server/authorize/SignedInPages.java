package dev.latch.server.authorize;

import dev.latch.core.error.OAuthError;
import dev.latch.server.http.BrowserResponse;
import dev.latch.server.http.Cookies;
import dev.latch.server.http.FormParameters;
import dev.latch.server.http.Request;
import dev.latch.server.http.Response;
import dev.latch.server.secret.Secrets;
import dev.latch.server.session.BrowserSession;
import dev.latch.server.session.Interaction;
import dev.latch.server.session.InteractionStore;
import dev.latch.server.session.SessionStore;
import dev.latch.server.ui.Pages;
import dev.latch.server.user.User;
import dev.latch.server.user.UserStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What Latch's own pages for signed-in people (the launch simulator, the page of apps with access) share
 * with the sign-in forms: who is signed in (the SSO session cookie), a sign-in form of their own, and forms
 * that are CSRF-protected and bound to the browser, whose in-flight state is an {@link InteractionStore}
 * entry marked with the page's purpose (so one page's form never passes for another's).
 */
public final class SignedInPages {

    private final SessionStore sessions;
    private final UserStore users;
    private final InteractionStore interactions;
    private final AuthorizationEndpoint signInPages;
    private final Pages pages;

    public SignedInPages(SessionStore sessions, UserStore users, InteractionStore interactions, AuthorizationEndpoint signInPages, Pages pages) {
        this.sessions = sessions;
        this.users = users;
        this.interactions = interactions;
        this.signInPages = signInPages;
        this.pages = pages;
    }

    /** The page at {@code path} (its sign-in form posts to {@code path/login}), whose forms are marked {@code purpose}. */
    public Page page(String purpose, String path, String name) {
        return new Page(purpose, path, name);
    }

    /**
     * One page for signed-in people: GET shows it (or its sign-in form), {@code POST path/login} signs in, and a
     * POST of one of its forms is {@link #posted} before the page acts on it.
     *
     * @param name what the sign-in form says is signed in to, and the expired-form page says to open again
     */
    public final class Page {
        private final String purpose;
        private final String path;
        private final String name;

        private Page(String purpose, String path, String name) {
            this.purpose = purpose;
            this.path = path;
            this.name = name;
        }

        /** GET: {@code content} for the signed-in user and a new form's interaction id, or the sign-in form. */
        public BrowserResponse show(Request http, long now, java.util.function.BiFunction<User, String, Response> content) {
            Optional<User> user = signedIn(http, now);
            Opened form = open(http, purpose, now);
            return form.answer(user.isPresent() ? content.apply(user.get(), form.interactionId())
                    : signInPage(200, path + "/login", form.interactionId(), name, null, null));
        }

        /** POST {@code path/login}: a 303 back to the page with the session cookie, or the sign-in form with the reason. */
        public BrowserResponse login(Request http, long now) {
            return SignedInPages.this.login(http, purpose, path + "/login", name, path, now);
        }

        /**
         * A POST of one of the page's forms: the form and who is signed in, or, in {@link Posted#refusal}, what to answer
         * instead (a form that cannot be claimed; the sign-in form, saying {@code ended}, when the session has ended).
         */
        public Posted posted(Request http, long now, String ended) {
            Optional<Claimed> claimed = claim(http, purpose, now);
            if (claimed.isEmpty()) {
                return new Posted(null, null, BrowserResponse.of(expired(name)));
            }
            Optional<User> user = signedIn(http, now);
            if (user.isEmpty()) {
                return new Posted(claimed.get(), null, BrowserResponse.of(signInPage(200, path + "/login", claimed.get().interaction().id(),
                        name, null, ended)));
            }
            return new Posted(claimed.get(), user.get(), null);
        }
    }

    /** A posted form of a page: the form and the signed-in user, or the answer to give when either is missing. */
    public record Posted(Claimed claimed, User user, BrowserResponse refusal) {
        public String interactionId() {
            return claimed.interaction().id();
        }

        public FormParameters form() {
            return claimed.form();
        }
    }

    /** A form of a page in flight: its interaction and its fields. */
    public record Claimed(Interaction interaction, FormParameters form) {}

    /** A new form of {@code purpose} for this browser: its interaction id, and the browser cookie to set when the browser had none. */
    private record Opened(String interactionId, String browserCookie) {
        public BrowserResponse answer(Response page) {
            BrowserResponse response = BrowserResponse.of(page);
            return browserCookie == null ? response : response.withCookie(browserCookie);
        }
    }

    /** The enabled user the request's SSO session belongs to. */
    public Optional<User> signedIn(Request http, long now) {
        return sessions.find(Cookies.read(http, AuthorizationEndpoint.SESSION_COOKIE), now).map(BrowserSession::subject)
                .flatMap(users::findBySubject).filter(User::enabled);
    }

    private Opened open(Request http, String purpose, long now) {
        String browser = Cookies.read(http, AuthorizationEndpoint.BROWSER_COOKIE);
        boolean newBrowser = browser == null || browser.length() > 100;
        if (newBrowser) {
            browser = Secrets.generate(256);
        }
        String id = interactions.create(browser, Map.of("purpose", List.of(purpose)), false, now);
        return new Opened(id, newBrowser ? signInPages.browserCookie(browser) : null);
    }

    /** The posted form, when it is a form of {@code purpose} opened in this browser, unexpired, with its CSRF token; used up by this. */
    private Optional<Claimed> claim(Request http, String purpose, long now) {
        FormParameters form;
        try {
            form = FormParameters.parse(http);
        } catch (OAuthError e) {
            return Optional.empty();
        }
        return interactions.claim(form.get("interaction"), Cookies.read(http, AuthorizationEndpoint.BROWSER_COOKIE), form.get("csrf"), now)
                .filter(i -> List.of(purpose).equals(i.parameters().get("purpose")))
                .map(i -> new Claimed(i, form));
    }

    /** A CSRF token for the form {@code interactionId} (each rendering of a form gets a new one). */
    public String csrf(String interactionId) {
        return interactions.newCsrfToken(interactionId);
    }

    /** The form is done: it cannot be posted again. */
    public void finish(String interactionId) {
        interactions.finish(interactionId);
    }

    /**
     * The page's sign-in form posted ({@code purpose}'s form, fields {@code username} and {@code password}): on success a 303
     * to {@code next} with the SSO session cookie; otherwise the sign-in form again with the reason.
     */
    private BrowserResponse login(Request http, String purpose, String action, String pageName, String next, long now) {
        Optional<Claimed> claimed = claim(http, purpose, now);
        if (claimed.isEmpty()) {
            return BrowserResponse.of(expired(pageName));
        }
        Claimed c = claimed.get();
        String username = c.form().get("username");
        PasswordSignIn.Result result = signInPages.signIn().signIn(username, c.form().get("password"), http.remoteAddress(),
                Cookies.read(http, AuthorizationEndpoint.SESSION_COOKIE), purpose, now);
        if (result instanceof PasswordSignIn.Result.Refused refused) {
            return refused.answer((status, message) -> signInPage(status, action, c.interaction().id(), pageName, username, message));
        }
        PasswordSignIn.Result.SignedIn signedIn = (PasswordSignIn.Result.SignedIn) result;
        interactions.finish(c.interaction().id());
        return BrowserResponse.of(Response.empty(303).withHeader("Location", next).withHeader("Cache-Control", "no-store"))
                .withCookie(signInPages.sessionCookie(signedIn.session().cookieValue()));
    }

    /** The sign-in form of a page: posts to {@code action}, names the page as what is signed in to. */
    private Response signInPage(int status, String action, String interactionId, String pageName, String username, String message) {
        Map<String, Object> p = new HashMap<>();
        p.put("action", action);
        p.put("interaction", interactionId);
        p.put("csrf", interactions.newCsrfToken(interactionId));
        p.put("clientName", pageName);
        p.put("username", username);
        p.put("message", message);
        return pages.render(status, "login", p, false, false);
    }

    /** The answer to a form that cannot be claimed. */
    private Response expired(String pageName) {
        return pages.error(400, "Form expired", "This form has expired, was already sent, or was not opened in this browser. "
                + "Open " + pageName + " again.", "invalid_request");
    }
}
