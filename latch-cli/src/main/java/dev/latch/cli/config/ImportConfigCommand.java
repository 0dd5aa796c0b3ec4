package dev.latch.cli.config;

import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import dev.latch.cli.instance.InstanceOptions;
import dev.latch.cli.options.SecretOptions;
import dev.latch.server.LatchInstance;
import dev.latch.server.transfer.ConfigImport;
import dev.latch.server.transfer.ExportKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code latch config import FILE --export-key SECRET}. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Read a file written by `latch config export` into this instance (which may be new and empty). "
                + "Everything is checked first (format, MAC, every client, key and scope); a bad file changes nothing.",
                "Merging: missing scopes are added; signing keys arrive public-only (published on their schedule, never signing here; "
                        + "one without an unpublish time stays published until `latch keys unpublish`); clients not here are added, "
                        + "identical ones skipped, and ones registered here with other settings stop the import unless --replace. "
                        + "Clients only this instance has are kept. Settings are not changed (they live in each node's --config "
                        + "and environment); those that differ are listed on stderr."})
public final class ImportConfigCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Parameters(index = "0", paramLabel = "FILE", description = "The export file.")
    Path file;

    @Option(names = "--export-key", required = true, paramLabel = "SECRET",
            description = "The secret the file was exported with: $${env:NAME}, $${file:PATH} or - (standard input).")
    String exportKey;

    @Option(names = "--replace",
            description = "Overwrite clients registered here with other settings (metadata and secrets) with the export's, "
                    + "and scope descriptions that differ.")
    boolean replace;

    @Override
    public Integer call() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file");
        }
        ExportKey key = ExportKey.derive(SecretOptions.resolve(spec, "--export-key", exportKey));
        ConfigImport.Result r;
        try (LatchInstance latch = instance.open(true)) {
            r = ConfigImport.importFile(latch, bytes, key, replace);
            Audit.success(AuditEvent.CONFIG_IMPORT).cli().file(file.toString())
                    .count(r.clientsAdded() + r.clientsReplaced() + r.keysAdded() + r.scopesAdded() + r.scopesUpdated())
                    .reason("clients " + r.clientsAdded() + " added, " + r.clientsReplaced() + " replaced; keys " + r.keysAdded()
                            + " added; scopes " + r.scopesAdded() + " added, " + r.scopesUpdated() + " updated" + (replace ? " (--replace)" : ""))
                    .write();
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("imported " + file + ": scopes " + r.scopesAdded() + " added, " + r.scopesUpdated() + " updated; "
                + "signing keys " + r.keysAdded() + " added (public-only), " + r.keysPresent() + " already here; "
                + "clients " + r.clientsAdded() + " added, " + r.clientsReplaced() + " replaced, " + r.clientsUnchanged() + " unchanged");
        out.flush();
        PrintWriter err = spec.commandLine().getErr();
        for (String difference : r.settingDifferences()) {
            err.println("latch: note: setting " + difference + " (settings are not imported; set it in --config if wanted)");
        }
        err.flush();
        return 0;
    }
}
