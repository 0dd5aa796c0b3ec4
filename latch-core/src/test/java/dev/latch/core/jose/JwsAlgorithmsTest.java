package dev.latch.core.jose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.jwk.JWK;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class JwsAlgorithmsTest {

    static java.util.List<JWSAlgorithm> asymmetric() {
        return JwsAlgorithms.ASYMMETRIC;
    }

    @ParameterizedTest
    @MethodSource("asymmetric")
    void everyAlgorithmSignsAndVerifiesWithAGeneratedKey(JWSAlgorithm alg) throws Exception {
        JWK key = KeyGeneration.generate(alg);
        assertThat(key.getKeyID()).isEqualTo(key.computeThumbprint().toString());
        assertThat(key.getAlgorithm()).isEqualTo(alg);
        JWSObject jws = new JWSObject(new JWSHeader(alg), new Payload("{\"a\":1}"));
        jws.sign(JwsAlgorithms.signer(key, alg));
        assertThat(JWSObject.parse(jws.serialize()).verify(JwsAlgorithms.verifier(key.toPublicJWK(), alg))).isTrue();
    }

    @Test
    void verifierRefusesAKeyOfTheWrongTypeOrCurve() {
        JWK p256 = KeyGeneration.generate(JWSAlgorithm.ES256).toPublicJWK();
        assertThatThrownBy(() -> JwsAlgorithms.verifier(p256, JWSAlgorithm.ES512)).isInstanceOf(JOSEException.class);
        assertThatThrownBy(() -> JwsAlgorithms.verifier(p256, JWSAlgorithm.RS256)).isInstanceOf(JOSEException.class);
    }

    @Test
    void hmacAndNoneCannotBeVerifiedWithAPublicKey() {
        JWK rsa = KeyGeneration.generate(JWSAlgorithm.RS256).toPublicJWK();
        assertThat(JwsAlgorithms.fits(rsa, JWSAlgorithm.HS256)).isFalse();
        assertThatThrownBy(() -> JwsAlgorithms.verifier(rsa, JWSAlgorithm.HS256)).isInstanceOf(JOSEException.class);
        assertThat(JwsAlgorithms.isSupported(JWSAlgorithm.parse("none"))).isFalse();
    }

    @Test
    void ed25519IsAcceptedUnderBothNames() {
        JWK key = KeyGeneration.generate(JWSAlgorithm.Ed25519).toPublicJWK();
        assertThat(JwsAlgorithms.fits(key, JWSAlgorithm.Ed25519)).isTrue();
        assertThat(JwsAlgorithms.fits(key, JWSAlgorithm.EdDSA)).isTrue();
        assertThat(JwsAlgorithms.asymmetricNames()).contains("Ed25519", "EdDSA");
    }

    @Test
    void unknownAlgorithmNameIsRefusedWithTheSupportedList() {
        assertThatThrownBy(() -> JwsAlgorithms.asymmetric("rs256")).hasMessageContaining("unsupported signing algorithm: rs256")
                .hasMessageContaining("RS256");
    }
}
