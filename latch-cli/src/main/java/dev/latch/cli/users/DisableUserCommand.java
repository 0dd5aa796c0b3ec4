package dev.latch.cli.users;

import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import dev.latch.server.user.User;
import dev.latch.server.LatchInstance;
import picocli.CommandLine.Command;

/** {@code latch users disable USERNAME}. */
@Command(name = "disable", mixinStandardHelpOptions = true,
        description = "Stop a user from signing in, keeping the account (undo with `latch users enable`). "
                + "A user declared in the configuration file gets the file's 'enabled' back when the server starts.")
public final class DisableUserCommand extends OneUserCommand {

    @Override
    String apply(LatchInstance latch) {
        User u = latch.users().setEnabled(username, false);
        Audit.success(AuditEvent.USER_DISABLE).cli().user(u.subject()).username(u.username()).write();
        return "disabled user " + u.username();
    }
}
