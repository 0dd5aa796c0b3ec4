package dev.latch.server.authorize;

import dev.latch.server.secret.Secrets;
import dev.latch.server.http.Routes;
import dev.latch.core.error.OAuthError;
import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import dev.latch.server.client.Client;
import dev.latch.server.code.AuthorizationCodeStore;
import dev.latch.server.code.ApprovedAuthorization;
import dev.latch.server.consent.ConsentStore;
import dev.latch.server.cpu.CpuPool;
import dev.latch.server.discovery.ServerEndpoints;
import dev.latch.server.http.BrowserResponse;
import dev.latch.server.http.Cookies;
import dev.latch.server.http.FormParameters;
import dev.latch.server.http.Request;
import dev.latch.server.http.Response;
import dev.latch.server.scope.ScopeCatalogue;
import dev.latch.server.session.BrowserSession;
import dev.latch.server.session.Interaction;
import dev.latch.server.session.InteractionStore;
import dev.latch.server.session.SessionStore;
import dev.latch.server.ui.ConsentView;
import dev.latch.server.ui.Pages;
import dev.latch.server.user.PasswordVerifier;
import dev.latch.server.user.User;
import dev.latch.server.user.UserStore;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authorization endpoint (RFC 6749 §3.1, §4.1; OIDC Core §3.1.2) and the login and consent
 * forms it leads through. Flow: parse (page or redirect errors) → SSO session → login if needed →
 * consent if needed → code. {@code prompt=none} never shows a page (OIDC Core §3.1.2.6); every
 * authorization response carries {@code iss} (RFC 9207).
 */
public final class AuthorizationEndpoint implements Routes.Source {

    public static final String SESSION_COOKIE = "latch_session";
    public static final String BROWSER_COOKIE = "latch_browser";
    /** RFC 6749 §4.1.2 recommends at most ten minutes; Latch allows one. */
    static final long CODE_LIFETIME_SECONDS = 60;
    private static final Logger LOG = LoggerFactory.getLogger(AuthorizationEndpoint.class);

    private final AuthorizationRequestParser parser;
    private final UserStore users;
    private final SessionStore sessions;
    private final InteractionStore interactions;
    private final ConsentStore consents;
    private final AuthorizationCodeStore codes;
    private final ScopeCatalogue scopes;
    private final Pages pages;
    private final Clock clock;
    private final ServerEndpoints endpoints;
    private final boolean secureCookies;
    private final String cookiePath;
    private final PasswordSignIn signIn;
    /** SMART launches: none until {@link #smart} is called. */
    private SmartLaunchStep smart = new SmartLaunchStep(null, null);
    /** Checked when the user is unknown, so that unknown users and wrong passwords take the same time. */

    public AuthorizationEndpoint(AuthorizationRequestParser parser, UserStore users, PasswordVerifier hasher, SessionStore sessions,
                                 InteractionStore interactions, ConsentStore consents, AuthorizationCodeStore codes,
                                 ScopeCatalogue scopes, LoginThrottle throttle, Pages pages, Clock clock, ServerEndpoints endpoints) {
        this.parser = parser;
        this.users = users;
        this.sessions = sessions;
        this.interactions = interactions;
        this.consents = consents;
        this.codes = codes;
        this.scopes = scopes;
        this.pages = pages;
        this.clock = clock;
        this.endpoints = endpoints;
        this.secureCookies = Cookies.secure(endpoints.issuer());
        this.cookiePath = endpoints.basePath().isEmpty() ? "/" : endpoints.basePath() + "/";
        this.signIn = new PasswordSignIn(users, hasher, sessions, throttle);
    }

    /** How people sign in here; other sign-in pages share it (and its throttle). */
    public PasswordSignIn signIn() {
        return signIn;
    }

    /**
     * Serves SMART App Launch 2.2 launches: EHR launches named by {@code launch}, and standalone
     * launches whose patient comes from the user's {@code fhirUser} or the patient picker.
     */
    public AuthorizationEndpoint smart(EhrLaunches launches, PatientDirectory patients) {
        this.smart = new SmartLaunchStep(launches, patients);
        return this;
    }

