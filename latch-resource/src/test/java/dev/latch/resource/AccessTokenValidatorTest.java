package dev.latch.resource;

import static dev.latch.resource.Tokens.AT_JWT;
import static dev.latch.resource.Tokens.AUDIENCE;
import static dev.latch.resource.Tokens.ISSUER;
import static dev.latch.resource.Tokens.claims;
import static dev.latch.resource.Tokens.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.resource.IssuerSettings.TokenType;
import dev.latch.resource.TokenRejectedException.Reason;
import dev.latch.server.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every refusal of RFC 9068 §4 / RFC 8725 / RFC 6750 with crafted tokens against a fixed key set, each with
 * its reason, status and RFC 6750 error; and the claims of an accepted token.
 */
class AccessTokenValidatorTest {

    static final JWK RS = Tokens.key(JWSAlgorithm.RS256, "rs-1");
    static final JWK ES = Tokens.key(JWSAlgorithm.ES256, "es-1");
    static final JWK ED = Tokens.key(JWSAlgorithm.Ed25519, "ed-1");

    final TestClock clock = TestClock.atNow();
    final Instant now = clock.instant();

    AccessTokenValidator validator(IssuerSettings settings) {
        return AccessTokenValidator.builder(settings).clock(clock)
                .jwks(new JWKSet(List.of(RS.toPublicJWK(), ES.toPublicJWK(), ED.toPublicJWK()))).build();
    }

    AccessTokenValidator validator() {
        return validator(IssuerSettings.of(ISSUER, AUDIENCE).withType(TokenType.AT_JWT));
    }

