package dev.latch.cli.users;

import dev.latch.server.LatchInstance;
import picocli.CommandLine.Command;

/** {@code latch users show USERNAME}. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Print a user as JSON: sub, username, enabled, has_password, roles, claims, created_at, updated_at. "
                + "The password hash is never shown.")
public final class ShowUserCommand extends OneUserCommand {

    @Override
    String apply(LatchInstance latch) {
        return UserOutput.json(user(latch));
    }
}
