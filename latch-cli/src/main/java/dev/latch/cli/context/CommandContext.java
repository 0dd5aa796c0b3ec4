package dev.latch.cli.context;

import dev.latch.core.secret.SecretReference;
import java.io.InputStream;
import java.time.Clock;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What a command reads from the world rather than from its options: the clock and where secret
 * references ({@code ${env:NAME}}, {@code ${file:PATH}}, {@code -}) resolve. The root command provides
 * it (tests give a fixed clock, a fake environment and a fake standard input); a command finds it
 * through its {@link CommandSpec}, so no command depends on the root command's class.
 */
public interface CommandContext {

    /** This machine's time as commands see it. */
    Clock clock();

    /** How secret-valued options are resolved, and the standard input {@code -} reads. */
    SecretReference secrets();

    /** The context of the command line {@code spec} belongs to; the system's when its root provides none. */
    static CommandContext of(CommandSpec spec) {
        if (spec != null && spec.root().userObject() instanceof CommandContext context) {
            return context;
        }
        return system();
    }

    /** The system clock and the process's environment and standard input. */
    static CommandContext system() {
        return new Fixed(Clock.systemUTC(), SecretReference.system());
    }

    /** A context of given parts. */
    record Fixed(Clock clock, SecretReference secrets) implements CommandContext {}

    /** The clock of the command line {@code spec} belongs to. */
    static Clock clock(CommandSpec spec) {
        return of(spec).clock();
    }

    /** The source of secret references for the command line {@code spec} belongs to. */
    static SecretReference secrets(CommandSpec spec) {
        return of(spec).secrets();
    }

    /** What {@code -} reads: the root command's standard input. */
    static InputStream standardInput(CommandSpec spec) {
        return of(spec).secrets().standardInput();
    }
}
