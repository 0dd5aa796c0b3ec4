package dev.latch.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latch.server.client.ClientRegistry;
import dev.latch.server.config.ConfigLoader;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients declared in the YAML configuration get the checks every other way of registering gets: a
 * {@code client_secret_jwt} secret at least as long as its algorithm's hash and a {@code jwks_uri}
 * the outbound policy permits, refused at start-up as {@code clients[i] (id): message}.
 */
class ConfiguredClientsTest {

    @TempDir
    Path dir;
    private final Map<String, String> env = new HashMap<>();

    /** Starts a server on the data directory with {@code yaml}, runs {@code check} on its clients, stops it. */
    private void startWith(String yaml, Consumer<ClientRegistry> check) throws Exception {
        try (LatchServer server = ConfiguredUsersTest.serverFrom(dir, yaml, env, TestClock.atNow())) {
            check.accept(server.instance().clients());
        }
    }

    private static String hmacClient(String alg) {
        return """
                clients:
                  - client_id: reports
                    token_endpoint_auth_method: client_secret_jwt
                    token_endpoint_auth_signing_alg: %s
                    client_secret: ${env:REPORTS_SECRET}
                """.formatted(alg);
    }

    @Test
    void secretShorterThanTheHashThenStartUpRefusedNamingTheClientAndBothLengths() {
        env.put("REPORTS_SECRET", "k".repeat(32));
        assertThatThrownBy(() -> startWith(hmacClient("HS512"), clients -> {}))
                .isInstanceOf(ConfigLoader.ConfigException.class)
                .hasMessage("clients[0] (reports): client_secret is too short for token_endpoint_auth_signing_alg HS512: "
                        + "the secret is 32 bytes; HS512 needs at least 64 (RFC 7518 §3.2)");
    }

    @Test
    void algorithmAndALongerSecretChangedTogetherThenBothApplied() throws Exception {
        env.put("REPORTS_SECRET", "k".repeat(32));
        startWith(hmacClient("HS256"), clients -> {});
        env.put("REPORTS_SECRET", "l".repeat(64));
        startWith(hmacClient("HS512"), clients -> {
            var stored = clients.find("reports").orElseThrow();
            assertThat(stored.client().tokenEndpointAuthSigningAlg()).isEqualTo("HS512");
            assertThat(clients.hmacSecret(stored)).isEqualTo("l".repeat(64));
        });
    }

    @Test
    void algorithmChangedWithoutALongerSecretThenRefusedAndTheClientUnchanged() throws Exception {
        env.put("REPORTS_SECRET", "k".repeat(32));
        startWith(hmacClient("HS256"), clients -> {});
        assertThatThrownBy(() -> startWith(hmacClient("HS384"), clients -> {}))
                .isInstanceOf(ConfigLoader.ConfigException.class).hasMessageContaining("clients[0] (reports): ")
                .hasMessageContaining("HS384 needs at least 48");
    }

    @Test
    void jwksUriOnALoopbackAddressThenStartUpRefusedWithTheReason() {
        assertThatThrownBy(() -> startWith("""
                clients:
                  - client_id: partner
                    token_endpoint_auth_method: private_key_jwt
                    jwks_uri: https://127.0.0.1:8443/jwks
                """, clients -> {}))
                .isInstanceOf(ConfigLoader.ConfigException.class)
                .hasMessageStartingWith("clients[0] (partner): jwks_uri https://127.0.0.1:8443/jwks: ")
                .hasMessageContaining("loopback").hasMessageContaining("LATCH_OUTBOUND_ALLOW");
    }

    @Test
    void malformedSmartScopeThenStartUpRefusedNamingTheClientAndTheScope() {
        assertThatThrownBy(() -> startWith("""
                clients:
                  - client_id: bulk
                    scope: system/*.rs system/Patient.rwx
                """, clients -> {}))
                .isInstanceOf(ConfigLoader.ConfigException.class)
                .hasMessageStartingWith("clients[0] (bulk): scope system/Patient.rwx is not a well-formed SMART scope: ");
    }

    @Test
    void jwksUriOnALoopbackHostOnTheAllowListThenAccepted() throws Exception {
        startWith("""
                outbound:
                  allow: [127.0.0.1]
                clients:
                  - client_id: partner
                    token_endpoint_auth_method: private_key_jwt
                    jwks_uri: http://127.0.0.1:8443/jwks
                """, clients -> assertThat(clients.find("partner")).isPresent());
    }
}
