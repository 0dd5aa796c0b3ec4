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

/** {@code latch users disable USERNAME}. */
@Command(name = "disable", mixinStandardHelpOptions = true,
        description = "Stop a user from signing in, keeping the account (undo with `latch users enable`). "
                + "A user declared in the configuration file gets the file's 'enabled' back when the server starts.")
public final class DisableUserCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Parameters(index = "0", paramLabel = "USERNAME", description = "The user (case does not matter).")
    String username;

    @Override
    public Integer call() {
        try (LatchInstance latch = instance.open(false)) {
            User u = latch.users().setEnabled(username, false);
            UserOutput.println(spec, "disabled user " + u.username());
        }
        return 0;
    }
}
