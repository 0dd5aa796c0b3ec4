package dev.latch.cli.users;

import dev.latch.cli.instance.InstanceOptions;
import dev.latch.server.LatchInstance;
import dev.latch.server.user.InvalidUserException;
import dev.latch.server.user.User;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * A command on one existing user of an instance, {@code latch users VERB USERNAME}: the instance
 * options, the {@code USERNAME} operand, the instance opened (never created) for the work, and one line
 * printed once the instance is closed.
 */
abstract class OneUserCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Parameters(index = "0", paramLabel = "USERNAME", description = "The user (case does not matter).")
    String username;

    @Override
    public Integer call() {
        String done;
        try (LatchInstance latch = instance.open(false)) {
            done = apply(latch);
        }
        if (done != null) {
            UserOutput.println(spec, done);
        }
        return 0;
    }

    /** Does the command's work on the open instance; returns the line to print, or null when it printed a table itself. */
    abstract String apply(LatchInstance latch);

    /** The user named on the command line. */
    User user(LatchInstance latch) {
        return latch.users().find(username).orElseThrow(() -> new InvalidUserException("no user " + username));
    }
}
