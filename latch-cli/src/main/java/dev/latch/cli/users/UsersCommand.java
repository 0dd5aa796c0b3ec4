package dev.latch.cli.users;

import picocli.CommandLine.Command;

/** {@code latch users}: the operator's way to manage the people who sign in. */
@Command(name = "users", mixinStandardHelpOptions = true,
        description = {"Manage users: the people who sign in with a username and password (works while `latch serve` runs on the same data).",
                "Usernames are unique ignoring case; passwords are read from standard input only and stored as Argon2id hashes."},
        subcommands = {AddUserCommand.class, UpdateUserCommand.class, ListUsersCommand.class, ShowUserCommand.class, PasswdCommand.class,
                DisableUserCommand.class, EnableUserCommand.class, RemoveUserCommand.class, ConsentsCommand.class})
public final class UsersCommand {
}
