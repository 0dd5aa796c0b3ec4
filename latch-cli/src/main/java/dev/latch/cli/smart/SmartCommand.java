package dev.latch.cli.smart;

import picocli.CommandLine.Command;

/** {@code latch smart}: SMART on FHIR on an instance's data. */
@Command(name = "smart", mixinStandardHelpOptions = true,
        description = {"SMART on FHIR (App Launch 2.2) on this instance: create EHR launches for registered apps.",
                "Works while `latch serve` runs on the same data; a running server sees a new launch at once."},
        subcommands = {LaunchCommand.class})
public final class SmartCommand {
}
