package dev.latch.cli.clients;

import dev.latch.cli.instance.InstanceOptions;
import dev.latch.core.error.OAuthError;
import dev.latch.server.LatchInstance;
import dev.latch.server.client.StoredClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code latch clients show ID}. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Print a client's metadata as JSON. Secrets are never shown (Latch keeps only their digests or ciphertext).")
public final class ShowClientCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Parameters(index = "0", paramLabel = "CLIENT_ID", description = "The client to show.")
    String clientId;

    @Override
    public Integer call() {
        try (LatchInstance latch = instance.open(false)) {
            StoredClient c = latch.clients().find(clientId).orElseThrow(() -> OAuthError.notFound("no client " + clientId));
            spec.commandLine().getOut().println(ClientOutput.json(c.client(), null));
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
