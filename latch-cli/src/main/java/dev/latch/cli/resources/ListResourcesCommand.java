package dev.latch.cli.resources;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.latch.cli.instance.InstanceOptions;
import dev.latch.cli.output.Table;
import dev.latch.server.LatchInstance;
import dev.latch.server.http.Json;
import dev.latch.server.resource.TokenProfile;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code latch resources list}. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List resources with a profile of their own, sorted: URI, TOKEN_PROFILE; the last row, *, is tokens.default-profile "
                + "(of --config), which every other audience takes.")
public final class ListResourcesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Option(names = "--json", description = "Print {\"default-profile\": …, \"resources\": [{\"uri\": …, \"token-profile\": …}]} instead of a table.")
    boolean json;

    @Override
    public Integer call() throws JsonProcessingException {
        PrintWriter out = spec.commandLine().getOut();
        try (LatchInstance latch = instance.open(false)) {
            Map<String, TokenProfile> resources = latch.resources().list();
            TokenProfile dflt = latch.resources().defaultProfile();
            if (json) {
                List<Map<String, String>> list = new ArrayList<>();
                resources.forEach((uri, p) -> {
                    Map<String, String> entry = new LinkedHashMap<>(); // uri first, as documented (Map.of has no order)
                    entry.put("uri", uri);
                    entry.put("token-profile", p.configName());
                    list.add(entry);
                });
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("default-profile", dflt.configName());
                doc.put("resources", list);
                out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
                out.flush();
                return 0;
            }
            Table table = new Table("URI", "TOKEN_PROFILE");
            resources.forEach((uri, p) -> table.row(uri, p.configName()));
            table.row("*", dflt.configName());
            table.print(out);
        }
        return 0;
    }
}
