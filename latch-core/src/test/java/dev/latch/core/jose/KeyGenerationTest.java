package dev.latch.core.jose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class KeyGenerationTest {

    @ParameterizedTest
    @ValueSource(ints = {2048, 3072})
    void rsaKeyHasTheRequestedSizeAThumbprintKidAndNoAlg(int bits) throws Exception {
        JWK key = KeyGeneration.rsa(bits);
        assertThat(((RSAKey) key).size()).isEqualTo(bits);
        assertThat(key.isPrivate()).isTrue();
        assertThat(key.getKeyID()).isEqualTo(key.computeThumbprint().toString());
        assertThat(key.getAlgorithm()).isNull();
        assertThat(JwsAlgorithms.fitting(key)).containsExactly(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
                JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512);
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 1024, 2047, 8192})
    void rsaKeyOfAnUnsupportedSizeIsRefusedNamingTheSupportedSizes(int bits) {
        assertThatThrownBy(() -> KeyGeneration.rsa(bits)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unsupported RSA key size " + bits + " (supported: 2048, 3072, 4096)");
    }

    @Test
    void ecKeyOnEachCurveFitsExactlyItsAlgorithm() {
        assertThat(JwsAlgorithms.fitting(KeyGeneration.ec(Curve.P_256))).containsExactly(JWSAlgorithm.ES256);
        assertThat(JwsAlgorithms.fitting(KeyGeneration.ec(Curve.P_384))).containsExactly(JWSAlgorithm.ES384);
        assertThat(JwsAlgorithms.fitting(KeyGeneration.ec(Curve.P_521))).containsExactly(JWSAlgorithm.ES512);
    }

    @Test
    void ed25519KeyFitsEd25519AndEdDsa() {
        JWK key = KeyGeneration.ed25519();
        assertThat(((OctetKeyPair) key).getCurve()).isEqualTo(Curve.Ed25519);
        assertThat(JwsAlgorithms.fitting(key)).containsExactly(JWSAlgorithm.Ed25519, JWSAlgorithm.EdDSA);
    }

    @Test
    void curveNamesAreReadInJoseAndOpenSslSpellings() {
        assertThat(KeyGeneration.ecCurve("P-256")).isEqualTo(Curve.P_256);
        assertThat(KeyGeneration.ecCurve("prime256v1")).isEqualTo(Curve.P_256);
        assertThat(KeyGeneration.ecCurve("secp384r1")).isEqualTo(Curve.P_384);
        assertThat(KeyGeneration.ecCurve("p-521")).isEqualTo(Curve.P_521);
    }

    @ParameterizedTest
    @ValueSource(strings = {"secp256k1", "P-192", "Ed25519", ""})
    void unsupportedCurveIsRefusedNamingTheSupportedCurves(String curve) {
        assertThatThrownBy(() -> KeyGeneration.ecCurve(curve)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unsupported curve " + curve + " (supported: P-256, P-384, P-521)");
        assertThatThrownBy(() -> KeyGeneration.ec(Curve.SECP256K1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unsupported curve secp256k1 (supported: P-256, P-384, P-521)");
    }

    @Test
    void withAlgorithmSetsAFittingAlgAndRefusesOneThatDoesNotFit() {
        JWK p256 = KeyGeneration.ec(Curve.P_256);
        assertThat(KeyGeneration.withAlgorithm(p256, JWSAlgorithm.ES256).getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThatThrownBy(() -> KeyGeneration.withAlgorithm(p256, JWSAlgorithm.ES512))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("alg ES512 does not fit a EC P-256 key");
        assertThatThrownBy(() -> KeyGeneration.withAlgorithm(p256, JWSAlgorithm.RS256))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("alg RS256 does not fit a EC P-256 key");
    }

    static Stream<Arguments> keysAndCertificateAlgorithms() {
        return Stream.of(
                Arguments.of(KeyGeneration.rsa(2048), "SHA256withRSA"),
                Arguments.of(KeyGeneration.ec(Curve.P_256), "SHA256withECDSA"),
                Arguments.of(KeyGeneration.ec(Curve.P_384), "SHA384withECDSA"),
                Arguments.of(KeyGeneration.ec(Curve.P_521), "SHA512withECDSA"),
                Arguments.of(KeyGeneration.ed25519(), "Ed25519"));
    }

    @ParameterizedTest
    @MethodSource("keysAndCertificateAlgorithms")
    void selfSignedCertificateIsSignedByItsKeyWithTheFittingAlgorithm(JWK key, String sigAlg) throws Exception {
        Instant from = Instant.parse("2030-01-02T03:04:05Z");
        Instant to = from.plus(30, ChronoUnit.DAYS);
        X509Certificate cert = KeyGeneration.selfSignedCertificate(key, "CN=my-client,O=Example", from, to);
        cert.verify(KeyFiles.publicKey(key));
        assertThat(cert.getSigAlgName().replace("EdDSA", "Ed25519")).isEqualToIgnoringCase(sigAlg);
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=my-client,O=Example");
        assertThat(cert.getIssuerX500Principal()).isEqualTo(cert.getSubjectX500Principal());
        assertThat(cert.getNotBefore().toInstant()).isEqualTo(from);
        assertThat(cert.getNotAfter().toInstant()).isEqualTo(to);
        assertThat(cert.getBasicConstraints()).as("not a CA").isEqualTo(-1);
        assertThat(cert.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(cert.getSerialNumber().signum()).isPositive();
        // the certificate's public key is the JWK's public key
        assertThat(KeyFiles.toPublicJwk(cert.getPublicKey(), List.of()).computeThumbprint()).isEqualTo(key.computeThumbprint());
    }

    @Test
    void certificateWithAnUnreadableSubjectOrEmptyValidityIsRefused() {
        JWK key = KeyGeneration.ec(Curve.P_256);
        Instant now = Instant.parse("2030-01-01T00:00:00Z");
        assertThatThrownBy(() -> KeyGeneration.selfSignedCertificate(key, "my-client", now, now.plusSeconds(60)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid certificate subject 'my-client': give a distinguished name such as CN=my-client");
        assertThatThrownBy(() -> KeyGeneration.selfSignedCertificate(key, "CN=x", now, now))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("the certificate's validity must end after it starts");
        assertThatThrownBy(() -> KeyGeneration.selfSignedCertificate(key.toPublicJWK(), "CN=x", now, now.plusSeconds(60)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("public only");
        assertThat(key).isInstanceOf(ECKey.class);
    }
}