    /** GET or POST {@code /authorize}. */
    public BrowserResponse authorize(Request http) {
        if ("POST".equals(http.method())) {
            return repeatAsGet(http);
        }
        if (!"GET".equals(http.method())) {
            return BrowserResponse.of(pages.error(405, "Request refused", "This address accepts GET and POST only.", "invalid_request"));
        }
        long now = now();
        AuthorizationRequestParser.Resolved resolved;
        AuthorizationRequest request;
        try {
            resolved = parser.resolve(http.query());
            request = parser.parse(resolved.parameters(), resolved.pushed());
        } catch (AuthorizationError e) {
            return BrowserResponse.of(error(e));
        }
        Optional<BrowserSession> session = sessions.find(Cookies.read(http, SESSION_COOKIE), now);
        return decide(http, request, resolved, session, null, false);
    }

    /**
     * A cross-site POST does not carry the {@code SameSite=Lax} session cookie, so the request is sent
     * back to the browser as a GET of the same parameters (a top-level GET does carry it).
     */
    private BrowserResponse repeatAsGet(Request http) {
        String type = http.header("content-type");
        if (type == null || !FormParameters.mediaType(type).equals("application/x-www-form-urlencoded")
                || http.body().length > FormParameters.MAX_BODY) {
            return BrowserResponse.of(pages.error(400, "Request refused", "The authorization request is not a form.", "invalid_request"));
        }
        StringJoiner query = new StringJoiner("&");
        try {
            for (String pair : new String(http.body(), StandardCharsets.UTF_8).split("&")) {
                if (pair.isEmpty()) continue;
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                query.add(encode(name) + "=" + encode(value));
            }
        } catch (IllegalArgumentException e) {
            return BrowserResponse.of(pages.error(400, "Request refused", "The authorization request is not valid form encoding.", "invalid_request"));
        }
        return BrowserResponse.repeatAsGet(endpoints.authorization(), query.toString()).orElseGet(() -> BrowserResponse.of(
                pages.error(400, "Request refused", "The authorization request is too long to send as a link; push it first (PAR).", "invalid_request")));
    }

    /** POST {@code /authorize/login}: the login form. */
    public BrowserResponse login(Request http) {
        try {
            return checkLogin(http);
        } catch (AuthorizationError e) {
            return BrowserResponse.of(error(e));
        }
    }

    /** POST {@code /authorize/consent}: approve or deny. */
    public BrowserResponse consent(Request http) {
        try {
            return decideConsent(http);
        } catch (AuthorizationError e) {
            return BrowserResponse.of(error(e));
        }
    }

    /** POST {@code /authorize/patient}: the patient picker of a standalone launch (search, choose, choose a visit). */
    public BrowserResponse pickPatient(Request http) {
        try {
            return decidePatient(http);
        } catch (AuthorizationError e) {
            return BrowserResponse.of(error(e));
        }
    }

