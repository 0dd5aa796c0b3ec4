package dev.latch.client.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.client.LocalEndpoint;
import dev.latch.client.LocalEndpoint.Answer;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.server.TestClock;
import dev.latch.server.TestKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ID tokens signed by Nimbus with test keys, each check made to fail on its own. */
class IdTokenValidatorTest {

    static final String ISSUER = "https://op.example";
    static final String CLIENT = "web";
    final TestClock clock = new TestClock(Instant.parse("2025-03-01T10:00:00Z"));
    final JWK rs = TestKeys.generate(JWSAlgorithm.RS256, "rs");

    private JWTClaimsSet.Builder claims() {
        Instant now = clock.instant();
        return new JWTClaimsSet.Builder().issuer(ISSUER).subject("u-1").audience(CLIENT).issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(300))).claim("nonce", "n-1");
    }

    private static String sign(JWK key, JWSAlgorithm alg, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(key.getKeyID()).build(), claims);
            jwt.sign(JwsAlgorithms.signer(key, alg));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private IdTokenValidator validator(JWK... keys) {
        return IdTokenValidator.builder().issuer(ISSUER).clientId(CLIENT).clock(clock)
                .algorithms(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256, JWSAlgorithm.PS384, JWSAlgorithm.EdDSA, JWSAlgorithm.ES512))
                .jwks(new JWKSet(Arrays.stream(keys).map(JWK::toPublicJWK).toList())).build();
    }

    private void refused(Consumer<JWTClaimsSet.Builder> change, String message) {
        JWTClaimsSet.Builder b = claims();
        change.accept(b);
        assertThatThrownBy(() -> validator(rs).validate(sign(rs, JWSAlgorithm.RS256, b.build()), "n-1", null))
                .isInstanceOf(IdTokenValidationException.class).hasMessageContaining(message);
    }

    static String atHash(String accessToken, String digest) throws Exception {
        byte[] d = MessageDigest.getInstance(digest).digest(accessToken.getBytes(StandardCharsets.US_ASCII));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(d, d.length / 2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"RS256", "ES256", "PS384", "EdDSA", "ES512"})
    void validTokenWithEachAlgorithmAndAtHashThenClaims(String algName) throws Exception {
        JWSAlgorithm alg = JWSAlgorithm.parse(algName);
        JWK key = TestKeys.generate(alg, "k-" + algName);
        String digest = algName.equals("EdDSA") || algName.endsWith("512") ? "SHA-512" : algName.endsWith("384") ? "SHA-384" : "SHA-256";
        String token = sign(key, alg, claims().claim("at_hash", atHash("access-1", digest)).build());

        JWTClaimsSet c = validator(rs, key).validate(token, "n-1", "access-1");

        assertThat(c.getSubject()).isEqualTo("u-1");
        assertThatThrownBy(() -> validator(rs, key).validate(token, "n-1", "another-access-token"))
                .isInstanceOf(IdTokenValidationException.class).hasMessageContaining("at_hash");
    }

    @Test
    void unsignedOrHmacOrNotAllowedAlgorithmThenRefused() throws Exception {
        String none = new PlainJWT(claims().build()).serialize();
        assertThatThrownBy(() -> validator(rs).validate(none, null, null)).hasMessageContaining("not signed");

        SignedJWT hs = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims().build());
        hs.sign(new MACSigner("0123456789abcdef0123456789abcdef".getBytes()));
        assertThatThrownBy(() -> validator(rs).validate(hs.serialize(), null, null)).hasMessageContaining("only public-key signatures");

        JWK es384 = TestKeys.generate(JWSAlgorithm.ES384, "e");
        assertThatThrownBy(() -> validator(rs, es384).validate(sign(es384, JWSAlgorithm.ES384, claims().build()), null, null))
                .hasMessageContaining("not one of the allowed");
        assertThatThrownBy(() -> IdTokenValidator.builder().algorithms(Set.of(JWSAlgorithm.HS256)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void signedByAnotherKeyWithTheSameKidThenInvalidSignature() {
        JWK impostor = TestKeys.generate(JWSAlgorithm.RS256, "rs");
        assertThatThrownBy(() -> validator(rs).validate(sign(impostor, JWSAlgorithm.RS256, claims().build()), "n-1", null))
                .hasMessage("the ID token's signature is invalid");
        JWK unknown = TestKeys.generate(JWSAlgorithm.RS256, "other");
        assertThatThrownBy(() -> validator(rs).validate(sign(unknown, JWSAlgorithm.RS256, claims().build()), "n-1", null))
                .hasMessageContaining("no key in the issuer's JWKS fits");
    }

    @Test
    void eachClaimCheckFailsOnItsOwn() {
        refused(b -> b.issuer(ISSUER + "/"), "iss is https://op.example/, not https://op.example");
        refused(b -> b.subject(null), "no sub");
        refused(b -> b.audience("someone-else"), "does not contain the client web");
        refused(b -> b.audience(List.of(CLIENT, "api")), "several audiences but no azp");
        refused(b -> b.audience(List.of(CLIENT, "api")).claim("azp", "api"), "azp is api");
        refused(b -> b.expirationTime(null), "no exp");
        refused(b -> b.expirationTime(Date.from(clock.instant().minusSeconds(61))), "expired");
        refused(b -> b.issueTime(null), "no iat");
        refused(b -> b.issueTime(Date.from(clock.instant().plusSeconds(61))), "issued in the future");
        refused(b -> b.claim("nonce", "other"), "nonce does not match");
        refused(b -> b.claim("nonce", null), "has no nonce");
    }

    @Test
    void withinTheSkewAndWithAzpForSeveralAudiencesThenValid() throws Exception {
        String token = sign(rs, JWSAlgorithm.RS256, claims().audience(List.of(CLIENT, "api")).claim("azp", CLIENT)
                .expirationTime(Date.from(clock.instant().minusSeconds(59))).issueTime(Date.from(clock.instant().plusSeconds(59))).build());
        assertThat(validator(rs).validate(token, "n-1", null).getAudience()).containsExactly(CLIENT, "api");
        assertThat(validator(rs).validate(sign(rs, JWSAlgorithm.RS256, claims().build()), null, null).getSubject()).isEqualTo("u-1");
    }

    @Test
    void jwksFetchedFromItsUriAndRefetchedForANewKidAtMostEvery30Seconds() {
        try (LocalEndpoint op = LocalEndpoint.start()) {
            JWK rotated = TestKeys.generate(JWSAlgorithm.RS256, "rotated");
            op.on("/jwks", Answer.json(200, new JWKSet(rs.toPublicJWK()).toString()));
            IdTokenValidator v = IdTokenValidator.builder().issuer(ISSUER).clientId(CLIENT).clock(clock).jwksUri(op.url("/jwks")).build();

            v.validate(sign(rs, JWSAlgorithm.RS256, claims().build()), null, null);
            v.validate(sign(rs, JWSAlgorithm.RS256, claims().build()), null, null);
            assertThat(op.count()).isEqualTo(1);

            op.on("/jwks", Answer.json(200, new JWKSet(List.of(rs.toPublicJWK(), rotated.toPublicJWK())).toString()));
            String byRotated = sign(rotated, JWSAlgorithm.RS256, claims().build());
            assertThatThrownBy(() -> v.validate(byRotated, null, null)).hasMessageContaining("no key");
            assertThat(op.count()).isEqualTo(1); // fetched less than 30 s ago
            clock.advance(Duration.ofSeconds(30));
            assertThat(v.validate(byRotated, null, null).getSubject()).isEqualTo("u-1");
            assertThat(op.count()).isEqualTo(2);
        }
    }
}
