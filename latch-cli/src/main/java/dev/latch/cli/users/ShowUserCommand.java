package dev.latch.cli.users;

import dev.latch.cli.instance.InstanceOptions;
import dev.latch.server.LatchInstance;
import dev.latch.server.user.InvalidUserException;
import dev.latch.server.user.User;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code latch users show USERNAME}. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Print a user as JSON: sub, username, enabled, has_password, roles, claims, created_at, updated_at. "
                + "The password hash is never shown.")
public final class ShowUserCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Parameters(index = "0", paramLabel = "USERNAME", description = "The user (case does not matter).")
    String username;

    @Override
    public Integer call() {
        try (LatchInstance latch = instance.open(false)) {
            User u = latch.users().find(username).orElseThrow(() -> new InvalidUserException("no user " + username));
            UserOutput.println(spec, UserOutput.json(u));
        }
        return 0;
    }
}
