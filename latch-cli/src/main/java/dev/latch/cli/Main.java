package dev.latch.cli;

import dev.latch.core.secret.SecretReference;
import dev.latch.server.config.ConfigLoader;
import dev.latch.server.storage.Database;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code latch} command. Exit codes: 0 success, 1 the operation failed (message on stderr),
 * 2 usage error.
 */
@Command(name = "latch", mixinStandardHelpOptions = true, version = "latch 0.1.0",
        description = "OAuth 2.0 / OpenID Connect authorization server and toolbox.",
        subcommands = {ServeCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command in-process (tests call this) and returns its exit code. */
    public static int run(String... args) {
        CommandLine cli = commandLine();
        return cli.execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("latch: " + describe(e));
            return 1;
        });
        return cli;
    }

    /** One line that says what went wrong, without a stack trace for the problems users cause. */
    static String describe(Throwable e) {
        if (e instanceof ConfigLoader.ConfigException || e instanceof SecretReference.SecretResolutionException
                || e instanceof Database.DatabaseException || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException || e instanceof dev.latch.core.error.OAuthError) {
            return e instanceof dev.latch.core.error.OAuthError o ? o.description() : e.getMessage();
        }
        if (e instanceof java.net.BindException) {
            return "cannot listen: " + e.getMessage() + " (is another server on that port? use --port)";
        }
        Throwable cause = e.getCause();
        if (cause != null && cause != e && (cause instanceof java.net.BindException || cause instanceof IllegalArgumentException)) {
            return describe(cause);
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
