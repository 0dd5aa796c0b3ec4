package dev.latch.server.token;

import dev.latch.server.client.Client;
import dev.latch.server.client.ClientAuthentication;
import dev.latch.server.http.FormParameters;

/**
 * RFC 6749 §4.4: a confidential client gets a token for itself ({@code sub} = its client_id).
 * {@code openid} in the scope is granted and echoed when allowed (Keycloak-fronted FHIR servers ask
 * for it) but yields no ID token: there is no user.
 */
public final class ClientCredentialsGrant implements GrantType {

    private final AccessTokenIssuer issuer;
    private final String defaultAudience;

    public ClientCredentialsGrant(AccessTokenIssuer issuer, String defaultAudience) {
        this.issuer = issuer;
        this.defaultAudience = defaultAudience;
    }

    @Override
    public String type() {
        return "client_credentials";
    }

    @Override
    public TokenResponse execute(ClientAuthentication.Authenticated authenticated, FormParameters form) {
        Client client = authenticated.client();
        String scope = TokenRequestChecks.checkScope(client, form.get("scope"));
        var audience = TokenRequestChecks.checkAudience(client, form.all("resource"), defaultAudience);
        AccessTokenIssuer.Issued issued = issuer.issue(client, client.clientId(), audience, scope);
        return new TokenResponse(issued.token(), "Bearer", issued.content().expiresAt() - issued.content().issuedAt(),
                scope, null);
    }
}
