package dev.latch.cli.clients;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.latch.server.client.Client;
import dev.latch.server.client.ClientRegistry;
import dev.latch.server.http.Json;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/**
 * How the clients commands print a client: its metadata as JSON (RFC 7591 §3.2.1 field names), with a
 * secret Latch generated as {@code client_secret} right after {@code client_id} — the only time it is
 * ever shown. The quiet form is {@code client_id} on the first line and that secret, if any, on the second.
 */
final class ClientOutput {

    private ClientOutput() {}

    static void print(CommandSpec spec, ClientRegistry.Registered registered, boolean quiet) {
        PrintWriter out = spec.commandLine().getOut();
        Client client = registered.stored().client();
        String secret = registered.clientSecret();
        if (quiet) {
            out.println(client.clientId());
            if (secret != null) {
                out.println(secret);
            }
        } else {
            out.println(json(client, secret));
        }
        out.flush();
        if (secret != null) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("latch: the client_secret above is shown only this once; store it now");
            err.flush();
        }
    }

    static String json(Client client, String secret) {
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = Json.MAPPER.convertValue(client, LinkedHashMap.class);
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            out.put(e.getKey(), e.getValue());
            if (e.getKey().equals("client_id") && secret != null) {
                out.put("client_secret", secret);
            }
        }
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
