package dev.latch.cli;

import dev.latch.cli.backup.BackupCommand;
import dev.latch.cli.backup.RestoreCommand;
import dev.latch.cli.clients.ClientsCommand;
import dev.latch.cli.resources.ResourcesCommand;
import dev.latch.cli.smart.SmartCommand;
import dev.latch.cli.config.ConfigCommand;
import dev.latch.cli.context.CommandContext;
import dev.latch.cli.doctor.DoctorCommand;
import dev.latch.cli.gateway.GatewayCommand;
import dev.latch.cli.jwt.JwtCommand;
import dev.latch.cli.keys.KeysCommand;
import dev.latch.cli.options.SecretOptions;
import dev.latch.cli.serve.ServeCommand;
import dev.latch.cli.token.TokenCommand;
import dev.latch.cli.users.UsersCommand;
import dev.latch.core.secret.SecretReference;
import dev.latch.server.config.ConfigLoader;
import dev.latch.server.storage.Database;
import java.io.PrintWriter;
import java.time.Clock;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The {@code latch} command. Exit codes: 0 success, 1 the operation failed (one line on stderr),
 * 2 usage error (one line on stderr naming the problem, plus where to find help).
 */
@Command(name = "latch", mixinStandardHelpOptions = true, version = "latch 0.1.0",
        description = "OAuth 2.0 / OpenID Connect authorization server and toolbox.",
        footer = {"", "Exit codes: 0 success, 1 the operation failed, 2 usage error."},
        subcommands = {ServeCommand.class, GatewayCommand.class, ClientsCommand.class, UsersCommand.class, ResourcesCommand.class, SmartCommand.class, KeysCommand.class, ConfigCommand.class,
                BackupCommand.class, RestoreCommand.class,
                JwtCommand.class, TokenCommand.class, DoctorCommand.class})
public final class Main implements CommandContext {

    private final SecretReference secrets;
    private final Clock clock;

    public Main() {
        this(SecretReference.system(), Clock.systemUTC());
    }

    Main(SecretReference secrets, Clock clock) {
        this.secrets = secrets;
        this.clock = clock;
    }

    /** This machine's time as commands see it (tests give a fixed clock). */
    @Override
    public Clock clock() {
        return clock;
    }

    /** How secret-valued options ({@code ${env:NAME}}, {@code ${file:PATH}}, {@code -}) are resolved. */
    @Override
    public SecretReference secrets() {
        return secrets;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command in-process (tests call this) and returns its exit code. */
    public static int run(String... args) {
        CommandLine cli = commandLine();
        return cli.execute(args);
    }

    public static CommandLine commandLine() {
        return commandLine(SecretReference.system());
    }

    /** The command line with its own source of secrets (tests give a fake environment and standard input). */
    public static CommandLine commandLine(SecretReference secrets) {
        return commandLine(secrets, Clock.systemUTC());
    }

    /** The command line with its own source of secrets and its own clock. */
    public static CommandLine commandLine(SecretReference secrets, Clock clock) {
        CommandLine cli = new CommandLine(new Main(secrets, clock));
        // "@file" is a value here (`jwt sign --claims @claims.json`), not picocli's argument-file expansion
        cli.setExpandAtFiles(false);
        // client ids and kids are often base64url and so may start with '-': take them as the id, not an unknown option
        // (usernames too; `latch users add -- -name` creates one)
        for (String[] path : new String[][] {{"clients", "show"}, {"clients", "update"}, {"clients", "remove"},
                {"clients", "rotate-secret"}, {"keys", "unpublish"},
                {"users", "show"}, {"users", "passwd"}, {"users", "disable"}, {"users", "enable"}, {"users", "remove"}, {"users", "consents"}}) {
            CommandLine sub = cli.getSubcommands().get(path[0]).getSubcommands().get(path[1]);
            sub.setUnmatchedOptionsArePositionalParams(true);
            // and "-hXq2…" is that id, not -h (help, exit 0) clustered with other letters
            sub.setPosixClusteredShortOptionsAllowed(false);
        }
        // two arguments reading standard input is a usage error, found before anything runs
        cli.setExecutionStrategy(parsed -> {
            SecretOptions.checkOneStandardInputReader(parsed);
            return new CommandLine.RunLast().execute(parsed);
        });
        // Descriptions write $${env:NAME} for a literal ${env:NAME}: picocli expands ${...} in them.
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("latch: " + describe(e));
            cmd.getErr().flush();
            return 1;
        });
        cli.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("latch: " + e.getMessage());
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
            err.flush();
            return 2;
        });
        return cli;
    }

    /** One line that says what went wrong, without a stack trace for the problems users cause. */
    static String describe(Throwable e) {
        if (e instanceof dev.latch.client.token.TokenErrorException t) {
            // the RFC 6749 §5.2 error code first, as scripts and people search for it
            return t.error() + (t.errorDescription() == null || t.errorDescription().isBlank() ? "" : ": " + t.errorDescription());
        }
        if (e instanceof dev.latch.client.OAuthClientException) {
            return e.getMessage();
        }
        if (e instanceof dev.latch.gateway.config.GatewayConfigException g) {
            return g.problems().size() == 1 ? g.problems().get(0) : "the gateway configuration has " + g.problems().size() + " problems:\n  " + String.join("\n  ", g.problems());
        }
        if (e instanceof ConfigLoader.ConfigException || e instanceof SecretReference.SecretResolutionException
                || e instanceof Database.DatabaseException || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException || e instanceof dev.latch.core.error.OAuthError) {
            return e instanceof dev.latch.core.error.OAuthError o ? o.description() : e.getMessage();
        }
        if (e instanceof java.net.BindException) {
            return "cannot listen: " + e.getMessage() + " (is another server on that port? use --port)";
        }
        if (e instanceof java.nio.file.NoSuchFileException f) {
            return f.getFile() + ": no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException f) {
            return f.getFile() + ": permission denied";
        }
        Throwable cause = e.getCause();
        if (cause != null && cause != e && (cause instanceof java.net.BindException || cause instanceof IllegalArgumentException)) {
            return describe(cause);
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
