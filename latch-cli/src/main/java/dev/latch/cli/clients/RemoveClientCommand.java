package dev.latch.cli.clients;

import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import dev.latch.cli.instance.InstanceOptions;
import dev.latch.core.error.OAuthError;
import dev.latch.server.LatchInstance;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code latch clients remove ID}. */
@Command(name = "remove", mixinStandardHelpOptions = true,
        description = "Remove a client. It can get no new tokens (a running server notices within 5 seconds); "
                + "JWT access tokens it already holds stay valid until they expire.")
public final class RemoveClientCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Parameters(index = "0", paramLabel = "CLIENT_ID", description = "The client to remove.")
    String clientId;

    @Override
    public Integer call() {
        try (LatchInstance latch = instance.open(false)) {
            if (!latch.clients().remove(clientId)) {
                throw OAuthError.notFound("no client " + clientId);
            }
            Audit.success(AuditEvent.CLIENT_DELETE).cli().client(clientId).write();
        }
        spec.commandLine().getOut().println("removed client " + clientId);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
