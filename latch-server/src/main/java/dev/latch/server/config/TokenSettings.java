package dev.latch.server.config;

import static dev.latch.server.config.ConfigNodes.duration;
import static dev.latch.server.config.ConfigNodes.section;
import static dev.latch.server.config.ConfigNodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.server.config.ConfigLoader.ConfigException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/** Binds {@code tokens}: lifetimes, default audience, signing algorithm, JWKS max-age and the default access-token profile. */
final class TokenSettings {

    private static final Set<String> KEYS = Set.of("access-token-lifetime", "max-access-token-lifetime", "default-audience", "signing-alg",
            "jwks-max-age", "id-token-lifetime", "refresh-token-idle-lifetime", "refresh-token-absolute-lifetime", "default-profile");

    private TokenSettings() {}

    /** @param issuer the audience of tokens requested without {@code resource} unless {@code tokens.default-audience} says otherwise */
    static ServerConfig.Tokens bind(JsonNode root, String issuer, YamlLines lines) {
        JsonNode tok = section(root, "tokens", KEYS);
        ServerConfig.Tokens tokens = new ServerConfig.Tokens(
                duration(tok, "tokens.access-token-lifetime", "access-token-lifetime", Duration.ofHours(1)),
                duration(tok, "tokens.max-access-token-lifetime", "max-access-token-lifetime", Duration.ofHours(24)),
                text(tok, "default-audience", issuer),
                text(tok, "signing-alg", "RS256"),
                duration(tok, "tokens.jwks-max-age", "jwks-max-age", Duration.ofMinutes(10)),
                duration(tok, "tokens.id-token-lifetime", "id-token-lifetime", Duration.ofHours(1)),
                duration(tok, "tokens.refresh-token-idle-lifetime", "refresh-token-idle-lifetime", Duration.ofDays(30)),
                duration(tok, "tokens.refresh-token-absolute-lifetime", "refresh-token-absolute-lifetime", Duration.ofDays(90)),
                TokenProfileSettings.defaultProfile(tok, lines));
        try {
            JwsAlgorithms.asymmetric(tokens.signingAlg());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("tokens.signing-alg: " + e.getMessage());
        }
        for (var d : Map.of("tokens.id-token-lifetime", tokens.idTokenLifetime(), "tokens.refresh-token-idle-lifetime",
                tokens.refreshTokenIdleLifetime(), "tokens.refresh-token-absolute-lifetime", tokens.refreshTokenAbsoluteLifetime()).entrySet()) {
            if (d.getValue().toSeconds() < 1) throw new ConfigException(d.getKey() + ": must be at least 1s");
        }
        if (tokens.refreshTokenIdleLifetime().compareTo(tokens.refreshTokenAbsoluteLifetime()) > 0) {
            throw new ConfigException("tokens.refresh-token-idle-lifetime: longer than tokens.refresh-token-absolute-lifetime");
        }
        if (tokens.accessTokenLifetime().compareTo(tokens.maxAccessTokenLifetime()) > 0) {
            throw new ConfigException("tokens.access-token-lifetime: longer than tokens.max-access-token-lifetime");
        }
        return tokens;
    }
}
