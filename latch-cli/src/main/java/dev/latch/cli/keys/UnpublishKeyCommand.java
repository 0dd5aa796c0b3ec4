package dev.latch.cli.keys;

import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import dev.latch.server.keys.SigningKey;
import dev.latch.cli.instance.InstanceOptions;
import dev.latch.server.LatchInstance;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code latch keys unpublish KID}. */
@Command(name = "unpublish", mixinStandardHelpOptions = true,
        description = {"Take a key out of the JWKS now: a retired key whose tokens need no more checking, or a public-only key "
                + "imported from a configuration export (those without an unpublish time stay published until this is run).",
                "Refused for a key that signs now or is scheduled to (use `latch keys rotate --alg ALG --immediately`). "
                        + "Tokens it signed stop verifying at resource servers once their JWKS cache expires."})
public final class UnpublishKeyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Parameters(index = "0", paramLabel = "KID", description = "The key's kid, as `latch keys list` shows it.")
    String kid;

    @Override
    public Integer call() {
        try (LatchInstance latch = instance.open(false)) {
            SigningKey key = latch.keyRing().unpublish(kid);
            Audit.success(AuditEvent.KEY_UNPUBLISH).cli().kid(key.kid()).alg(key.alg().getName()).write();
        }
        spec.commandLine().getOut().println("unpublished key " + kid);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
