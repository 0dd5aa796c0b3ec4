package dev.latch.cli.token;

import dev.latch.client.discovery.ProviderMetadata;
import dev.latch.client.token.AccessToken;
import java.time.Clock;

/** The ID token of a code flow (OIDC Core §3.1.3.3, §3.1.3.7), checked by the client library. */
final class IdTokens {

    private IdTokens() {}

    static void validate(ProviderMetadata metadata, String clientId, AccessToken token, String nonce, Clock clock) {
        if (token.idToken() == null) {
            throw new IllegalStateException("the token response has no id_token although the scope asked for openid (OIDC Core §3.1.3.3)");
        }
        // TODO(latch-client phase 2): dev.latch.client.oidc.IdTokenValidator (signature, iss, aud, exp, nonce)
    }
}