    private BrowserResponse decidePatient(Request http) {
        long now = now();
        Optional<Claimed> claimed = claim(http, now);
        if (claimed.isEmpty()) {
            return BrowserResponse.of(expiredForm());
        }
        Claimed c = claimed.get();
        String id = c.interaction().id();
        Optional<BrowserSession> session = sessions.find(Cookies.read(http, SESSION_COOKIE), now);
        Optional<User> user = session.filter(s -> s.subject().equals(c.interaction().subject()))
                .flatMap(s -> users.findBySubject(s.subject())).filter(User::enabled);
        if (user.isEmpty()) {
            interactions.finish(id);
            return BrowserResponse.of(pages.error(400, "Session ended", "Your sign-in session has ended. Go back to the application and start again.",
                    "login_required"));
        }
        AuthorizationRequest request = c.request();
        Map<String, List<String>> parameters = c.resolved().parameters();
        String patientId = c.form().get("patient");
        if (!SmartLaunchStep.standalone(request, parameters) || !SmartLaunchStep.mayChoose(user.get(), request, patientId) || smart.patients() == null) {
            interactions.finish(id);
            Audit.failure(AuditEvent.SMART_PICK).ip(http.remoteAddress()).client(request.client().clientId()).user(user.get().subject())
                    .error("access_denied").reason("the user may not choose a patient for this client").write();
            return BrowserResponse.of(pages.error(403, "Not allowed", "You may not choose a patient for this application.", "access_denied"));
        }
        String aud = SmartLaunchStep.audience(parameters);
        if (patientId == null) {
            String name = c.form().get("name");
            return BrowserResponse.of(pickerPage(200, request, parameters, id, name == null ? "" : name.strip(), null));
        }
        PatientDirectory.PatientEntry patient;
        List<PatientDirectory.EncounterEntry> encounters = List.of();
        try {
            Optional<PatientDirectory.PatientEntry> found = smart.patients().read(aud, patientId);
            if (found.isEmpty()) {
                // a Patient user (their own record, gone since the visit page) never gets the search
                return BrowserResponse.of(SmartLaunchStep.mayPick(user.get())
                        ? pickerPage(200, request, parameters, id, "", "That patient is not on the FHIR server. Search again.")
                        : ownRecordMissing(id, patientId));
            }
            patient = found.get();
            if (SmartLaunchStep.wantsEncounter(request)) {
                encounters = smart.patients().encounters(aud, patient.id());
            }
        } catch (PatientDirectory.Unavailable e) {
            return BrowserResponse.of(SmartLaunchStep.mayPick(user.get()) ? unavailablePicker(request, id, e) : unavailableVisits(e));
        }
        dev.latch.core.smart.LaunchContext context = dev.latch.core.smart.LaunchContext.ofPatient(patient.id());
        if (SmartLaunchStep.wantsEncounter(request)) {
            String encounter = c.form().get("encounter");
            boolean none = "yes".equals(c.form().get("no-encounter")) && encounters.isEmpty();
            if (!"encounter".equals(c.form().get("step")) || (encounter == null && !none)) {
                return BrowserResponse.of(encounterPage(200, request, id, patient, encounters, null));
            }
            if (encounter != null) {
                if (encounters.stream().noneMatch(e -> e.id().equals(encounter))) {
                    return BrowserResponse.of(encounterPage(200, request, id, patient, encounters, "Choose one of this patient's visits."));
                }
                context = context.withEncounter(encounter);
            }
        }
        interactions.chose(id, context);
        Audit.success(AuditEvent.SMART_PICK).ip(http.remoteAddress()).client(request.client().clientId()).user(user.get().subject())
                .patient(patient.id()).write();
        Interaction chosen = new Interaction(id, parameters, c.interaction().pushed(), c.interaction().subject(), context);
        return decide(http, request, c.resolved(), session, chosen, false);
    }

    private Response pickerPage(int status, AuthorizationRequest request, Map<String, List<String>> parameters, String interactionId,
                                String query, String message) {
        List<PatientDirectory.PatientEntry> found;
        try {
            found = smart.patients().search(SmartLaunchStep.audience(parameters), query);
        } catch (PatientDirectory.Unavailable e) {
            return unavailablePicker(request, interactionId, e);
        }
        return picker(status, request, interactionId, query, found, null, null, message);
    }

    /** The FHIR server gave no usable answer: the picker says so and lets the user try again. */
    private Response unavailablePicker(AuthorizationRequest request, String interactionId, PatientDirectory.Unavailable e) {
        LOG.warn("patient picker: the FHIR server gave no usable answer: {}", e.getMessage());
        return picker(502, request, interactionId, "", null, null, null,
                "The patient directory (FHIR server) is not answering right now. Try again in a moment.");
    }

    /** The visit picker of a Patient user's own record (launch/encounter). */
    private Response ownVisitsPage(AuthorizationRequest request, Map<String, List<String>> parameters, String interactionId, String patientId) {
        String aud = SmartLaunchStep.audience(parameters);
        try {
            Optional<PatientDirectory.PatientEntry> patient = smart.patients().read(aud, patientId);
            if (patient.isEmpty()) {
                return ownRecordMissing(interactionId, patientId);
            }
            return encounterPage(200, request, interactionId, patient.get(), smart.patients().encounters(aud, patientId), null);
        } catch (PatientDirectory.Unavailable e) {
            return unavailableVisits(e);
        }
    }

    /** A Patient user's own record is not on the FHIR server: the sign-in ends here, with the reason. */
    private Response ownRecordMissing(String interactionId, String patientId) {
        interactions.finish(interactionId);
        return pages.error(404, "Patient record not found", "Your patient record (Patient/" + patientId
                + ") is not on the FHIR server this application uses, so it cannot open with one of your visits.", "invalid_request");
    }

