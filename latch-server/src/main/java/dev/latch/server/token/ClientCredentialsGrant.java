package dev.latch.server.token;

import dev.latch.server.client.Client;

/**
 * RFC 6749 §4.4: a confidential client gets a token for itself ({@code sub} = its client_id).
 * {@code openid} in the scope is granted and echoed when allowed (Keycloak-fronted FHIR servers ask
 * for it) but yields no ID token: there is no user.
 */
public final class ClientCredentialsGrant implements GrantType {

    private final AccessTokenIssuer issuer;
    private final Audiences audiences;

    public ClientCredentialsGrant(AccessTokenIssuer issuer, Audiences audiences) {
        this.issuer = issuer;
        this.audiences = audiences;
    }

    @Override
    public String type() {
        return "client_credentials";
    }

    @Override
    public TokenResponse execute(TokenRequest request) {
        Client client = request.client().client();
        String scope = TokenRequestChecks.checkScope(client, request.scope());
        var audience = TokenRequestChecks.checkAudience(client, audiences.forBackendService(scope, request.resources(), request.aud()), audiences);
        AccessTokenIssuer.Issued issued = issuer.issue(client, client.clientId(), audience, scope);
        return new TokenResponse(issued.token(), "Bearer", issued.content().expiresAt() - issued.content().issuedAt(),
                scope, null, issued.content());
    }
}
