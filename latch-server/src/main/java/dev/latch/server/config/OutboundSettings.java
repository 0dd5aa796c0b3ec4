package dev.latch.server.config;

import static dev.latch.server.config.ConfigNodes.duration;
import static dev.latch.server.config.ConfigNodes.list;
import static dev.latch.server.config.ConfigNodes.section;
import static dev.latch.server.config.ConfigNodes.wholeNumber;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** Binds {@code outbound}: the hosts allowed despite the policy, the time limit and the size limit of a fetch. */
final class OutboundSettings {

    private OutboundSettings() {}

    static ServerConfig.Outbound bind(JsonNode root) {
        JsonNode out = section(root, "outbound", Set.of("allow", "timeout", "max-bytes"));
        return new ServerConfig.Outbound(list(out, "allow", List.of()),
                duration(out, "outbound.timeout", "timeout", Duration.ofSeconds(5)),
                wholeNumber(out, "outbound.max-bytes", "max-bytes", 512 * 1024));
    }
}
