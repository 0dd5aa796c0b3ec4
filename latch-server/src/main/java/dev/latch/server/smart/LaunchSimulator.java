package dev.latch.server.smart;

import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import dev.latch.core.error.OAuthError;
import dev.latch.core.smart.LaunchContext;
import dev.latch.server.authorize.PatientDirectory;
import dev.latch.server.authorize.SignedInPages;
import dev.latch.server.client.Client;
import dev.latch.server.client.StoredClient;
import dev.latch.server.discovery.ServerEndpoints;
import dev.latch.server.http.BrowserResponse;
import dev.latch.server.http.FormParameters;
import dev.latch.server.http.Request;
import dev.latch.server.http.Response;
import dev.latch.server.http.Routes;
import dev.latch.server.ui.Pages;
import dev.latch.server.user.User;
import dev.latch.server.user.UserStore;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SMART launch simulator ({@code /smart/simulator}), like the public SMART launchers: a signed-in
 * user with role {@value #ROLE} picks a registered app (a client with a launch URL and the
 * {@code launch} scope), a patient and an encounter from the FHIR server, and the user the launch is
 * for; Launch creates an EHR launch by the rules of {@code POST /smart/launch} and sends the browser to
 * the app's launch URL with {@code iss} and {@code launch}. Everyone else gets a sign-in form or a 403
 * page: the simulator creates launches, so it is never open. Forms are CSRF-protected and bound to
 * the browser like the sign-in forms (their in-flight state is an {@link dev.latch.server.session.InteractionStore} entry, see {@link SignedInPages}).
 */
public final class LaunchSimulator implements Routes.Source {

    /** The role that lets a user use the simulator. */
    public static final String ROLE = "smart-simulator";
    private static final String PURPOSE = "smart-simulator";
    private static final String PAGE_NAME = "the SMART launch simulator";
    private static final Logger LOG = LoggerFactory.getLogger(LaunchSimulator.class);

    private final Launches launches;
    private final PatientDirectory patients;
    private final Supplier<List<StoredClient>> clients;
    private final UserStore users;
    private final SignedInPages signedIn;
    private final SignedInPages.Page page;
    private final Pages pages;
    private final Clock clock;
    private final String path;

    public LaunchSimulator(Launches launches, PatientDirectory patients, Supplier<List<StoredClient>> clients, UserStore users,
                           SignedInPages signedIn, Pages pages, Clock clock, ServerEndpoints endpoints) {
        this.launches = launches;
        this.patients = patients;
        this.clients = clients;
        this.users = users;
        this.signedIn = signedIn;
        this.pages = pages;
        this.clock = clock;
        this.path = endpoints.basePath() + "/smart/simulator";
        this.page = signedIn.page(PURPOSE, path, PAGE_NAME);
    }

    /** GET: the simulator, or the sign-in form. */
    public BrowserResponse show(Request http) {
        return page.show(http, now(), (user, interactionId) -> allowed(user)
                ? simulator(200, interactionId, user, new Form(null, null, "", null, null, false), null) : forbidden());
    }

    /** POST {@code /login}: the simulator's sign-in form. */
    public BrowserResponse login(Request http) {
        return page.login(http, now());
    }

    /** POST: search patients, show a patient's visits, or launch. */
    public BrowserResponse act(Request http) {
        SignedInPages.Posted posted = page.posted(http, now(), "Your session has ended. Sign in again.");
        if (posted.refusal() != null) {
            return posted.refusal();
        }
        User user = posted.user();
        if (!allowed(user)) {
            signedIn.finish(posted.interactionId());
            return BrowserResponse.of(forbidden());
        }
        FormParameters f = posted.form();
        Form form = new Form(f.get("client_id"), f.get("user"), f.get("name") == null ? "" : f.get("name").strip(), f.get("patient"),
                f.get("encounter"), "yes".equals(f.get("need_patient_banner")));
        String id = posted.interactionId();
        if (!"launch".equals(f.get("action"))) {
            return BrowserResponse.of(simulator(200, id, user, form, null));
        }
        if (form.patient() == null) {
            return BrowserResponse.of(simulator(200, id, user, form, "Choose a patient."));
        }
        try {
            if (patients.read(null, form.patient()).isEmpty()) {
                return BrowserResponse.of(simulator(200, id, user, form.withoutPatient(), "That patient is not on the FHIR server."));
            }
            if (form.encounter() != null && patients.encounters(null, form.patient()).stream().noneMatch(e -> e.id().equals(form.encounter()))) {
                return BrowserResponse.of(simulator(200, id, user, form, "Choose one of this patient's visits."));
            }
        } catch (PatientDirectory.Unavailable e) {
            return BrowserResponse.of(unavailable(id, user, form, e));
        }
        Launches.Created created;
        try {
            created = launches.create(LaunchRequest.of(form.clientId(), null, form.user(), new LaunchContext(form.patient(), form.encounter(),
                    null, null, form.banner() ? Boolean.TRUE : null, null, null)));
        } catch (OAuthError e) {
            return BrowserResponse.of(simulator(400, id, user, form, "Cannot launch: " + e.description() + "."));
        }
        signedIn.finish(id);
        Audit.success(AuditEvent.SMART_LAUNCH).ip(http.remoteAddress()).actor("user:" + user.subject()).client(form.clientId())
                .username(form.user()).patient(form.patient()).write();
        return BrowserResponse.of(Response.empty(303).withHeader("Location", created.launchUrl()).withHeader("Cache-Control", "no-store")
                .withHeader("Referrer-Policy", "no-referrer"));
    }

