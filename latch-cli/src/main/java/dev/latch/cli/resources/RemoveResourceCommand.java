package dev.latch.cli.resources;

import dev.latch.cli.instance.InstanceOptions;
import dev.latch.core.error.OAuthError;
import dev.latch.server.LatchInstance;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code latch resources remove URI}. */
@Command(name = "remove", mixinStandardHelpOptions = true,
        description = "Forget a resource's own profile: its tokens take tokens.default-profile again.")
public final class RemoveResourceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Parameters(index = "0", paramLabel = "URI", description = "The resource indicator.")
    String uri;

    @Override
    public Integer call() {
        try (LatchInstance latch = instance.open(false)) {
            if (!latch.resources().remove(uri)) {
                throw OAuthError.notFound("no resource " + uri + " (`latch resources list` shows them)");
            }
        }
        spec.commandLine().getOut().println("removed resource " + uri);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
