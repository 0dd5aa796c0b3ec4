package dev.latch.cli.resources;

import dev.latch.cli.instance.InstanceOptions;
import dev.latch.server.LatchInstance;
import dev.latch.server.resource.TokenProfile;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code latch resources set URI --token-profile jwt}. */
@Command(name = "set", mixinStandardHelpOptions = true,
        description = "Set the access-token profile of a resource, adding it when new.")
public final class SetResourceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Parameters(index = "0", paramLabel = "URI", description = "The resource indicator (RFC 8707): an absolute URI without fragment, "
            + "as clients send it in `resource`, e.g. https://api.example.org.")
    String uri;

    @Option(names = "--token-profile", required = true, paramLabel = "PROFILE", converter = TokenProfileConverter.class,
            description = "rfc9068 (typ at+jwt) or jwt (typ JWT).")
    TokenProfile profile;

    @Override
    public Integer call() {
        boolean created;
        try (LatchInstance latch = instance.open(true)) {
            created = latch.resources().put(uri, profile);
        }
        spec.commandLine().getOut().println((created ? "added" : "updated") + " resource " + uri + ": token-profile " + profile);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