    /** What the simulator form holds between its steps. */
    public record Form(String clientId, String user, String name, String patient, String encounter, boolean banner) {
        public Form {
            user = user == null || user.isEmpty() ? null : user;
            patient = patient == null || patient.isEmpty() ? null : patient;
            encounter = encounter == null || encounter.isEmpty() ? null : encounter;
        }

        Form withoutPatient() {
            return new Form(clientId, user, name, null, null, banner);
        }
    }

    static boolean allowed(User user) {
        return user.roles() != null && user.roles().contains(ROLE);
    }

    /** The apps the simulator can launch: enabled clients with a launch URL that may use EHR launch. */
    private List<Client> apps() {
        return clients.get().stream().map(StoredClient::client)
                .filter(c -> c.isEnabled() && c.initiateLoginUri() != null && c.allowsGrant("authorization_code") && c.scopes().contains("launch"))
                .sorted(Comparator.comparing(Client::clientId)).toList();
    }

    private Response simulator(int status, String interactionId, User user, Form form, String message) {
        List<PatientDirectory.PatientEntry> found = List.of();
        List<PatientDirectory.EncounterEntry> encounters = List.of();
        PatientDirectory.PatientEntry chosen = null;
        try {
            if (form.patient() != null) {
                chosen = patients.read(null, form.patient()).orElse(null);
                if (chosen != null) encounters = patients.encounters(null, chosen.id());
            }
            found = patients.search(null, form.name());
        } catch (PatientDirectory.Unavailable e) {
            return unavailable(interactionId, user, form, e);
        }
        return render(status, interactionId, user, form, found, chosen, encounters, message);
    }

    private Response unavailable(String interactionId, User user, Form form, PatientDirectory.Unavailable e) {
        LOG.warn("launch simulator: the FHIR server gave no usable answer: {}", e.getMessage());
        return render(502, interactionId, user, form, List.of(), null, List.of(),
                "The FHIR server is not answering right now. Try again in a moment.");
    }

    private Response render(int status, String interactionId, User user, Form form, List<PatientDirectory.PatientEntry> found,
                            PatientDirectory.PatientEntry chosen, List<PatientDirectory.EncounterEntry> encounters, String message) {
        Map<String, Object> p = new HashMap<>();
        p.put("action", path);
        p.put("interaction", interactionId);
        p.put("csrf", signedIn.csrf(interactionId));
        p.put("signedInAs", user.username());
        p.put("apps", apps());
        p.put("users", users.list().stream().filter(User::enabled).map(User::username).sorted().toList());
        p.put("f", form);
        p.put("patients", found);
        p.put("chosen", chosen);
        p.put("encounters", encounters);
        p.put("message", message);
        // leaves the site: Launch answers with the redirect to the app's launch URL
        return pages.render(status, "simulator", p, true, false);
    }

    private Response forbidden() {
        return pages.error(403, "Not allowed", "The launch simulator is for users with the role " + ROLE + ".", "access_denied");
    }

    private long now() {
        return clock.instant().getEpochSecond();
    }

    @Override
    public void addRoutes(Routes routes) {
        routes.addPage("GET", path, this::show).addPage("POST", path, this::act).addPage("POST", path + "/login", this::login);
    }
}
