package dev.latch.server.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latch.core.error.OAuthError;
import dev.latch.server.keys.MasterKey;
import dev.latch.server.outbound.OutboundPolicy;
import dev.latch.server.scope.ScopeCatalogue;
import dev.latch.server.storage.Database;
import dev.latch.server.storage.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What would fail later is refused when a client is registered or changed (CLI, YAML, import and
 * dynamic registration all come through {@link ClientRegistry}): a {@code client_secret_jwt} secret
 * shorter than its algorithm's hash (RFC 7518 §3.2), and a {@code jwks_uri} the outbound policy
 * would never fetch — each as {@code invalid_client_metadata} with the reason.
 */
class ClientRegistryProbeRulesTest {

    static TestDatabase testDatabase;
    static Database database;
    static ClientRegistry registry;
    static ClientRegistry allowingLoopback;

    @BeforeAll
    static void open() {
        testDatabase = TestDatabase.h2();
        database = testDatabase.open();
        MasterKey masterKey = MasterKey.random();
        registry = new ClientRegistry(new JdbcClientStore(database.sql()), new ScopeCatalogue(database.sql()), masterKey,
                Clock.systemUTC(), Duration.ofHours(24), new OutboundPolicy(List.of()));
        allowingLoopback = new ClientRegistry(new JdbcClientStore(database.sql()), new ScopeCatalogue(database.sql()), masterKey,
                Clock.systemUTC(), Duration.ofHours(24), new OutboundPolicy(List.of("127.0.0.1")));
    }

    @AfterAll
    static void close() {
        database.close();
        testDatabase.close();
    }

    private static Client hmacClient(String clientId, String alg) {
        return new Client.Builder().clientId(clientId).tokenEndpointAuthMethod(Client.SECRET_JWT).tokenEndpointAuthSigningAlg(alg).build();
    }

    private static void assertRefused(ThrowingCallable call, String... fragments) {
        assertThatThrownBy(call).isInstanceOfSatisfying(OAuthError.class, e -> {
            assertThat(e.code()).isEqualTo("invalid_client_metadata");
            assertThat(e.description()).contains(fragments);
        });
    }

    // --- client_secret_jwt: RFC 7518 §3.2 ---

    @ParameterizedTest
    @CsvSource({"HS384, 47, 48", "HS512, 32, 64", "HS512, 63, 64"})
    void createWhenSecretShorterThanTheHashThenInvalidClientMetadataNamingBothLengths(String alg, int length, int needed) {
        String id = "short-" + alg + "-" + length;
        assertRefused(() -> registry.create(hmacClient(id, alg), "k".repeat(length), true, null),
                "client_secret", alg, length + " bytes", "at least " + needed, "RFC 7518");
        assertThat(registry.find(id)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"HS256, 32", "HS384, 48", "HS512, 64"})
    void createWhenSecretAsLongAsTheHashThenRegistered(String alg, int length) {
        String id = "fits-" + alg;
        registry.create(hmacClient(id, alg), "k".repeat(length), true, null);
        assertThat(registry.hmacSecret(registry.find(id).orElseThrow())).hasSize(length);
    }

    @Test
    void secretLengthIsCountedInBytesNotCharacters() {
        // 32 characters, 64 UTF-8 bytes
        registry.create(hmacClient("two-byte-chars", "HS512"), "é".repeat(32), true, null);
        assertThat(registry.find("two-byte-chars")).isPresent();
    }

    @Test
    void updateToALongerHashWhileTheSecretIsShortThenRefusedAndUnchanged() {
        registry.create(hmacClient("upgrade", "HS256"), "k".repeat(32), true, null);
        assertRefused(() -> registry.update("upgrade", hmacClient("upgrade", "HS512"), true), "HS512", "rotate-secret");
        assertThat(registry.find("upgrade").orElseThrow().client().tokenEndpointAuthSigningAlg()).isEqualTo("HS256");

        registry.update("upgrade", hmacClient("upgrade", "HS512"), true, "k".repeat(64));
        StoredClient now = registry.find("upgrade").orElseThrow();
        assertThat(now.client().tokenEndpointAuthSigningAlg()).isEqualTo("HS512");
        assertThat(registry.hmacSecret(now)).hasSize(64);
    }

    @Test
    void rotateSecretWhenShorterThanTheHashThenRefusedAndTheOldSecretKept() {
        registry.create(hmacClient("rotating", "HS384"), "k".repeat(48), true, null);
        assertRefused(() -> registry.rotateSecret("rotating", "r".repeat(40)), "HS384", "40 bytes");
        assertThat(registry.hmacSecret(registry.find("rotating").orElseThrow())).isEqualTo("k".repeat(48));
    }

    @Test
    void generatedSecretsFitEveryAlgorithm() {
        ClientRegistry.Registered r = registry.create(hmacClient("generated", "HS512"), null, true, null);
        assertThat(r.clientSecret().getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSizeGreaterThanOrEqualTo(64);
    }

    // --- jwks_uri: the outbound policy, applied at registration ---

    private static Client keyClient(String clientId, String jwksUri) {
        return new Client.Builder().clientId(clientId).tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT).jwksUri(jwksUri).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://127.0.0.1/jwks", "https://localhost:8443/jwks", "https://10.1.2.3/jwks", "https://192.168.0.10/jwks",
            "https://169.254.169.254/latest/meta-data", "https://[::1]/jwks", "https://[fd00::1]/jwks"})
    void jwksUriOnAPrivateAddressThenInvalidClientMetadataWithTheReason(String uri) {
        assertRefused(() -> registry.create(keyClient("private-" + Math.abs(uri.hashCode()), uri), null, true, null),
                "jwks_uri", "private, loopback or link-local", "LATCH_OUTBOUND_ALLOW");
    }

    @Test
    void jwksUriOverHttpThenInvalidClientMetadataWithTheReason() {
        assertRefused(() -> registry.create(keyClient("plain-http", "http://203.0.113.7/jwks"), null, true, null),
                "jwks_uri", "only https");
    }

    @Test
    void jwksUriOnAnAllowListedHostThenRegistered() {
        allowingLoopback.create(keyClient("allowed-loopback", "http://127.0.0.1:8080/jwks"), null, true, null);
        assertThat(allowingLoopback.find("allowed-loopback")).isPresent();
    }

    @Test
    void jwksUriWhoseHostDoesNotResolveYetThenRegistered() {
        // RFC 6761: .invalid never resolves; every fetch resolves and checks the host again
        registry.create(keyClient("not-yet-in-dns", "https://jwks.invalid/keys"), null, true, null);
        assertThat(registry.find("not-yet-in-dns")).isPresent();
    }

    @Test
    void updateToAJwksUriOnAPrivateAddressThenRefusedAndUnchanged() {
        registry.create(keyClient("moving", "https://jwks.invalid/keys"), null, true, null);
        assertRefused(() -> registry.update("moving", keyClient("moving", "https://10.0.0.5/jwks"), true), "jwks_uri", "10.0.0.5");
        assertThat(registry.find("moving").orElseThrow().client().jwksUri()).isEqualTo("https://jwks.invalid/keys");
    }
}
