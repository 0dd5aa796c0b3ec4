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

/** {@code latch users remove USERNAME}. */
@Command(name = "remove", mixinStandardHelpOptions = true,
        description = "Remove a user. Its subject is never given to anyone else; a user added again under the same username gets a new one.")
public final class RemoveUserCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Parameters(index = "0", paramLabel = "USERNAME", description = "The user (case does not matter).")
    String username;

    @Override
    public Integer call() {
        String removed;
        try (LatchInstance latch = instance.open(false)) {
            User u = latch.users().find(username).orElseThrow(() -> new InvalidUserException("no user " + username));
            if (!latch.users().remove(u.username())) {
                throw new InvalidUserException("no user " + username);
            }
            removed = u.username();
        }
        UserOutput.println(spec, "removed user " + removed);
        return 0;
    }
}
