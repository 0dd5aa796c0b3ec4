package dev.latch.server.smart;

import java.util.ArrayList;
import java.util.List;

/**
 * The SMART App Launch 2.2 {@code capabilities} this server really has (§"Capabilities"), the one list
 * the {@code smart-configuration} document shows. A capability is listed only once it works end to end
 * here; what needs people to sign in is listed only while the authorization endpoint is served.
 */
public final class SmartCapabilities {

    private SmartCapabilities() {}

    /** @param signIn true when the authorization endpoint is served (people can sign in) */
    public static List<String> of(boolean signIn) {
        List<String> out = new ArrayList<>();
        out.addAll(launchAndContext(signIn));
        if (signIn) {
            // GET and POST /authorize (form-encoded), both through AuthorizationEndpoint
            out.add("authorize-post");
            // code flow with PKCE S256 and token_endpoint_auth_method none
            out.add("client-public");
            // ID tokens for openid, fhirUser claim for fhirUser
            out.add("sso-openid-connect");
            // refresh tokens for offline_access once the user approved it on the consent page (or with prompt=consent)
            out.add("permission-offline");
            // refresh tokens for online_access that work only while the user's sign-in session at Latch lives
            out.add("permission-online");
            // patient/ and user/ scopes granted to apps acting for a person
            out.add("permission-patient");
            out.add("permission-user");
        }
        // client_secret_basic / client_secret_post / client_secret_jwt
        out.add("client-confidential-symmetric");
        // private_key_jwt with keys inline or by jwks_uri (RS384 and ES384 among others)
        out.add("client-confidential-asymmetric");
        // v1 (.read/.write/.*) and v2 (.cruds, ?restrictions) scopes, both by SmartScope
        out.add("permission-v1");
        out.add("permission-v2");
        return List.copyOf(out);
    }

    /**
     * The launch capabilities and the context ones: EHR launches ({@code POST /smart/launch}, {@code latch
     * smart launch}, the simulator) carry patient, encounter, banner and style into the token response;
     * standalone launches choose a patient (and, with {@code launch/encounter}, a visit) in the picker.
     */
    static List<String> launchAndContext(boolean signIn) {
        if (!signIn) return List.of();
        return List.of("launch-ehr", "launch-standalone", "context-banner", "context-style", "context-ehr-patient",
                "context-ehr-encounter", "context-standalone-patient", "context-standalone-encounter");
    }
}
