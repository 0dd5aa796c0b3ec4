package dev.latch.cli.keys;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.latch.cli.instance.InstanceOptions;
import dev.latch.cli.output.Table;
import dev.latch.server.LatchInstance;
import dev.latch.server.http.Json;
import dev.latch.server.keys.SigningKey;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code latch keys list}. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = {"List signing keys, oldest first: KID, ALG, STATE, CREATED (published from), SIGNS_FROM, RETIRED (stops signing), "
                + "UNPUBLISH (leaves the JWKS), CERT (x5c published); times in UTC, '-' for none.",
                "STATE is active (signs now), next (published, signs from SIGNS_FROM), retired (published) (signs no more, still in the JWKS), "
                        + "retired (kept for checking old signatures), public-only (published) / public-only (imported from a configuration "
                        + "export: never signs here)."})
public final class ListKeysCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Option(names = "--json", description = "Print a JSON array (kid, alg, state, created_at, activate_at, retired_at, unpublish_at, public_jwk) instead of a table.")
    boolean json;

    @Override
    public Integer call() throws JsonProcessingException {
        PrintWriter out = spec.commandLine().getOut();
        try (LatchInstance latch = instance.open(false)) {
            latch.keyRing().reload();
            long now = latch.clock().instant().getEpochSecond();
            List<SigningKey> keys = latch.keyRing().snapshot().keys().stream()
                    .sorted(Comparator.comparingLong(SigningKey::createdAt).thenComparing(SigningKey::kid)).toList();
            if (json) {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (SigningKey k : keys) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("kid", k.kid());
                    row.put("alg", k.alg().getName());
                    row.put("state", k.state(now));
                    row.put("created_at", KeysCommand.time(k.createdAt()));
                    row.put("activate_at", KeysCommand.time(k.activateAt()));
                    row.put("retired_at", KeysCommand.time(k.retiredAt()));
                    row.put("unpublish_at", KeysCommand.time(k.unpublishAt()));
                    row.put("public_jwk", k.publicJwk().toJSONObject());
                    rows.add(row);
                }
                out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(rows));
                out.flush();
                return 0;
            }
            Table table = new Table("KID", "ALG", "STATE", "CREATED", "SIGNS_FROM", "RETIRED", "UNPUBLISH", "CERT");
            for (SigningKey k : keys) {
                table.row(k.kid(), k.alg().getName(), k.state(now), KeysCommand.time(k.createdAt()),
                        k.privateJwk() == null ? null : KeysCommand.time(k.activateAt()),
                        KeysCommand.time(k.retiredAt()), KeysCommand.time(k.unpublishAt()),
                        k.publicJwk().getX509CertChain() != null ? "yes" : "no");
            }
            table.print(out);
        }
        return 0;
    }
}
