package dev.latch.server.account;

import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import dev.latch.server.authorize.SignedInPages;
import dev.latch.server.client.Client;
import dev.latch.server.code.AuthorizationCodeStore;
import dev.latch.server.client.StoredClient;
import dev.latch.server.consent.ConsentStore;
import dev.latch.server.discovery.ServerEndpoints;
import dev.latch.server.http.BrowserResponse;
import dev.latch.server.http.Request;
import dev.latch.server.http.Response;
import dev.latch.server.http.Routes;
import dev.latch.server.refresh.RefreshTokenStore;
import dev.latch.server.scope.ScopeCatalogue;
import dev.latch.server.ui.Pages;
import dev.latch.server.user.User;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The page of apps with access ({@code {issuer}/account/apps}, SMART's {@code management_endpoint}): a signed-in person
 * sees every app they approved (what it may do, in the consent page's words, since when, and for how long) and every app
 * that still holds a refresh token of theirs, and withdraws any of them. Withdrawing removes the approvals and revokes
 * the refresh tokens with the access tokens issued under them ({@link ConsentStore#withdraw}), so the app must ask again.
 * Anyone who is not signed in gets the page's sign-in form; forms are CSRF-protected and bound to the browser.
 */
public final class AppsPage implements Routes.Source {

    private static final String PURPOSE = "account-apps";
    private static final String PAGE_NAME = "your list of apps with access";
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMMM yyyy, HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private final ConsentStore consents;
    private final RefreshTokenStore refreshTokens;
    private final AuthorizationCodeStore codes;
    private final Function<String, Optional<StoredClient>> clients;
    private final ScopeCatalogue scopes;
    private final SignedInPages signedIn;
    private final SignedInPages.Page page;
    private final Pages pages;
    private final Clock clock;
    private final String path;

    public AppsPage(ConsentStore consents, RefreshTokenStore refreshTokens, AuthorizationCodeStore codes,
                    Function<String, Optional<StoredClient>> clients, ScopeCatalogue scopes, SignedInPages signedIn, Pages pages, Clock clock,
                    ServerEndpoints endpoints) {
        this.consents = consents;
        this.refreshTokens = refreshTokens;
        this.codes = codes;
        this.clients = clients;
        this.scopes = scopes;
        this.signedIn = signedIn;
        this.pages = pages;
        this.clock = clock;
        this.path = java.net.URI.create(endpoints.accountApps()).getRawPath();
        this.page = signedIn.page(PURPOSE, path, PAGE_NAME);
    }

    /** One approval of an app: what it may do, since when, and whether it ends at sign-out. */
    public record Approval(List<String> scopes, String grantedAt, boolean untilSignOut) {}

    /** An app with access: its approvals, and whether it can renew its access without the person (a live refresh token). */
    public record App(String clientId, String name, String logoUri, List<Approval> approvals, boolean renews) {}

    /** GET: the apps, or the sign-in form. */
    public BrowserResponse show(Request http) {
        long now = now();
        return page.show(http, now, (user, interactionId) -> render(interactionId, user, now, null));
    }

    /** POST {@code /login}: the page's sign-in form. */
    public BrowserResponse login(Request http) {
        return page.login(http, now());
    }

    /** POST: withdraw an app's access ({@code client_id}). */
    public BrowserResponse withdraw(Request http) {
        long now = now();
        SignedInPages.Posted posted = page.posted(http, now, "Your session has ended. Sign in again; nothing was withdrawn.");
        if (posted.refusal() != null) {
            return posted.refusal();
        }
        String id = posted.interactionId();
        User u = posted.user();
        String clientId = posted.form().get("client_id");
        if (clientId == null || clientId.isEmpty()) {
            return BrowserResponse.of(render(id, u, now, "Choose an app to withdraw."));
        }
        ConsentStore.Withdrawn withdrawn = consents.withdraw(u.subject(), clientId, refreshTokens, codes, now);
        if (withdrawn.nothing()) {
            return BrowserResponse.of(render(id, u, now, "That app has no access to withdraw."));
        }
        Audit.success(AuditEvent.CONSENT_REVOKE).ip(http.remoteAddress()).actor("user:" + u.subject()).client(clientId)
                .user(u.subject()).username(u.username()).count(withdrawn.consents())
                .reason(withdrawn.refreshTokenFamilies() + " refresh-token families revoked").write();
        return BrowserResponse.of(render(id, u, now, "Access withdrawn: " + displayName(clientId) + " must ask you again."));
    }

    /** Every app with access of {@code subject}, by client id. */
    List<App> apps(String subject, long now) {
        Map<String, List<Approval>> approvals = new HashMap<>();
        for (ConsentStore.Consent c : consents.all(subject)) {
            approvals.computeIfAbsent(c.clientId(), k -> new ArrayList<>()).add(new Approval(
                    scopes.describe(List.of(c.scope().split(" "))), DAY.format(Instant.ofEpochSecond(c.grantedAt())), c.sessionBound()));
        }
        List<String> renewing = refreshTokens.clientsWithLiveFamilies(subject, now);
        TreeSet<String> ids = new TreeSet<>(approvals.keySet());
        ids.addAll(renewing);
        List<App> out = new ArrayList<>();
        for (String clientId : ids) {
            Optional<Client> client = clients.apply(clientId).map(StoredClient::client);
            out.add(new App(clientId, displayName(clientId, client), client.map(Client::logoUri).orElse(null),
                    approvals.getOrDefault(clientId, List.of()), renewing.contains(clientId)));
        }
        return out;
    }

    private String displayName(String clientId) {
        return displayName(clientId, clients.apply(clientId).map(StoredClient::client));
    }

    /** The client's name, else its id (a client removed since keeps showing by id, so its access can still be withdrawn). */
    private static String displayName(String clientId, Optional<Client> client) {
        return client.map(Client::clientName).filter(n -> !n.isBlank()).orElse(clientId);
    }

    private Response render(String interactionId, User user, long now, String message) {
        Map<String, Object> p = new HashMap<>();
        p.put("action", path);
        p.put("interaction", interactionId);
        p.put("csrf", signedIn.csrf(interactionId));
        p.put("signedInAs", user.username());
        p.put("apps", apps(user.subject(), now));
        p.put("message", message);
        return pages.render(200, "apps", p, false, false);
    }

    private long now() {
        return clock.instant().getEpochSecond();
    }

    @Override
    public void addRoutes(Routes routes) {
        routes.addPage("GET", path, this::show).addPage("POST", path, this::withdraw).addPage("POST", path + "/login", this::login);
    }
}
