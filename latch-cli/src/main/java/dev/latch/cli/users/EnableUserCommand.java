package dev.latch.cli.users;

import dev.latch.server.LatchInstance;
import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import dev.latch.server.user.User;
import picocli.CommandLine.Command;

/** {@code latch users enable USERNAME}. */
@Command(name = "enable", mixinStandardHelpOptions = true,
        description = "Allow a disabled user to sign in again.")
public final class EnableUserCommand extends OneUserCommand {

    @Override
    String apply(LatchInstance latch) {
        User u = latch.users().setEnabled(username, true);
        Audit.success(AuditEvent.USER_ENABLE).cli().user(u.subject()).username(u.username()).write();
        return "enabled user " + u.username();
    }
}
