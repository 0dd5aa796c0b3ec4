package dev.latch.server.config;

import static dev.latch.server.config.ConfigNodes.duration;
import static dev.latch.server.config.ConfigNodes.section;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.server.config.ConfigLoader.ConfigException;
import java.time.Duration;
import java.util.Set;

/** Binds {@code sessions}: the idle and absolute lifetimes of single sign-on sessions. */
final class SessionSettings {

    private SessionSettings() {}

    static ServerConfig.Sessions bind(JsonNode root) {
        JsonNode sess = section(root, "sessions", Set.of("idle-lifetime", "absolute-lifetime"));
        ServerConfig.Sessions sessions = new ServerConfig.Sessions(
                duration(sess, "sessions.idle-lifetime", "idle-lifetime", Duration.ofMinutes(30)),
                duration(sess, "sessions.absolute-lifetime", "absolute-lifetime", Duration.ofHours(10)));
        if (sessions.idleLifetime().isZero() || sessions.idleLifetime().compareTo(sessions.absoluteLifetime()) > 0) {
            throw new ConfigException("sessions.idle-lifetime: must be positive and not longer than sessions.absolute-lifetime");
        }
        return sessions;
    }
}
