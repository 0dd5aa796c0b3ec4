package dev.latch.cli.users;

import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import dev.latch.server.LatchInstance;
import dev.latch.server.user.InvalidUserException;
import dev.latch.server.user.User;
import picocli.CommandLine.Command;

/** {@code latch users remove USERNAME}. */
@Command(name = "remove", mixinStandardHelpOptions = true,
        description = "Remove a user. Its subject is never given to anyone else; a user added again under the same username gets a new one.")
public final class RemoveUserCommand extends OneUserCommand {

    @Override
    String apply(LatchInstance latch) {
        User u = user(latch);
        if (!latch.users().remove(u.username())) {
            throw new InvalidUserException("no user " + username);
        }
        Audit.success(AuditEvent.USER_DELETE).cli().user(u.subject()).username(u.username()).write();
        return "removed user " + u.username();
    }
}
