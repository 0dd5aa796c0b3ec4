package dev.latch.cli.users;

import dev.latch.cli.instance.InstanceOptions;
import dev.latch.cli.options.SecretOptions;
import dev.latch.server.LatchInstance;
import dev.latch.server.user.User;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code latch users passwd USERNAME --password-stdin}. */
@Command(name = "passwd", mixinStandardHelpOptions = true,
        description = "Set a user's password, read from standard input; the old one stops working at once.")
public final class PasswdCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Parameters(index = "0", paramLabel = "USERNAME", description = "The user (case does not matter).")
    String username;

    @Option(names = "--password-stdin", required = true,
            description = "Read the password from standard input: all of it, less one trailing newline.")
    boolean passwordStdin;

    @Override
    public Integer call() {
        char[] password = SecretOptions.passwordFromStdin(spec, "--password-stdin");
        try (LatchInstance latch = instance.open(false)) {
            User u = latch.users().setPassword(username, password);
            UserOutput.println(spec, "set the password of user " + u.username());
        } finally {
            Arrays.fill(password, '\0');
        }
        return 0;
    }
}