    /** The FHIR server gave no usable answer while a Patient user chooses a visit (they may not search, so no picker). */
    private Response unavailableVisits(PatientDirectory.Unavailable e) {
        LOG.warn("visit picker: the FHIR server gave no usable answer: {}", e.getMessage());
        return pages.error(502, "Visits unavailable", "The FHIR server is not answering right now, so your visits cannot be listed. "
                + "Go back to the application and try again in a moment.", "temporarily_unavailable");
    }

    private Response encounterPage(int status, AuthorizationRequest request, String interactionId, PatientDirectory.PatientEntry patient,
                                   List<PatientDirectory.EncounterEntry> encounters, String message) {
        return picker(status, request, interactionId, "", null, patient, encounters, message);
    }

    private Response picker(int status, AuthorizationRequest request, String interactionId, String query,
                            List<PatientDirectory.PatientEntry> patients, PatientDirectory.PatientEntry chosen,
                            List<PatientDirectory.EncounterEntry> encounters, String message) {
        Map<String, Object> p = new HashMap<>();
        p.put("action", endpoints.authorization() + "/patient");
        p.put("interaction", interactionId);
        p.put("csrf", interactions.newCsrfToken(interactionId));
        p.put("clientName", clientName(request.client()));
        p.put("query", query);
        p.put("patients", patients);
        p.put("chosen", chosen);
        p.put("encounters", encounters);
        p.put("message", message);
        // leaves the site: choosing may end in the redirect to the client (form-action applies to redirects)
        return pages.render(status, "patient_picker", p, true, false);
    }

    private BrowserResponse checkLogin(Request http) {
        long now = now();
        Optional<Claimed> claimed = claim(http, now);
        if (claimed.isEmpty()) {
            return BrowserResponse.of(expiredForm());
        }
        Claimed c = claimed.get();
        String username = c.form().get("username");
        PasswordSignIn.Result result = signIn.signIn(username, c.form().get("password"), http.remoteAddress(),
                Cookies.read(http, SESSION_COOKIE), c.request().client().clientId(), now);
        if (result instanceof PasswordSignIn.Result.Refused refused) {
            return refused.answer((status, message) -> loginPage(status, c.request(), c.interaction().id(), username, message));
        }
        PasswordSignIn.Result.SignedIn signedIn = (PasswordSignIn.Result.SignedIn) result;
        interactions.signedIn(c.interaction().id(), signedIn.user().subject());
        return decide(http, c.request(), c.resolved(), Optional.of(signedIn.session().session()), c.interaction(), true)
                .withCookie(sessionCookie(signedIn.session().cookieValue()));
    }

    /** The SSO session cookie (for every page that signs people in). */
    public String sessionCookie(String value) {
        return Cookies.set(SESSION_COOKIE, value, cookiePath, -1, secureCookies);
    }

    /** The pre-login browser cookie that binds forms in flight to this browser (for every page with such forms). */
    public String browserCookie(String value) {
        return Cookies.set(BROWSER_COOKIE, value, cookiePath, -1, secureCookies);
    }

    private BrowserResponse decideConsent(Request http) {
        long now = now();
        Optional<Claimed> claimed = claim(http, now);
        if (claimed.isEmpty()) {
            return BrowserResponse.of(expiredForm());
        }
        Claimed c = claimed.get();
        Optional<BrowserSession> session = sessions.find(Cookies.read(http, SESSION_COOKIE), now);
        if (session.isEmpty() || c.interaction().subject() == null || !session.get().subject().equals(c.interaction().subject())) {
            interactions.finish(c.interaction().id());
            return BrowserResponse.of(pages.error(400, "Session ended", "Your sign-in session has ended. Go back to the application and start again.",
                    "login_required"));
        }
        AuthorizationRequest request = c.request();
        String decision = c.form().get("decision");
        if ("deny".equals(decision)) {
            interactions.finish(c.interaction().id());
            Audit.failure(AuditEvent.CONSENT_GRANT).ip(http.remoteAddress()).client(request.client().clientId())
                    .user(session.get().subject()).error("access_denied").reason("denied by the user").write();
            return BrowserResponse.of(redirectError(request, "access_denied", "the user denied the request"));
        }
        if (!"approve".equals(decision)) {
            return BrowserResponse.of(consentPage(request, c.interaction().id(), session.get()));
        }
        User user = users.findBySubject(session.get().subject()).filter(User::enabled).orElse(null);
        if (user == null) {
            interactions.finish(c.interaction().id());
            return BrowserResponse.of(pages.error(400, "Session ended", "Your sign-in session has ended. Go back to the application and start again.",
                    "login_required"));
        }
        SmartLaunchStep.Outcome launch = smart.decide(request, c.resolved().parameters(), c.interaction(), user, true, now);
        if (!(launch instanceof SmartLaunchStep.Outcome.Decided decided)) {
            interactions.finish(c.interaction().id());
            return BrowserResponse.of(launch instanceof SmartLaunchStep.Outcome.Refused r ? redirectError(request, r.code(), r.description())
                    : redirectError(request, "invalid_request", "the patient was not chosen"));
        }
        String scope = grantedScope(request, true);
        // "ask me again after I sign out" binds the consent to this SSO session: logout drops it
        String boundTo = "yes".equals(c.form().get("forget")) ? session.get().sid() : null;
        consents.remember(session.get().subject(), request.client().clientId(), scope, now, boundTo);
        Audit.success(AuditEvent.CONSENT_GRANT).ip(http.remoteAddress()).client(request.client().clientId())
                .user(session.get().subject()).scope(scope).write();
        interactions.finish(c.interaction().id());
        return BrowserResponse.of(issueCode(http, request, session.get(), scope, now, decided));
    }

