package dev.latch.server.authorize;

import dev.latch.server.client.Client;
import java.util.List;
import java.util.Set;

/**
 * A checked authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1, RFC 7636 §4.3, RFC 8707):
 * every field has passed {@link AuthorizationRequestParser}'s checks.
 *
 * @param scope         granted-able scope (a subset of the client's), space-separated
 * @param prompt        values of {@code prompt}: none, login, consent (empty when absent)
 * @param maxAge        seconds, or null
 * @param codeChallenge S256 challenge, or null when the client may go without PKCE and sent none
 */
public record AuthorizationRequest(Client client, String redirectUri, String responseMode, String scope, String state,
                                   String nonce, Set<String> prompt, Long maxAge, String loginHint, List<String> uiLocales,
                                   List<String> resources, String codeChallenge) {

    public boolean openid() {
        return List.of(scope.split(" ")).contains("openid");
    }

    public boolean promptNone() {
        return prompt.contains("none");
    }
}