    static AbstractThrowableAssert<?, ?> refused(AccessTokenValidator v, String token, Reason reason) {
        return assertThatThrownBy(() -> v.validate(token)).isInstanceOfSatisfying(TokenRejectedException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.status()).isEqualTo(reason.status());
            assertThat(e.json()).contains("\"error\":\"" + (reason.error() == null ? "invalid_token" : reason.error()) + "\"");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"RS256", "ES256", "Ed25519"})
    void validateWhenSignedByIssuerKeyThenPrincipal(String algName) {
        JWK key = switch (algName) { case "RS256" -> RS; case "ES256" -> ES; default -> ED; };
        TokenPrincipal p = validator().validate(sign(key, claims(now)));

        assertThat(p.issuer()).isEqualTo(ISSUER);
        assertThat(p.subject()).isEqualTo("client-1");
        assertThat(p.clientId()).isEqualTo("client-1");
        assertThat(p.scopes()).containsExactlyInAnyOrder("read", "write");
        assertThat(p.audience()).containsExactly(AUDIENCE);
        assertThat(p.expiresAt()).isEqualTo(Instant.ofEpochSecond(now.getEpochSecond() + 300));
        assertThat(p.tokenId()).isNotNull();
        assertThat(p.claims()).containsEntry("client_id", "client-1");
    }

    @Test
    void authenticateWhenHeaderMissingThenMissingWithoutErrorAttribute() {
        AccessTokenValidator v = validator();
        for (String header : new String[] {null, "", "   "}) {
            assertThatThrownBy(() -> v.authenticate(header)).isInstanceOfSatisfying(TokenRejectedException.class, e -> {
                assertThat(e.reason()).isEqualTo(Reason.MISSING);
                assertThat(e.status()).isEqualTo(401);
                assertThat(e.wwwAuthenticate(null)).isEqualTo("Bearer");
                assertThat(e.wwwAuthenticate("https://api.example.test/.well-known/oauth-protected-resource"))
                        .isEqualTo("Bearer resource_metadata=\"https://api.example.test/.well-known/oauth-protected-resource\"");
                assertThat(e.json()).isEqualTo("{\"error\":\"invalid_token\",\"error_description\":\"a bearer token is required\"}");
            });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Bearer a b", "Bearer t\u00f6ken", "Bearer a=b", "Bearertoken", "Token abc"})
    void authenticateWhenHeaderMalformedThenMalformed(String header) {
        assertThatThrownBy(() -> validator().authenticate(header)).isInstanceOfSatisfying(TokenRejectedException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
            assertThat(e.wwwAuthenticate(null)).startsWith("Bearer error=\"invalid_request\"");
        });
    }

    @Test
    void authenticateWhenSchemeInAnyCaseAndExtraSpacesThenValidated() {
        String token = sign(RS, claims(now));
        assertThat(validator().authenticate("bEaReR   " + token).subject()).isEqualTo("client-1");
        assertThat(AccessTokenValidator.bearerToken("BEARER " + token + "  ")).isEqualTo(token);
        assertThat(AccessTokenValidator.bearerToken("Bearer abc==")).isEqualTo("abc==");
        assertThat(AccessTokenValidator.bearerToken("Basic abc")).isNull();
        assertThat(AccessTokenValidator.bearerToken(null)).isNull();
    }

    @Test
    void validateWhenOpaqueWithoutIntrospectionThenMalformed() {
        refused(validator(), "2YotnFZFEjr1zCsicMWpAA", Reason.MALFORMED).hasMessageStartingWith("opaque tokens are not accepted for this issuer");
    }

    @Test
    void validateWhenNotAJwtThenMalformed() {
        AccessTokenValidator v = validator();
        refused(v, "abc.def.ghi", Reason.MALFORMED).hasMessageStartingWith("the token is not a well-formed JWT");
        refused(v, "a.b.c.d.e", Reason.MALFORMED).hasMessageStartingWith("encrypted tokens are not accepted");
    }

    @Test
    void validateWhenHeaderIsJsonNullThenMalformed() {
        // "bnVsbA" is base64url of null: Nimbus threw NullPointerException for it (found by fuzzing the server's JWT parsing)
        refused(validator(), "bnVsbA.e30.c2ln", Reason.MALFORMED).hasMessageStartingWith("the token is not a well-formed JWT");
    }

    @Test
    void validateWhenExpiredBeyondSkewThenExpired() {
        AccessTokenValidator v = validator();
        assertThat(v.validate(sign(RS, claims(now, "exp", now.getEpochSecond() - 59))).subject()).as("within the 60 s skew").isEqualTo("client-1");
        refused(v, sign(RS, claims(now, "exp", now.getEpochSecond() - 60)), Reason.EXPIRED)
                .satisfies(e -> assertThat(((TokenRejectedException) e).description()).isEqualTo("the token expired"));
    }

    @Test
    void validateWhenNoExpThenExpired() {
        refused(validator(), sign(RS, claims(now, "exp", null)), Reason.EXPIRED);
    }

    @Test
    void validateWhenNbfOrIatInTheFutureThenNotYetValid() {
        AccessTokenValidator v = validator();
        refused(v, sign(RS, claims(now, "nbf", now.getEpochSecond() + 61)), Reason.NOT_YET_VALID);
        refused(v, sign(RS, claims(now, "iat", now.getEpochSecond() + 61)), Reason.NOT_YET_VALID);
        assertThat(v.validate(sign(RS, claims(now, "nbf", now.getEpochSecond() + 60))).subject()).isEqualTo("client-1");
    }

    @Test
    void validateWhenIssuerWrongThenWrongIssuer() {
        AccessTokenValidator v = validator();
        refused(v, sign(RS, claims(now, "iss", "https://issuer.example.test/")), Reason.WRONG_ISSUER)
                .as("exact match: a trailing slash is another issuer");
        refused(v, sign(RS, claims(now, "iss", null)), Reason.WRONG_ISSUER);
    }

    @Test
    void validateWhenAudienceWrongThenWrongAudience() {
        AccessTokenValidator v = validator();
        refused(v, sign(RS, claims(now, "aud", "https://other.example.test/")), Reason.WRONG_AUDIENCE);
        refused(v, sign(RS, claims(now, "aud", List.of("a", "b"))), Reason.WRONG_AUDIENCE);
        refused(v, sign(RS, claims(now, "aud", null)), Reason.WRONG_AUDIENCE);
        assertThat(v.validate(sign(RS, claims(now, "aud", List.of("other", AUDIENCE)))).audience()).containsExactly("other", AUDIENCE);
    }

    @Test
    void validateWhenKidUnknownThenUnknownKey() {
        JWK stranger = Tokens.key(JWSAlgorithm.RS256, "not-published");
        refused(validator(), sign(stranger, claims(now)), Reason.UNKNOWN_KEY);
    }

    @Test
    void validateWhenKeyTypeDoesNotFitAlgorithmThenUnknownKey() {
        // the EC key's kid on an RS256 token: the key cannot verify RS256, so no key fits
        String token = sign(new JWSHeader.Builder(JWSAlgorithm.RS256).type(AT_JWT).keyID("es-1").build(), signer(RS, JWSAlgorithm.RS256), claims(now));
        refused(validator(), token, Reason.UNKNOWN_KEY);
    }

    @Test
    void validateWhenAlgNoneThenDisallowedAlgorithm() {
        refused(validator(), Tokens.unsigned(claims(now)), Reason.DISALLOWED_ALGORITHM);
        refused(validator(), Tokens.unsigned(claims(now)) + "c2ln", Reason.DISALLOWED_ALGORITHM);
    }

    @Test
    void validateWhenHs256SignedWithThePublicKeyThenDisallowedAlgorithm() throws Exception {
        byte[] publicKey = ((RSAKey) RS).toRSAPublicKey().getEncoded();
        String token = sign(new JWSHeader.Builder(JWSAlgorithm.HS256).type(AT_JWT).keyID("rs-1").build(), new MACSigner(publicKey), claims(now));
        refused(validator(), token, Reason.DISALLOWED_ALGORITHM).hasMessageContaining("HMAC");
    }

    @Test
    void validateWhenRs256NotOnTheAllowListThenDisallowedAlgorithm() {
        AccessTokenValidator v = validator(IssuerSettings.of(ISSUER, AUDIENCE).withAlgorithms(Set.of("ES256")));
        refused(v, sign(RS, claims(now)), Reason.DISALLOWED_ALGORITHM);
        assertThat(v.validate(sign(ES, claims(now))).subject()).isEqualTo("client-1");
    }

    @Test
    void buildWhenSettingsAllowHmacThenRefused() {
        assertThatThrownBy(() -> validator(IssuerSettings.of(ISSUER, AUDIENCE).withAlgorithms(Set.of("RS256", "HS256"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not HS256");
        assertThatThrownBy(() -> validator(IssuerSettings.of(ISSUER, AUDIENCE).withAlgorithms(Set.of("none"))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void validateWhenTypJwtAndAtJwtRequiredThenWrongType() {
        AccessTokenValidator v = validator();
        refused(v, sign(RS, JWSAlgorithm.RS256, JOSEObjectType.JWT, claims(now)), Reason.WRONG_TYPE);
        refused(v, sign(RS, JWSAlgorithm.RS256, null, claims(now)), Reason.WRONG_TYPE);
        assertThat(v.validate(sign(RS, JWSAlgorithm.RS256, new JOSEObjectType("application/AT+JWT"), claims(now))).subject())
                .isEqualTo("client-1");
    }

    @Test
    void validateWhenTypeJwtRequiredThenJwtOrAbsentAccepted() {
        AccessTokenValidator v = validator(IssuerSettings.of(ISSUER, AUDIENCE).withType(TokenType.JWT));
        assertThat(v.validate(sign(RS, JWSAlgorithm.RS256, JOSEObjectType.JWT, claims(now))).subject()).isEqualTo("client-1");
        assertThat(v.validate(sign(RS, JWSAlgorithm.RS256, null, claims(now))).subject()).isEqualTo("client-1");
        refused(v, sign(RS, claims(now)), Reason.WRONG_TYPE);
    }

    @Test
    void validateWhenTypeAnyThenEveryTypAccepted() {
        AccessTokenValidator v = validator(IssuerSettings.of(ISSUER, AUDIENCE));
        for (JOSEObjectType typ : new JOSEObjectType[] {null, JOSEObjectType.JWT, AT_JWT, new JOSEObjectType("id_token+jwt")}) {
            assertThat(v.validate(sign(RS, JWSAlgorithm.RS256, typ, claims(now))).subject()).isEqualTo("client-1");
        }
    }

    @Test
    void validateWhenPayloadTamperedThenBadSignature() {
        String token = sign(RS, claims(now));
        refused(validator(), Tokens.withPayload(token, claims(now, "scope", "admin")), Reason.BAD_SIGNATURE);
    }

    @Test
    void validateWhenSignedByAnotherKeyWithThePublishedKidThenBadSignature() {
        JWK impostor = Tokens.key(JWSAlgorithm.RS256, "rs-1");
        refused(validator(), sign(impostor, claims(now)), Reason.BAD_SIGNATURE);
    }

    @Test
    void validateWhenHeaderCarriesItsOwnKeyThenItIsNotTrusted() throws Exception {
        JWK attacker = Tokens.key(JWSAlgorithm.RS256, "rs-1");
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256).type(AT_JWT).keyID("rs-1").jwk(attacker.toPublicJWK())
                .jwkURL(java.net.URI.create("https://attacker.example/jwks")).build();
        refused(validator(), sign(header, signer(attacker, JWSAlgorithm.RS256), claims(now)), Reason.BAD_SIGNATURE);
    }

    @Test
    void refusalJsonIsEscaped() {
        TokenRejectedException e = new TokenRejectedException(Reason.WRONG_AUDIENCE, "quote \" and \\ and\nnewline");
        assertThat(e.json()).isEqualTo("{\"error\":\"invalid_token\",\"error_description\":\"quote \\\" and \\\\ and\\nnewline\"}");
        assertThat(e.wwwAuthenticate(null)).isEqualTo("Bearer error=\"invalid_token\", error_description=\"quote ? and ? and?newline\"");
    }

    @Test
    void issuerUnavailableJsonIsTemporarilyUnavailable() {
        TokenRejectedException e = new TokenRejectedException(Reason.ISSUER_UNAVAILABLE, "down");
        assertThat(e.status()).isEqualTo(503);
        assertThat(e.json()).isEqualTo("{\"error\":\"temporarily_unavailable\",\"error_description\":\"down\"}");
    }

    @Test
    void validateWhenClockSkewConfiguredThenItIsUsed() {
        AccessTokenValidator v = validator(IssuerSettings.of(ISSUER, AUDIENCE).withClockSkew(Duration.ZERO));
        refused(v, sign(RS, claims(now, "exp", now.getEpochSecond())), Reason.EXPIRED);
        refused(v, sign(RS, claims(now, "nbf", now.getEpochSecond() + 1)), Reason.NOT_YET_VALID);
    }

    @Test
    void validateWhenClaimsHoldNullsThenPrincipalWithoutThem() {
        Map<String, Object> c = claims(now);
        c.put("email", null);
        TokenPrincipal p = validator().validate(sign(RS, c));
        assertThat(p.email()).isNull();
        assertThat(p.claims()).doesNotContainKey("email");
    }

    private static com.nimbusds.jose.JWSSigner signer(JWK key, JWSAlgorithm alg) {
        try {
            return JwsAlgorithms.signer(key, alg);
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
