package dev.latch.cli.users;

import dev.latch.cli.options.SecretOptions;
import dev.latch.server.LatchInstance;
import java.util.Arrays;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code latch users passwd USERNAME --password-stdin}. */
@Command(name = "passwd", mixinStandardHelpOptions = true,
        description = "Set a user's password, read from standard input; the old one stops working at once.")
public final class PasswdCommand extends OneUserCommand {

    @Option(names = "--password-stdin", required = true,
            description = "Read the password from standard input: all of it, less one trailing newline.")
    boolean passwordStdin;

    private char[] password;

    @Override
    public Integer call() {
        password = SecretOptions.passwordFromStdin(spec, "--password-stdin");
        try {
            return super.call();
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    @Override
    String apply(LatchInstance latch) {
        return "set the password of user " + latch.users().setPassword(username, password).username();
    }
}
