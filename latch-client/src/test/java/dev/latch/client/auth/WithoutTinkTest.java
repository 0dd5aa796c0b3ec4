package dev.latch.client.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.server.TestKeys;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;

/**
 * Tink is an optional dependency (Nimbus needs it for Ed25519 only). Without it on the classpath, an
 * Ed25519 assertion is refused with an exception that names the missing dependency, not a
 * {@code NoClassDefFoundError}; other algorithms work.
 */
class WithoutTinkTest {

    @Test
    void ed25519WithoutTinkThenIllegalArgumentNamingTinkAndOtherAlgorithmsStillSign() throws Exception {
        String ed25519 = TestKeys.generate(JWSAlgorithm.Ed25519, "ed").toJSONString();
        String es256 = TestKeys.generate(JWSAlgorithm.ES256, "ec").toJSONString();
        // the library, latch-core, Nimbus and BouncyCastle, without Tink (nor anything else of the test classpath)
        URL[] jars = {location(ClientAssertion.class), location(JwsAlgorithms.class), location(JWK.class),
                location(org.bouncycastle.jce.provider.BouncyCastleProvider.class)};
        try (URLClassLoader withoutTink = new URLClassLoader(jars, ClassLoader.getPlatformClassLoader())) {
            assertThat(classExists(withoutTink, "com.google.crypto.tink.subtle.Ed25519Sign")).isFalse();

            Throwable refused = buildIn(withoutTink, ed25519, "Ed25519");
            assertThat(refused).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("signing Ed25519 needs com.google.crypto.tink:tink on the classpath (an optional dependency of latch-client)");
            assertThat(buildIn(withoutTink, es256, "ES256")).isNull();
        }
    }

    /** Builds an assertion inside {@code loader}; returns what build() threw, or null. */
    private static Throwable buildIn(ClassLoader loader, String jwkJson, String alg) throws Exception {
        Class<?> jwkClass = loader.loadClass("com.nimbusds.jose.jwk.JWK");
        Class<?> algClass = loader.loadClass("com.nimbusds.jose.JWSAlgorithm");
        Object key = jwkClass.getMethod("parse", String.class).invoke(null, jwkJson);
        Object algorithm = algClass.getMethod("parse", String.class).invoke(null, alg);
        Class<?> assertion = loader.loadClass("dev.latch.client.auth.ClientAssertion");
        Object builder = assertion.getMethod("builder", String.class).invoke(null, "client");
        builder = builder.getClass().getMethod("key", jwkClass, algClass).invoke(builder, key, algorithm);
        try {
            builder.getClass().getMethod("build").invoke(builder);
            return null;
        } catch (InvocationTargetException e) {
            return e.getCause();
        }
    }

    private static boolean classExists(ClassLoader loader, String name) {
        try {
            loader.loadClass(name);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static URL location(Class<?> type) {
        return type.getProtectionDomain().getCodeSource().getLocation();
    }
}
