package dev.latch.cli.users;

import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import dev.latch.server.user.User;
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
        User u = latch.users().setPassword(username, password);
        Audit.success(AuditEvent.USER_PASSWORD).cli().user(u.subject()).username(u.username()).write();
        return "set the password of user " + u.username();
    }
}
