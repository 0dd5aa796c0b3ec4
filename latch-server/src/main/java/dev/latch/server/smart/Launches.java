package dev.latch.server.smart;

import dev.latch.core.error.OAuthError;
import dev.latch.server.authorize.EhrLaunches.EhrLaunch;
import dev.latch.server.client.Client;
import dev.latch.server.client.StoredClient;
import dev.latch.server.config.ServerConfig;
import dev.latch.server.user.User;
import dev.latch.server.user.UserStore;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;

/**
 * Creates EHR launches for the launch endpoint, the CLI and the launch simulator alike: the app must
 * be a registered, enabled client with a launch URL ({@code initiate_login_uri}) that may ask for the
 * {@code launch} scope; the FHIR base must be a configured one; a named user must exist and be enabled.
 */
public final class Launches {

    private final LaunchStore store;
    private final Function<String, Optional<StoredClient>> clients;
    private final UserStore users;
    private final ServerConfig.Smart smart;
    private final Clock clock;

    /** A launch made: its value, the URL that opens the app, and seconds until it ends. */
    public record Created(String launch, String launchUrl, String iss, long expiresIn) {}

    public Launches(LaunchStore store, Function<String, Optional<StoredClient>> clients, UserStore users, ServerConfig.Smart smart,
                    Clock clock) {
        this.store = store;
        this.clients = clients;
        this.users = users;
        this.smart = smart;
        this.clock = clock;
    }

    /** @throws OAuthError {@code invalid_request} naming the field that is wrong */
    public Created create(LaunchRequest request) {
        Client client = clients.apply(request.clientId()).map(StoredClient::client).filter(Client::isEnabled)
                .orElseThrow(() -> OAuthError.invalidRequest("client_id: no such client"));
        if (client.initiateLoginUri() == null) {
            throw OAuthError.invalidRequest("client_id: the client has no launch URL (initiate_login_uri)");
        }
        if (!client.allowsGrant("authorization_code") || !client.scopes().contains("launch")) {
            throw OAuthError.invalidRequest("client_id: the client may not use EHR launch (it needs the authorization_code grant and the launch scope)");
        }
        String iss = fhirBase(request.iss());
        String username = null;
        if (request.user() != null) {
            User user = users.findByUsername(request.user()).filter(User::enabled)
                    .orElseThrow(() -> OAuthError.invalidRequest("user: no such enabled user"));
            username = user.username();
        }
        long now = clock.instant().getEpochSecond();
        long lifetime = smart.launchLifetime().toSeconds();
        String launch = store.create(new EhrLaunch(client.clientId(), iss, username, request.context(), now + lifetime), now);
        return new Created(launch, launchUrl(client.initiateLoginUri(), iss, launch), iss, lifetime);
    }

    /** The configured FHIR base {@code iss} names; without one, the only one configured. */
    public String fhirBase(String iss) {
        if (!smart.enabled()) {
            throw OAuthError.invalidRequest("iss: no FHIR server is configured (smart.fhir-servers)");
        }
        if (iss == null) {
            if (smart.fhirServers().size() > 1) {
                throw OAuthError.invalidRequest("iss is required: several FHIR servers are configured");
            }
            return smart.fhirServers().get(0).base();
        }
        return smart.byBase(iss).map(ServerConfig.FhirServer::base)
                .orElseThrow(() -> OAuthError.invalidRequest("iss: not a configured FHIR server base"));
    }

    /** SMART App Launch 2.2 §"EHR Launch": the app's launch URL with {@code iss} and {@code launch}. */
    static String launchUrl(String launchUri, String iss, String launch) {
        return launchUri + (launchUri.contains("?") ? "&" : "?") + "iss=" + encode(iss) + "&launch=" + encode(launch);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