    private record Claimed(Interaction interaction, AuthorizationRequestParser.Resolved resolved, AuthorizationRequest request,
                           FormParameters form) {}

    /** The interaction a form belongs to, if this browser started it and the CSRF token is its current one. */
    private Optional<Claimed> claim(Request http, long now) {
        FormParameters form;
        try {
            form = FormParameters.parse(http);
        } catch (OAuthError e) {
            return Optional.empty();
        }
        Optional<Interaction> interaction = interactions.claim(form.get("interaction"), Cookies.read(http, BROWSER_COOKIE),
                form.get("csrf"), now);
        if (interaction.isEmpty()) {
            return Optional.empty();
        }
        Interaction i = interaction.get();
        AuthorizationRequestParser.Resolved resolved = new AuthorizationRequestParser.Resolved(i.parameters(), i.pushed());
        // checked again: the client may have been changed or removed while the user was signing in
        AuthorizationRequest request = parser.parse(i.parameters(), i.pushed());
        return Optional.of(new Claimed(i, resolved, request, form));
    }

    private BrowserResponse decide(Request http, AuthorizationRequest request, AuthorizationRequestParser.Resolved resolved,
                                   Optional<BrowserSession> session, Interaction interaction, boolean freshLogin) {
        long now = now();
        Optional<SmartLaunchStep.Outcome.Refused> badLaunch = smart.check(request, resolved.parameters(), now);
        if (badLaunch.isPresent()) {
            if (interaction != null) interactions.finish(interaction.id());
            return BrowserResponse.of(redirectError(request, badLaunch.get().code(), badLaunch.get().description()));
        }
        Optional<User> user = session.flatMap(s -> users.findBySubject(s.subject())).filter(User::enabled);
        Long maxAge = request.maxAge() != null ? request.maxAge() : request.client().defaultMaxAge();
        boolean mustLogin = user.isEmpty() || (!freshLogin && (request.prompt().contains("login")
                || (maxAge != null && now - session.get().authTime() > maxAge)));
        if (mustLogin) {
            if (request.promptNone()) {
                return BrowserResponse.of(redirectError(request, "login_required", "the user must sign in"));
            }
            return startInteraction(http, request, resolved, interaction, id -> loginPage(200, request, id, request.loginHint(), null));
        }
        User u = user.get();
        if (request.promptNone() && request.loginHint() != null && !request.loginHint().equals(u.username())) {
            // another account is signed in: choosing one needs the user
            return BrowserResponse.of(redirectError(request, "interaction_required", "the signed-in user is not the one hinted"));
        }
        SmartLaunchStep.Outcome launch = smart.decide(request, resolved.parameters(), interaction, u, freshLogin, now);
        switch (launch) {
            case SmartLaunchStep.Outcome.Refused r -> {
                if (interaction != null) interactions.finish(interaction.id());
                return BrowserResponse.of(redirectError(request, r.code(), r.description()));
            }
            case SmartLaunchStep.Outcome.SignInAs as -> {
                if (request.promptNone()) {
                    return BrowserResponse.of(redirectError(request, "login_required", "the launch is for another user"));
                }
                return startInteraction(http, request, resolved, interaction, id -> loginPage(200, request, id, as.username(),
                        "This launch is for " + as.username() + ". Sign in as " + as.username() + "."));
            }
            case SmartLaunchStep.Outcome.Pick ignored -> {
                if (request.promptNone()) {
                    return BrowserResponse.of(redirectError(request, "interaction_required", "the user must choose a patient"));
                }
                return startInteraction(http, request, resolved, interaction, id -> {
                    interactions.signedIn(id, u.subject());
                    return pickerPage(200, request, resolved.parameters(), id, "", null);
                });
            }
            case SmartLaunchStep.Outcome.PickEncounter own -> {
                if (request.promptNone()) {
                    return BrowserResponse.of(redirectError(request, "interaction_required", "the user must choose a visit"));
                }
                return startInteraction(http, request, resolved, interaction, id -> {
                    interactions.signedIn(id, u.subject());
                    return ownVisitsPage(request, resolved.parameters(), id, own.patient());
                });
            }
            case SmartLaunchStep.Outcome.Decided ignored -> { }
        }
        SmartLaunchStep.Outcome.Decided decided = (SmartLaunchStep.Outcome.Decided) launch;
        // offline_access only with the user's approval of it (OIDC Core §11): a consent that covers the whole request,
        // else the consent page, which names it; a silent request (prompt=none) goes on without it
        String scope = grantedScope(request, true);
        boolean covered = !request.prompt().contains("consent") && consents.covers(u.subject(), request.client().clientId(), scope, session.get().sid());
        if (!covered && request.promptNone() && !scope.equals(grantedScope(request, false))) {
            scope = grantedScope(request, false);
            covered = consents.covers(u.subject(), request.client().clientId(), scope, session.get().sid());
        }
        if (!covered) {
            if (request.promptNone()) {
                return BrowserResponse.of(redirectError(request, "consent_required", "the user must approve this client"));
            }
            return startInteraction(http, request, resolved, interaction, id -> {
                // consent is bound to whoever is signed in now: a sign-in in between makes the form stale
                interactions.signedIn(id, u.subject());
                return consentPage(request, id, session.get());
            });
        }
        if (interaction != null) {
            interactions.finish(interaction.id());
        }
        return BrowserResponse.of(issueCode(http, request, session.get(), scope, now, decided));
    }

