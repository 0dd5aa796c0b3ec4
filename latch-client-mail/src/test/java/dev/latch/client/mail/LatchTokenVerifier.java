package dev.latch.client.mail;

import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.server.TestServer;
import java.time.Clock;
import java.util.Arrays;
import java.util.Date;

/**
 * What a resource server (Exchange, Graph) does with a bearer token, done against a real Latch server:
 * the JWT's signature checks out with a key of the server's JWKS, its issuer is the server, it has not
 * expired by {@code clock}, and it carries {@code scope}. Returns the token's {@code client_id}, or null
 * when the token is not acceptable.
 */
final class LatchTokenVerifier {

    private final TestServer server;
    private final String scope;
    private final Clock clock;

    LatchTokenVerifier(TestServer server, String scope, Clock clock) {
        this.server = server;
        this.scope = scope;
        this.clock = clock;
    }

    String clientIdIfValid(String token) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            JWKSet keys = JWKSet.parse(server.get(server.url("/jwks")).body());
            JWK key = keys.getKeyByKeyId(jwt.getHeader().getKeyID());
            if (!(key instanceof AsymmetricJWK asymmetric)) {
                return null;
            }
            JWSVerifier verifier = new DefaultJWSVerifierFactory().createJWSVerifier(jwt.getHeader(), asymmetric.toPublicKey());
            if (!jwt.verify(verifier)) {
                return null;
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            if (!server.issuer().equals(claims.getIssuer())
                    || claims.getExpirationTime() == null || !claims.getExpirationTime().after(Date.from(clock.instant()))) {
                return null;
            }
            String granted = claims.getStringClaim("scope");
            if (granted == null || !Arrays.asList(granted.split(" ")).contains(scope)) {
                return null;
            }
            return claims.getStringClaim("client_id");
        } catch (Exception e) {
            return null; // not a JWT, unknown key, bad signature: refused like any resource server would
        }
    }
}
