package dev.latch.cli.clients;

import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import dev.latch.cli.instance.InstanceOptions;
import dev.latch.cli.options.SecretOptions;
import dev.latch.server.LatchInstance;
import dev.latch.server.client.ClientRegistry;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code latch clients rotate-secret ID}. */
@Command(name = "rotate-secret", mixinStandardHelpOptions = true,
        description = {"Give a client a new secret; the old one stops working at once (a running server: within 5 seconds).",
                "Prints the client as JSON with the new \"client_secret\" (unless it was given with --secret)."})
public final class RotateSecretCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Parameters(index = "0", paramLabel = "CLIENT_ID", description = "The client whose secret changes.")
    String clientId;

    @Option(names = "--secret", paramLabel = "SECRET",
            description = "The new secret (at least 32 characters) instead of a generated one: $${env:NAME}, $${file:PATH} "
                    + "or - (standard input); a literal works but shows in the process list.")
    String secret;

    @Option(names = {"-q", "--quiet"},
            description = "Print only the client_id on one line and, when one was generated, the new secret on the next.")
    boolean quiet;

    @Override
    public Integer call() {
        String given = SecretOptions.resolve(spec, "--secret", secret);
        try (LatchInstance latch = instance.open(false)) {
            ClientRegistry.Registered registered = latch.clients().rotateSecret(clientId, given);
            Audit.success(AuditEvent.CLIENT_SECRET_ROTATE).cli().client(clientId).reason(given == null ? "generated" : "given by the operator").write();
            ClientOutput.print(spec, given != null ? new ClientRegistry.Registered(registered.stored(), null) : registered, quiet);
        }
        return 0;
    }
}