    private BrowserResponse startInteraction(Request http, AuthorizationRequest request, AuthorizationRequestParser.Resolved resolved,
                                             Interaction interaction, java.util.function.Function<String, Response> page) {
        if (interaction != null) {
            return BrowserResponse.of(page.apply(interaction.id()));
        }
        String browser = Cookies.read(http, BROWSER_COOKIE);
        boolean newBrowser = browser == null || browser.length() > 100;
        if (newBrowser) {
            browser = dev.latch.server.secret.Secrets.generate(256);
        }
        String id = interactions.create(browser, resolved.parameters(), resolved.pushed(), now());
        BrowserResponse response = BrowserResponse.of(page.apply(id));
        return newBrowser ? response.withCookie(Cookies.set(BROWSER_COOKIE, browser, cookiePath, -1, secureCookies)) : response;
    }

    private Response loginPage(int status, AuthorizationRequest request, String interactionId, String username, String message) {
        Map<String, Object> p = new HashMap<>();
        p.put("action", endpoints.authorization() + "/login");
        p.put("interaction", interactionId);
        p.put("csrf", interactions.newCsrfToken(interactionId));
        p.put("clientName", clientName(request.client()));
        p.put("username", username);
        p.put("message", message);
        return pages.render(status, "login", p, true, false);
    }

    private Response consentPage(AuthorizationRequest request, String interactionId, BrowserSession session) {
        Client client = request.client();
        List<String> lines = scopes.describe(List.of(grantedScope(request, true).split(" ")));
        String username = users.findBySubject(session.subject()).map(User::username).orElse("");
        Map<String, Object> p = new HashMap<>();
        p.put("action", endpoints.authorization() + "/consent");
        p.put("interaction", interactionId);
        p.put("csrf", interactions.newCsrfToken(interactionId));
        p.put("view", new ConsentView(clientName(client), client.logoUri(), client.clientUri(), client.policyUri(), client.tosUri(),
                username, lines));
        p.put("appsUrl", endpoints.accountApps());
        return pages.render(200, "consent", p, true, false);
    }

