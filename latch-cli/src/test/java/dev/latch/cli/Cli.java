package dev.latch.cli;

import dev.latch.core.secret.SecretReference;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** Runs the {@code latch} command in-process with captured output, a fake environment and standard input. */
public final class Cli {

    /** What a run printed and returned. */
    public record Result(int exit, String out, String err) {
        /** The only line of stderr (errors are one line). */
        public String errLine() {
            return err.strip();
        }
    }

    private final Map<String, String> env = new HashMap<>();
    private String stdin = "";
    private java.time.Clock clock = java.time.Clock.systemUTC();
    private java.util.function.Consumer<CommandLine> configure = c -> { };
    private final Path data;
    private final List<String> always = new ArrayList<>();

    /** Runs commands with {@code --data data} appended (when data is not null). */
    public Cli(Path data) {
        this.data = data;
    }

    public Cli env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** The clock commands see (doctor, token: expiry and skew checks). */
    public Cli clock(java.time.Clock clock) {
        this.clock = clock;
        return this;
    }

    /** Adjusts each command line before it runs (e.g. gives `latch token` a test browser). */
    public Cli configure(java.util.function.Consumer<CommandLine> configure) {
        this.configure = configure;
        return this;
    }

    /** Options appended to every command run with {@link #run} (e.g. {@code --config FILE}). */
    public Cli always(String... options) {
        always.addAll(List.of(options));
        return this;
    }

    public Cli stdin(String text) {
        stdin = text;
        return this;
    }

    /** Runs {@code args} as given, plus {@code --data} for this CLI's data directory. */
    public Result run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(always);
        if (data != null) {
            all.add("--data");
            all.add(data.toString());
        }
        return raw(all.toArray(String[]::new));
    }

    /**
     * As {@link #run}, with {@code id} last, after {@code --}: for a generated kid or id, which may begin like an option
     * of the command ({@code -h…}: base64url values start with '-' one time in 64), as docs/cli.md tells users to do.
     */
    public Result runWithId(String id, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(always);
        if (data != null) {
            all.add("--data");
            all.add(data.toString());
        }
        all.add("--");
        all.add(id);
        return raw(all.toArray(String[]::new));
    }

    /** Runs {@code args} exactly as given. */
    public Result raw(String... args) {
        String input = stdin;
        SecretReference secrets = new SecretReference(env::get,
                () -> new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        CommandLine cli = Main.commandLine(secrets, clock);
        configure.accept(cli);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }
}
