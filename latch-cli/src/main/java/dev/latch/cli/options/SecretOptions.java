package dev.latch.cli.options;

import dev.latch.cli.context.CommandContext;
import dev.latch.core.secret.SecretReference;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Secret-valued options ({@code --secret}, {@code --export-key}, {@code --key-password},
 * {@code --db-password}): they take {@code ${env:NAME}}, {@code ${file:PATH}} or {@code -} (one line of
 * standard input). A literal value is refused, because it would be visible in the process list and
 * the shell history; {@code LATCH_ALLOW_LITERAL_SECRETS=true} allows it, with a warning each time.
 */
public final class SecretOptions {

    private SecretOptions() {}

    /** Resolves {@code value} of {@code option}; null stays null. */
    public static String resolve(CommandSpec command, String option, String value) {
        if (value == null) {
            return null;
        }
        warnIfLiteral(command, option, value);
        return CommandContext.secrets(command).resolve(option, value);
    }

    /** A password read from standard input for {@code option} ({@code --password-stdin}); see {@link SecretReference#passwordFromStdin}. */
    public static char[] passwordFromStdin(CommandSpec command, String option) {
        return CommandContext.secrets(command).passwordFromStdin(option).toCharArray();
    }

    /**
     * Refuses a command line in which two arguments read standard input ({@code -} for a secret,
     * key file or token, {@code @-} for a file's content): the first would take it all and the second
     * get nothing. Called once after parsing, for every command (by the root command); {@code --out -}
     * (standard output) is not a reader.
     *
     * @throws picocli.CommandLine.ParameterException naming both arguments (exit 2)
     */
    public static void checkOneStandardInputReader(picocli.CommandLine.ParseResult parsed) {
        picocli.CommandLine.ParseResult command = parsed;
        while (command.hasSubcommand()) {
            command = command.subcommand();
        }
        java.util.List<String> readers = new java.util.ArrayList<>();
        for (picocli.CommandLine.Model.ArgSpec arg : command.matchedArgs()) {
            String name = arg instanceof picocli.CommandLine.Model.OptionSpec o ? o.longestName() : arg.paramLabel();
            if (name.equals("--out")) {
                continue;
            }
            for (String value : arg.originalStringValues()) {
                if (value.equals("-") || value.equals("@-")) {
                    readers.add(name + " " + value);
                }
            }
        }
        if (readers.size() > 1) {
            throw new picocli.CommandLine.ParameterException(command.commandSpec().commandLine(), String.join(" and ", readers)
                    + " both read standard input, which can be read once: give one of them as a file or ${env:NAME}");
        }
    }

    /** The environment variable that lets secret options take literal values. */
    public static final String ALLOW_LITERAL = "LATCH_ALLOW_LITERAL_SECRETS";

    /** Refuses (or, when allowed, warns about) a literal secret given for {@code option}. */
    public static void warnIfLiteral(CommandSpec command, String option, String value) {
        if (SecretReference.parse(value).kind() != SecretReference.Kind.LITERAL) {
            return; // a reference, or a mistyped one that resolving reports
        }
        if (!"true".equalsIgnoreCase(CommandContext.secrets(command).environment(ALLOW_LITERAL))) {
            throw new picocli.CommandLine.ParameterException(command.commandLine(), option
                    + " must be a reference (${env:NAME}, ${file:PATH} or - for standard input), not the secret itself:"
                    + " a command line is visible in the process list and shell history (" + ALLOW_LITERAL + "=true allows it)");
        }
        command.commandLine().getErr().println("latch: warning: " + option + " was given literally, so it is visible in the process list"
                + " and shell history; prefer ${env:NAME}, ${file:PATH} or - (standard input)");
        command.commandLine().getErr().flush();
    }
}
