package dev.latch.bench.client;

import com.nimbusds.jose.jwk.JWK;
import dev.latch.client.keys.KeyLoader;
import dev.latch.core.jose.KeyGeneration;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Keys for the benchmarks, made with the same code users' keys are made with. */
final class BenchKeys {

    private BenchKeys() {}

    /** {@code key} with a one-day self-signed certificate attached (x5c, x5t#S256), as Entra ID wants it. */
    static JWK withSelfSignedCertificate(JWK key) {
        Instant now = Instant.now();
        return KeyLoader.withCertificates(key,
                List.of(KeyGeneration.selfSignedCertificate(key, "CN=latch-bench", now, now.plus(Duration.ofDays(1)))));
    }
}
