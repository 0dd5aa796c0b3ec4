package dev.latch.server.code;

import dev.latch.core.smart.LaunchContext;
import java.util.List;

/**
 * What a user approved and an authorization code stands for: everything the token endpoint needs to
 * check the redemption (RFC 6749 §4.1.3, RFC 7636 §4.6) and to issue tokens and the ID token
 * (OIDC Core §3.1.3.6: {@code auth_time}, {@code nonce}, {@code sid}, {@code amr}).
 *
 * @param redirectUri   the redirect URI of the authorization request, which the token request must repeat
 * @param codeChallenge S256 challenge, or null when the (confidential) client was allowed to go without PKCE
 * @param offlineAccess true when a refresh token may be issued
 * @param launch        the SMART launch context (EHR launch or patient picker); null when none
 */
public record ApprovedAuthorization(String clientId, String subject, String redirectUri, String scope, String nonce,
                                 String codeChallenge, long authTime, String sessionId, List<String> amr,
                                 List<String> resources, boolean offlineAccess, LaunchContext launch) {

    public ApprovedAuthorization(String clientId, String subject, String redirectUri, String scope, String nonce, String codeChallenge,
                                 long authTime, String sessionId, List<String> amr, List<String> resources, boolean offlineAccess) {
        this(clientId, subject, redirectUri, scope, nonce, codeChallenge, authTime, sessionId, amr, resources, offlineAccess, null);
    }

    /** The launch context, {@link LaunchContext#NONE} when there is none. */
    public LaunchContext launchContext() {
        return launch == null ? LaunchContext.NONE : launch;
    }
}
