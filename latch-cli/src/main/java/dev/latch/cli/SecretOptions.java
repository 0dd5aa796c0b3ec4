package dev.latch.cli;

import dev.latch.core.secret.SecretReference;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Secret-valued options ({@code --secret}, {@code --export-key}, {@code --key-password},
 * {@code --db-password}): they take {@code ${env:NAME}}, {@code ${file:PATH}} or {@code -} (one line of
 * standard input). A literal value still works, with a warning, because it is visible in the process
 * list and the shell history.
 */
public final class SecretOptions {

    private SecretOptions() {}

    /** Resolves {@code value} of {@code option}; null stays null. */
    public static String resolve(CommandSpec command, String option, String value) {
        if (value == null) {
            return null;
        }
        warnIfLiteral(command, option, value);
        return secrets(command).resolve(option, value);
    }

    static void warnIfLiteral(CommandSpec command, String option, String value) {
        if (!SecretReference.isReference(value) && !value.startsWith("${")) {
            command.commandLine().getErr().println("latch: warning: " + option + " was given literally, so it is visible in the process list"
                    + " and shell history; prefer ${env:NAME}, ${file:PATH} or - (standard input)");
            command.commandLine().getErr().flush();
        }
    }

    static SecretReference secrets(CommandSpec command) {
        if (command != null && command.root().userObject() instanceof Main main) {
            return main.secrets();
        }
        return SecretReference.system();
    }
}
