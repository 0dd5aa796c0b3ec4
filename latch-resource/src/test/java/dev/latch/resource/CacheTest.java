package dev.latch.resource;

import static dev.latch.resource.Tokens.AUDIENCE;
import static dev.latch.resource.Tokens.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.latch.resource.TokenRejectedException.Reason;
import dev.latch.server.TestClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The validated-token cache: a hit costs no signature; nothing is served past the token's exp; refusals are not kept. */
class CacheTest {

    static final JWK RS = Tokens.key(JWSAlgorithm.RS256, "rs-1");

    final TestClock clock = TestClock.atNow();

    AccessTokenValidator validator(long cacheSize) {
        return AccessTokenValidator.builder(IssuerSettings.of(ISSUER, AUDIENCE)).clock(clock).cacheSize(cacheSize)
                .jwks(new JWKSet(RS.toPublicJWK())).build();
    }

    @Test
    void validateWhenSameTokenTwiceThenSignatureVerifiedOnce() {
        AccessTokenValidator v = validator(100);
        String token = Tokens.sign(RS, Tokens.claims(clock.instant()));

        TokenPrincipal first = v.validate(token);
        TokenPrincipal second = v.validate(token);

        assertThat(second).isSameAs(first);
        assertThat(v.stats()).isEqualTo(new AccessTokenValidator.Stats(1, 1, 1, 0, 0));
    }

    @Test
    void validateWhenCachedTokenReachesExpThenNotServedFromTheCache() {
        AccessTokenValidator v = validator(100);
        String token = Tokens.sign(RS, Tokens.claims(clock.instant())); // exp in 300 s
        v.validate(token);

        clock.advance(Duration.ofSeconds(300));
        // past exp but within the 60 s skew: validated again in full (one more signature), and not cached
        assertThat(v.validate(token).subject()).isEqualTo("client-1");
        assertThat(v.stats().signatureVerifications()).isEqualTo(2);
        v.validate(token);
        assertThat(v.stats().signatureVerifications()).isEqualTo(3);

        clock.advance(Duration.ofSeconds(60));
        assertThatThrownBy(() -> v.validate(token)).isInstanceOfSatisfying(TokenRejectedException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.EXPIRED));
        assertThat(v.stats().cacheHits()).isZero();
    }

    @Test
    void validateWhenRefusedThenNotCached() {
        AccessTokenValidator v = validator(100);
        String wrongAudience = Tokens.sign(RS, Tokens.claims(clock.instant(), "aud", "https://other.example/"));
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> v.validate(wrongAudience)).isInstanceOf(TokenRejectedException.class);
        }
        assertThat(v.stats().signatureVerifications()).isEqualTo(2);
        assertThat(v.stats().cacheHits()).isZero();
    }

    @Test
    void validateWhenCacheSizeZeroThenEveryTokenVerified() {
        AccessTokenValidator v = validator(0);
        String token = Tokens.sign(RS, Tokens.claims(clock.instant()));
        v.validate(token);
        v.validate(token);
        assertThat(v.stats().signatureVerifications()).isEqualTo(2);
    }

    @Test
    void cacheKeyIsTheDigestSoDifferentTokensNeverShareAnEntry() {
        assertThat(ValidatedTokens.key("abc")).isEqualTo(ValidatedTokens.key("abc"));
        assertThat(ValidatedTokens.key("abc")).isNotEqualTo(ValidatedTokens.key("abd"));
        String big = "x".repeat(100_000);
        assertThat(ValidatedTokens.key(big)).isEqualTo(ValidatedTokens.key(big)).isNotEqualTo(ValidatedTokens.key(big + "y"));
        // a long ASCII token hashes the same through the buffer and through its UTF-8 bytes
        String mid = "y".repeat(5000);
        ValidatedTokens.Key viaBuffer = ValidatedTokens.key(mid);
        assertThat(ValidatedTokens.key(mid)).isEqualTo(viaBuffer);
    }
}
