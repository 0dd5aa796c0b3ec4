package dev.latch.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latch.client.auth.ClientAuthentication;
import dev.latch.client.discovery.Discovery;
import dev.latch.client.discovery.ProviderMetadata;
import dev.latch.client.peers.OidcProviderPeer;
import dev.latch.client.token.TokenClient;
import dev.latch.client.token.TokenEndpoint;
import dev.latch.client.token.TokenRequest;
import dev.latch.resource.IssuerSettings.TokenType;
import dev.latch.resource.TokenRejectedException.Reason;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tokens of an independent issuer, npm oidc-provider: its RFC 9068 JWTs for https://api.peer.test/. */
class OidcProviderTokensTest {

    static OidcProviderPeer peer;
    static String token;

    @BeforeAll
    static void start() {
        peer = OidcProviderPeer.start();
        ProviderMetadata metadata = Discovery.create().discover(peer.issuer());
        token = TokenClient.create().request(TokenEndpoint.of(metadata),
                ClientAuthentication.clientSecretBasic(OidcProviderPeer.BASIC, peer.secret()),
                TokenRequest.clientCredentials("read").withResource(OidcProviderPeer.RESOURCE)).value();
    }

    @AfterAll
    static void stop() {
        if (peer != null) peer.close();
    }

    @Test
    void validateWhenPeerJwtForThisAudienceThenAccepted() {
        IssuerSettings settings = IssuerSettings.of(peer.issuer(), OidcProviderPeer.RESOURCE).withType(TokenType.AT_JWT);
        try (AccessTokenValidator v = AccessTokenValidator.builder(settings).build()) {
            TokenPrincipal p = v.authenticate("Bearer " + token);

            assertThat(p.issuer()).isEqualTo(peer.issuer());
            assertThat(p.clientId()).isEqualTo(OidcProviderPeer.BASIC);
            assertThat(p.scopes()).containsExactly("read");
            assertThat(p.audience()).containsExactly(OidcProviderPeer.RESOURCE);
            assertThat(v.check().reachable()).isTrue();
        }
    }

    @Test
    void validateWhenPeerJwtForAnotherAudienceThenWrongAudience() {
        IssuerSettings settings = IssuerSettings.of(peer.issuer(), "https://other.peer.test/").withType(TokenType.AT_JWT);
        try (AccessTokenValidator v = AccessTokenValidator.builder(settings).build()) {
            assertThatThrownBy(() -> v.validate(token)).isInstanceOfSatisfying(TokenRejectedException.class,
                    e -> assertThat(e.reason()).isEqualTo(Reason.WRONG_AUDIENCE));
        }
    }
}
