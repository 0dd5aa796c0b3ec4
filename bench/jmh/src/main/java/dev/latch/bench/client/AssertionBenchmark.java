package dev.latch.bench.client;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.Base64URL;
import dev.latch.client.auth.ClientAssertion;
import dev.latch.client.auth.ProviderPresets;
import dev.latch.client.keys.GoogleServiceAccountKey;
import dev.latch.core.crypto.CryptoProviders;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.core.jose.KeyGeneration;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one client assertion per algorithm and provider preset, next to the raw signature of
 * the same key over an assertion-sized input: {@code assertion} ÷ {@code rawSignature} says how much
 * building the claims, the fresh {@code jti} and the serialisation add to the signature itself.
 * One thread (an assertion is made per token request, not in a hot loop).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@Threads(1)
public class AssertionBenchmark {

    /** An algorithm alone ({@code private_key_jwt} / {@code client_secret_jwt}), or a provider preset. */
    @Param({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "Ed25519", "HS256",
            "epic-RS384", "epic-ES384", "entra-PS256", "google-RS256"})
    public String kind;

    /** {@code jdk} = the JDK's providers (what a library user has by default), {@code native} = ACCP when it loads. */
    @Param({"jdk"})
    public String crypto;

    private static final URI ISSUER = URI.create("https://as.example.com");
    private static final URI TOKEN_URL = URI.create("https://as.example.com/oauth2/token");

    private ClientAssertion assertion;
    private JWSSigner rawSigner;
    private JWSHeader rawHeader;
    private byte[] rawInput;

    @Setup
    public void setUp() throws Exception {
        CryptoProviders.select(CryptoProviders.Mode.parse(crypto));
        String algName = kind.contains("-") ? kind.substring(kind.indexOf('-') + 1) : kind;
        JWSAlgorithm alg = JWSAlgorithm.parse(algName);
        String secret = "a-client-secret-of-at-least-256-bits-0123456789abcdef";
        JWK key = JwsAlgorithms.isHmac(alg) ? null : KeyGeneration.generate(alg);
        if (kind.startsWith("epic-")) {
            assertion = ProviderPresets.epicBackendServices("epic-client", key, alg).build();
        } else if (kind.startsWith("entra-")) {
            assertion = ProviderPresets.entraIdCertificate("entra-client", BenchKeys.withSelfSignedCertificate(key)).build();
        } else if (kind.startsWith("google-")) {
            GoogleServiceAccountKey account = new GoogleServiceAccountKey("svc@project.iam.gserviceaccount.com", key,
                    key.getKeyID(), URI.create("https://oauth2.googleapis.com/token"));
            assertion = ProviderPresets.googleServiceAccount(account, List.of("https://mail.google.com/"), "user@example.com").build();
        } else if (JwsAlgorithms.isHmac(alg)) {
            assertion = ClientAssertion.builder("client").secret(secret, alg).build();
        } else {
            assertion = ClientAssertion.builder("client").key(key, alg).build();
        }
        rawSigner = JwsAlgorithms.isHmac(alg) ? new MACSigner(secret.getBytes(StandardCharsets.UTF_8)) : JwsAlgorithms.signer(key, alg);
        rawHeader = new JWSHeader(alg);
        // a signing input as long as a real assertion's
        String sample = assertion.sign(ISSUER, TOKEN_URL);
        rawInput = sample.substring(0, sample.lastIndexOf('.')).getBytes(StandardCharsets.US_ASCII);
    }

    @Benchmark
    public String assertion() {
        return assertion.sign(ISSUER, TOKEN_URL);
    }

    @Benchmark
    public Base64URL rawSignature() throws Exception {
        return rawSigner.sign(rawHeader, rawInput);
    }
}
