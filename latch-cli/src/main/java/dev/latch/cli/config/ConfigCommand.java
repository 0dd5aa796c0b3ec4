package dev.latch.cli.config;

import picocli.CommandLine.Command;

/** {@code latch config}: moving and inspecting an instance's configuration. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Export, import and show the configuration (clients, scopes, signing keys' public parts, settings).",
        subcommands = {ExportConfigCommand.class, ImportConfigCommand.class, ShowConfigCommand.class})
public final class ConfigCommand {
}
