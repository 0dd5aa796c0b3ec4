package dev.latch.cli.clients;

import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import dev.latch.cli.instance.InstanceOptions;
import dev.latch.cli.options.SecretOptions;
import dev.latch.server.LatchInstance;
import dev.latch.server.client.Client;
import dev.latch.server.client.ClientRegistry;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code latch clients add}: registers a client as an operator (unknown scopes join the catalogue). */
@Command(name = "add", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Register a client and print it as JSON.",
                "For client_secret_basic/_post/_jwt a secret of 512 random bits is generated unless --secret is given; "
                        + "a generated secret appears once, as \"client_secret\" in the JSON (or on the second line with -q)."})
public final class AddClientCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Option(names = "--client-id", paramLabel = "ID", description = "The client_id (default: 128 random bits, base64url).")
    String clientId;

    @Mixin
    ClientMetadataOptions metadata = new ClientMetadataOptions();

    @Option(names = "--secret", paramLabel = "SECRET",
            description = "Use this client secret (at least 32 characters) instead of a generated one: $${env:NAME}, $${file:PATH} "
                    + "or - (standard input); a literal works but shows in the process list.")
    String secret;

    @Option(names = {"-q", "--quiet"},
            description = "Print only the client_id on one line and, when one was generated, the secret on the next.")
    boolean quiet;

    @Override
    public Integer call() {
        metadata.checkNotBoth();
        Client requested = metadata.applyTo(new Client.Builder().clientId(clientId)).build();
        String given = SecretOptions.resolve(spec, "--secret", secret);
        try (LatchInstance latch = instance.open(true)) {
            ClientRegistry.Registered registered = latch.clients().create(requested, given, true, null);
            Audit.success(AuditEvent.CLIENT_CREATE).cli().client(registered.stored().clientId()).scope(registered.stored().client().scope())
                    .authMethod(registered.stored().client().tokenEndpointAuthMethod()).write();
            // a secret the operator chose is not echoed: only a generated one needs showing
            ClientOutput.print(spec, given != null ? new ClientRegistry.Registered(registered.stored(), null) : registered, quiet);
        }
        return 0;
    }
}
