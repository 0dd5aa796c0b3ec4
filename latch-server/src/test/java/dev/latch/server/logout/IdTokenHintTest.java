package dev.latch.server.logout;

import static dev.latch.server.OAuthResponses.assertNoStoreJson;
import static dev.latch.server.OAuthResponses.basic;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import dev.latch.server.keys.KeyRing;
import java.util.Date;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An access token typed {@code JWT} (the jwt profile) is signed by the same keys as ID tokens, and must not pass for one. */
class IdTokenHintTest {

    @Test
    void anAccessTokenUnderTheJwtProfileIsNoIdTokenHint() throws Exception {
        try (TestServer server = TestServer.start(Map.of("tokens.default-profile", "jwt"))) {
            String secret = server.register(new Client.Builder().clientId("rp").build()).clientSecret();
            String accessToken = assertNoStoreJson(server.postForm("/token", "grant_type=client_credentials",
                    "Authorization", basic("rp", secret)), 200).get("access_token").asText();
            assertThat(SignedJWT.parse(accessToken).getHeader().getType()).isEqualTo(JOSEObjectType.JWT);
            KeyRing keys = server.instance().keyRing();

            assertThat(IdTokenHint.verify(accessToken, keys, server.issuer())).isEmpty();

            // the same shape without client_id is an ID token, and is accepted
            KeyRing.ActiveKey key = keys.active(JWSAlgorithm.RS256);
            SignedJWT idToken = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT).keyID(key.key().kid()).build(),
                    new JWTClaimsSet.Builder().issuer(server.issuer()).subject("someone").audience("rp").expirationTime(new Date()).build());
            idToken.sign(key.signer());
            assertThat(IdTokenHint.verify(idToken.serialize(), keys, server.issuer())).isPresent();
        }
    }
}
