package dev.latch.core.pkce;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PkceTest {

    @Test
    void s256OfTheRfc7636AppendixBVerifierThenItsChallenge() {
        assertThat(Pkce.s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).isEqualTo("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    @Test
    void createdPairThenVerifierOf43CharactersMatchesItsChallengeOnly() {
        Pkce pkce = Pkce.create();
        assertThat(pkce.verifier()).hasSize(43).matches("[A-Za-z0-9_-]+");
        assertThat(Pkce.matches(pkce.verifier(), pkce.challenge())).isTrue();
        assertThat(Pkce.matches(pkce.verifier(), Pkce.create().challenge())).isFalse();
        assertThat(Pkce.create().verifier()).isNotEqualTo(pkce.verifier());
    }
}
