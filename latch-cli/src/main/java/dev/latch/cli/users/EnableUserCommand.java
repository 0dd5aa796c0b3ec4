package dev.latch.cli.users;

import dev.latch.server.LatchInstance;
import picocli.CommandLine.Command;

/** {@code latch users enable USERNAME}. */
@Command(name = "enable", mixinStandardHelpOptions = true,
        description = "Allow a disabled user to sign in again.")
public final class EnableUserCommand extends OneUserCommand {

    @Override
    String apply(LatchInstance latch) {
        return "enabled user " + latch.users().setEnabled(username, true).username();
    }
}
