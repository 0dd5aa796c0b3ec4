package dev.latch.cli.clients;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.latch.cli.instance.InstanceOptions;
import dev.latch.cli.output.Table;
import dev.latch.server.LatchInstance;
import dev.latch.server.client.Client;
import dev.latch.server.client.StoredClient;
import dev.latch.server.http.Json;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code latch clients list}. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List clients, sorted by client_id: CLIENT_ID, AUTH_METHOD, GRANT_TYPES, SCOPE, FORMAT, ENABLED, NAME ('-' for none).")
public final class ListClientsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Option(names = "--json", description = "Print a JSON array of the clients' metadata instead of a table.")
    boolean json;

    @Override
    public Integer call() throws JsonProcessingException {
        PrintWriter out = spec.commandLine().getOut();
        try (LatchInstance latch = instance.open(false)) {
            List<Client> clients = latch.clients().store().list().stream().map(StoredClient::client)
                    .sorted(Comparator.comparing(Client::clientId)).toList();
            if (json) {
                out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(clients));
                out.flush();
                return 0;
            }
            Table table = new Table("CLIENT_ID", "AUTH_METHOD", "GRANT_TYPES", "SCOPE", "FORMAT", "ENABLED", "NAME");
            for (Client c : clients) {
                table.row(c.clientId(), c.tokenEndpointAuthMethod(), c.grantTypes() == null ? null : String.join(",", c.grantTypes()),
                        c.scope(), c.opaqueTokens() ? "opaque" : "jwt", c.isEnabled() ? "yes" : "no", c.clientName());
            }
            table.print(out);
        }
        return 0;
    }
}
