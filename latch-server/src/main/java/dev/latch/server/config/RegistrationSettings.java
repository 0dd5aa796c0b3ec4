package dev.latch.server.config;

import static dev.latch.server.config.ConfigNodes.list;
import static dev.latch.server.config.ConfigNodes.section;
import static dev.latch.server.config.ConfigNodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.core.secret.SecretReference;
import java.util.List;
import java.util.Set;

/** Binds {@code registration}: the dynamic client registration policy (RFC 7591); the initial access token is a secret reference. */
final class RegistrationSettings {

    private RegistrationSettings() {}

    static ServerConfig.Registration bind(JsonNode root, SecretReference secrets) {
        JsonNode reg = section(root, "registration", Set.of("initial-access-token", "allowed-scopes", "allowed-grant-types"));
        return new ServerConfig.Registration(
                secrets.resolve("registration.initial-access-token", text(reg, "initial-access-token")),
                list(reg, "allowed-scopes", List.of()), list(reg, "allowed-grant-types", List.of("client_credentials")));
    }
}
