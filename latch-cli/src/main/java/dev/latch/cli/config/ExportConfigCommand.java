package dev.latch.cli.config;

import dev.latch.cli.instance.InstanceOptions;
import dev.latch.cli.options.SecretOptions;
import dev.latch.server.LatchInstance;
import dev.latch.server.transfer.ConfigExport;
import dev.latch.server.transfer.ExportKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code latch config export --out FILE --export-key SECRET}. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write the configuration to a JSON file: scopes, signing keys (public parts only), clients with their "
                + "secrets as stored digests (client_secret_jwt keys re-wrapped under --export-key), registration token digests, "
                + "and the portable settings (issuer, tokens.*, registration.allowed-*, outbound.*).",
                "No plaintext secret or private key is in the file; a MAC under --export-key protects it. The same configuration "
                        + "always gives the same bytes, so export → import into an empty instance → export gives an identical file."})
public final class ExportConfigCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Option(names = "--out", required = true, paramLabel = "FILE",
            description = "The file to write (created with mode 600, replaced if it exists); - for standard output.")
    String out;

    @Option(names = "--export-key", required = true, paramLabel = "SECRET",
            description = "Secret of at least 16 characters protecting the export (generate one: openssl rand -base64 32): "
                    + "$${env:NAME}, $${file:PATH} or - (standard input); import needs the same one.")
    String exportKey;

    @Override
    public Integer call() throws IOException {
        ExportKey key = ExportKey.derive(SecretOptions.resolve(spec, "--export-key", exportKey));
        ConfigExport.Written written;
        try (LatchInstance latch = instance.open(false)) {
            written = ConfigExport.export(latch, key);
        }
        String summary = "exported " + written.scopes() + " scopes, " + written.keys() + " signing keys (public parts), "
                + written.clients() + " clients";
        if (out.equals("-")) {
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.print(new String(written.bytes(), StandardCharsets.UTF_8));
            stdout.flush();
            spec.commandLine().getErr().println("latch: " + summary);
            spec.commandLine().getErr().flush();
        } else {
            write(Path.of(out), written.bytes());
            spec.commandLine().getOut().println(summary + " to " + out);
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    /** The file holds secret digests: readable by its owner only. */
    static void write(Path file, byte[] bytes) throws IOException {
        if (!Files.exists(file)) {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the file gets the platform's default permissions
            }
        }
        Files.write(file, bytes, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }
}