    private Response expiredForm() {
        return pages.error(400, "Form expired", "This form has expired, was already sent, or was not opened in this browser. "
                + "Go back to the application and start again.", "invalid_request");
    }

    /**
     * The scope a code may carry. OIDC Core §11: {@code offline_access} needs the user's consent to it —
     * {@code prompt=consent}, or the consent page (which lists it) approved now or remembered; without
     * that ({@code withConsent} false) it is dropped and the request goes on without it.
     */
    static String grantedScope(AuthorizationRequest request, boolean withConsent) {
        List<String> granted = new ArrayList<>();
        for (String s : request.scope().split(" ")) {
            if (s.isEmpty()) continue;
            if (s.equals("offline_access") && !withConsent && !request.prompt().contains("consent")) continue;
            granted.add(s);
        }
        return String.join(" ", granted);
    }

    /** The code, with the launch context decided; an EHR launch is used up here, so only one code is ever issued for it. */
    private Response issueCode(Request http, AuthorizationRequest request, BrowserSession session, String scope, long now,
                               SmartLaunchStep.Outcome.Decided launch) {
        if (launch.ehrLaunch() != null && !smart.consume(launch.ehrLaunch(), now)) {
            return redirectError(request, "invalid_request", "the launch is unknown, expired, used or another application's");
        }
        boolean offline = Set.of(scope.split(" ")).contains("offline_access");
        ApprovedAuthorization grant = new ApprovedAuthorization(request.client().clientId(), session.subject(), request.redirectUri(), scope,
                request.nonce(), request.codeChallenge(), session.authTime(), session.sid(), List.of("pwd"), request.resources(), offline,
                launch.context());
        String code = codes.issue(grant, now + CODE_LIFETIME_SECONDS);
        Audit.success(AuditEvent.AUTHORIZE_CODE).ip(http.remoteAddress()).client(request.client().clientId()).user(session.subject())
                .scope(scope).patient(launch.context() == null ? null : launch.context().patient()).write();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("code", code);
        if (request.state() != null) fields.put("state", request.state());
        fields.put("iss", endpoints.issuer());
        return respond(request.redirectUri(), request.responseMode(), fields);
    }

    private Response redirectError(AuthorizationRequest request, String code, String description) {
        Audit.failure(AuditEvent.AUTHORIZE_CODE).client(request.client().clientId()).error(code).reason(description).write();
        return error(AuthorizationError.redirect(code, description, request.redirectUri(), request.state(), request.responseMode()));
    }

    /** An error page, or the error sent back to the client with state and iss (RFC 6749 §4.1.2.1, RFC 9207 §2). */
    Response error(AuthorizationError e) {
        if (e.showsPage()) {
            return pages.error(400, "Sign-in request refused", "The application sent a sign-in request that cannot be accepted: "
                    + e.description() + ".", e.code());
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("error", e.code());
        fields.put("error_description", e.description());
        if (e.state() != null) fields.put("state", e.state());
        fields.put("iss", endpoints.issuer());
        return respond(e.redirectUri(), e.responseMode(), fields);
    }

    /** RFC 6749 §4.1.2 (query) or OAuth 2.0 Form Post Response Mode §2 (an auto-submitting form). */
    private Response respond(String redirectUri, String responseMode, Map<String, String> fields) {
        if ("form_post".equals(responseMode)) {
            Map<String, Object> p = new HashMap<>();
            p.put("action", redirectUri);
            p.put("fields", fields);
            return pages.render(200, "form_post", p, true, true);
        }
        StringJoiner query = new StringJoiner("&");
        fields.forEach((k, v) -> query.add(encode(k) + "=" + encode(v)));
        String location = redirectUri + (redirectUri.contains("?") ? "&" : "?") + query;
        return Response.empty(303).withHeader("Location", location).withHeader("Cache-Control", "no-store")
                .withHeader("Referrer-Policy", "no-referrer");
    }

    private static String clientName(Client client) {
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
        String path = routes.base() + "/authorize";
        routes.addPage("GET", path, this::authorize)
                .addPage("POST", path, this::authorize)
                .addPage("POST", path + "/login", this::login)
                .addPage("POST", path + "/consent", this::consent)
                .addPage("POST", path + "/patient", this::pickPatient);
    }
}
