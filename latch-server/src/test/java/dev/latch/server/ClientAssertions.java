package dev.latch.server;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.core.jose.KeyGeneration;
import dev.latch.server.client.Client;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

/** RFC 7523 client assertions for tests, built with Nimbus JOSE so the jti is under the test's control. */
public final class ClientAssertions {

    private ClientAssertions() {}

    /** A new ES256 key pair with a kid (the private JWK; publish {@code toPublicJWK()}). */
    public static JWK newKey() {
        return KeyGeneration.generate(JWSAlgorithm.ES256);
    }

    /** A {@code private_key_jwt} client whose registered JWKS holds the public part of {@code key}. */
    public static Client privateKeyJwtClient(String clientId, JWK key, String scope) {
        return new Client.Builder().clientId(clientId).tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                .jwks(Map.of("keys", List.of(key.toPublicJWK().toJSONObject()))).scope(scope).build();
    }

    /** A signed assertion: {@code iss} = {@code sub} = client, {@code aud}, {@code jti}, expiring in a minute. */
    public static String sign(JWK key, String clientId, String audience, String jti) {
        JWSAlgorithm alg = JWSAlgorithm.parse(key.getAlgorithm().getName());
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(clientId).subject(clientId).audience(audience).jwtID(jti)
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(60))).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(key.getKeyID()).build(), claims);
        try {
            jwt.sign(JwsAlgorithms.signer(key, alg));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    /** The form body of a client-credentials token request authenticated by {@code assertion}. */
    public static String tokenRequest(String assertion) {
        return "grant_type=client_credentials&client_assertion_type="
                + URLEncoder.encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", StandardCharsets.UTF_8)
                + "&client_assertion=" + assertion;
    }
}
