package dev.latch.cli.users;

import dev.latch.cli.instance.InstanceOptions;
import dev.latch.server.LatchInstance;
import dev.latch.server.user.User;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code latch users enable USERNAME}. */
@Command(name = "enable", mixinStandardHelpOptions = true,
        description = "Allow a disabled user to sign in again.")
public final class EnableUserCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Parameters(index = "0", paramLabel = "USERNAME", description = "The user (case does not matter).")
    String username;

    @Override
    public Integer call() {
        try (LatchInstance latch = instance.open(false)) {
            User u = latch.users().setEnabled(username, true);
            UserOutput.println(spec, "enabled user " + u.username());
        }
        return 0;
    }
}
