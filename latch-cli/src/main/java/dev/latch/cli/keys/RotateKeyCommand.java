package dev.latch.cli.keys;

import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import com.nimbusds.jose.JWSAlgorithm;
import dev.latch.cli.instance.InstanceOptions;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.server.LatchInstance;
import dev.latch.server.keys.SigningKey;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code latch keys rotate --alg ALG}. */
@Command(name = "rotate", mixinStandardHelpOptions = true,
        description = {"Generate a new signing key for an algorithm. It is published now and signs after tokens.jwks-max-age "
                + "(at once when the algorithm has no key yet); the current key signs until then and stays published "
                + "for tokens.max-access-token-lifetime more.",
                "Refused while a rotation of the same algorithm is still waiting to take effect (unless --immediately)."})
public final class RotateKeyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Option(names = "--alg", required = true, paramLabel = "ALG",
            description = "RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, Ed25519 or EdDSA.")
    String alg;

    @Option(names = "--immediately",
            description = "For a compromised key: the new key signs now and every other key of the algorithm leaves the JWKS now "
                    + "(tokens they signed stop verifying).")
    boolean immediately;

    @Option(names = {"-q", "--quiet"}, description = "Print only the new key's kid.")
    boolean quiet;

    @Override
    public Integer call() {
        JWSAlgorithm algorithm = JwsAlgorithms.asymmetric(alg);
        try (LatchInstance latch = instance.open(true)) {
            SigningKey key = latch.keyRing().rotate(algorithm, null, immediately);
            Audit.success(AuditEvent.KEY_ROTATE).cli().kid(key.kid()).alg(key.alg().getName()).reason(immediately ? "immediately" : "scheduled").write();
            KeyReport.scheduled(spec, key, "new", immediately, quiet);
        }
        return 0;
    }
}
