package dev.latch.cli.clients;

import picocli.CommandLine.Command;

/** {@code latch clients}: the operator's way to register and manage OAuth clients. */
@Command(name = "clients", mixinStandardHelpOptions = true,
        description = {"Register and manage clients (works while `latch serve` runs on the same data; a running server sees changes within 5 seconds)."},
        subcommands = {AddClientCommand.class, ListClientsCommand.class, ShowClientCommand.class, UpdateClientCommand.class,
                RemoveClientCommand.class, RotateSecretCommand.class})
public final class ClientsCommand {
}
