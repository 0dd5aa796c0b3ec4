package dev.latch.cli.users;

import dev.latch.cli.instance.InstanceOptions;
import dev.latch.cli.output.Table;
import dev.latch.server.LatchInstance;
import dev.latch.server.user.User;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code latch users list}. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List users, sorted by username: USERNAME, SUB, ENABLED, PASSWORD, ROLES, EMAIL, NAME ('-' for none).")
public final class ListUsersCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Option(names = "--json", description = "Print a JSON array of the users (as `latch users show` prints one) instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        try (LatchInstance latch = instance.open(false)) {
            List<User> users = latch.users().list();
            if (json) {
                UserOutput.println(spec, UserOutput.json(users));
                return 0;
            }
            Table table = new Table("USERNAME", "SUB", "ENABLED", "PASSWORD", "ROLES", "EMAIL", "NAME");
            for (User u : users) {
                table.row(u.username(), u.subject(), u.enabled() ? "yes" : "no", u.passwordHash() != null ? "yes" : "no",
                        String.join(",", u.roles()), text(u.claims().get("email")), text(u.claims().get("name")));
            }
            table.print(spec.commandLine().getOut());
        }
        return 0;
    }

    private static String text(Object value) {
        return value == null ? null : Objects.toString(value);
    }
}
