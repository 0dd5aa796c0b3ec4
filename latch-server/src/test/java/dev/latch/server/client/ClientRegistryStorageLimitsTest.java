package dev.latch.server.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latch.core.error.OAuthError;
import dev.latch.server.keys.MasterKey;
import dev.latch.server.scope.ScopeCatalogue;
import dev.latch.server.storage.Database;
import dev.latch.server.storage.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Values an operator may give that would not fit the schema are refused as client metadata errors
 * naming the field, never left to fail as a bare SQL error.
 */
class ClientRegistryStorageLimitsTest {

    static TestDatabase testDatabase;
    static Database database;
    static ClientRegistry registry;

    @BeforeAll
    static void open() {
        testDatabase = TestDatabase.h2();
        database = testDatabase.open();
        registry = new ClientRegistry(new JdbcClientStore(database.sql()), new ScopeCatalogue(database.sql()), MasterKey.random(),
                Clock.systemUTC(), Duration.ofHours(24), new dev.latch.server.outbound.OutboundPolicy(java.util.List.of()));
    }

    @AfterAll
    static void close() {
        database.close();
        testDatabase.close();
    }

    @Test
    void createWhenOperatorScopeNameTooLongThenInvalidClientMetadata() {
        Client c = new Client.Builder().clientId("long-scope").scope("read " + "s".repeat(ScopeCatalogue.MAX_NAME_LENGTH + 1)).build();

        assertThatThrownBy(() -> registry.create(c, null, true, null)).isInstanceOfSatisfying(OAuthError.class,
                e -> assertThat(e.code()).isEqualTo("invalid_client_metadata"));
        assertThat(registry.find("long-scope")).isEmpty();
    }

    @Test
    void createWhenGivenSecretJwtSecretTooLongThenInvalidClientMetadata() {
        Client c = new Client.Builder().clientId("long-secret").tokenEndpointAuthMethod(Client.SECRET_JWT).build();

        assertThatThrownBy(() -> registry.create(c, "k".repeat(8_000), true, null)).isInstanceOfSatisfying(OAuthError.class,
                e -> assertThat(e.description()).contains("client_secret").contains("at most"));
        assertThat(registry.find("long-secret")).isEmpty();
    }

    @Test
    void createWhenGivenSecretJwtSecretAtTheLimitThenStoredAndReadable() {
        Client c = new Client.Builder().clientId("max-secret").tokenEndpointAuthMethod(Client.SECRET_JWT).build();
        String secret = "k".repeat(ClientRegistry.MAX_SECRET_LENGTH);

        registry.create(c, secret, true, null);

        assertThat(registry.hmacSecret(registry.find("max-secret").orElseThrow())).isEqualTo(secret);
    }
}
