package dev.latch.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.client.Client;
import dev.latch.server.client.JdbcClientStore;
import dev.latch.server.secret.Secrets;
import dev.latch.server.client.StoredClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link dev.latch.server.client.ClientStore} must do, on each database. */
public abstract class ClientStoreContract extends StoreContract {

    private JdbcClientStore store;

    @BeforeEach
    void createStore() {
        store = new JdbcClientStore(sql);
    }

    static Client fullClient(String id) {
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("kty", "EC");
        key.put("crv", "P-256");
        key.put("kid", "k1");
        key.put("x", "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU");
        key.put("y", "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0");
        return new Client.Builder().clientId(id).clientName("Zürich lab — 東京 ✓").tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                .tokenEndpointAuthSigningAlg("ES256").grantTypes(List.of("client_credentials")).responseTypes(List.of())
                .scope("system/*.read openid").redirectUris(List.of("https://app.example/cb"))
                .jwks(Map.of("keys", List.of(key))).accessTokenLifetime(600L).accessTokenFormat("opaque")
                .accessTokenSignedResponseAlg("ES256").allowedResources(List.of("https://fhir.example/r4"))
                .resourceUris(List.of("https://api.example")).enabled(true).clientIdIssuedAt(1_700_000_000L)
                .clientSecretExpiresAt(0L).registeredDynamically(false).build();
    }

    static StoredClient stored(Client client) {
        return new StoredClient(client, Secrets.digest("secret-" + client.clientId()), null, Secrets.digest("rat-" + client.clientId()),
                1_700_000_000L, 1_700_000_001L);
    }

    @Test
    void insertThenFindReturnsEveryField() {
        StoredClient c = new StoredClient(fullClient("full"), "sha256:abc", "v1.cipher", "sha256:rat", 1_700_000_000L, 1_700_000_123L);

        assertThat(store.insert(c)).isTrue();

        assertThat(store.find("full")).contains(c);
    }

    @Test
    void insertWithNullSecretsAndMinimalMetadataKeepsNulls() {
        StoredClient c = new StoredClient(new Client.Builder().clientId("minimal").build(), null, null, null, 5L, 6L);

        store.insert(c);

        assertThat(store.find("minimal")).contains(c);
    }

    @Test
    void insertWhenClientIdTakenThenFalseAndFirstKept() {
        StoredClient first = stored(fullClient("taken"));
        store.insert(first);

        boolean second = store.insert(new StoredClient(new Client.Builder().clientId("taken").build(), null, null, null, 9L, 9L));

        assertThat(second).isFalse();
        assertThat(store.find("taken")).contains(first);
    }

    @Test
    void findWhenUnknownThenEmpty() {
        assertThat(store.find("nobody")).isEmpty();
    }

    @Test
    void findIsCaseSensitive() {
        store.insert(stored(fullClient("Case")));

        assertThat(store.find("case")).isEmpty();
        assertThat(store.find("Case")).isPresent();
    }

    @Test
    void listReturnsAllOrderedByClientId() {
        for (String id : List.of("b", "c", "a")) {
            store.insert(stored(new Client.Builder().clientId(id).build()));
        }

        assertThat(store.list()).extracting(StoredClient::clientId).containsExactly("a", "b", "c");
    }

    @Test
    void listWhenEmptyThenEmpty() {
        assertThat(store.list()).isEmpty();
    }

    @Test
    void updateReplacesMetadataAndSecretsButNotCreationTime() {
        store.insert(stored(fullClient("upd")));
        StoredClient changed = new StoredClient(fullClient("upd").toBuilder().scope("other").enabled(false).build(),
                null, "v1.new", null, 1L, 1_800_000_000L);

        assertThat(store.update(changed)).isTrue();

        StoredClient now = store.find("upd").orElseThrow();
        assertThat(now.client()).isEqualTo(changed.client());
        assertThat(now.secretDigest()).isNull();
        assertThat(now.secretEncrypted()).isEqualTo("v1.new");
        assertThat(now.registrationTokenDigest()).isNull();
        assertThat(now.updatedAt()).isEqualTo(1_800_000_000L);
        assertThat(now.createdAt()).isEqualTo(1_700_000_000L);
    }

    @Test
    void updateWhenUnknownThenFalseAndNothingCreated() {
        assertThat(store.update(stored(fullClient("ghost")))).isFalse();
        assertThat(store.find("ghost")).isEmpty();
    }

    @Test
    void deleteRemovesOnlyThatClient() {
        store.insert(stored(fullClient("gone")));
        store.insert(stored(fullClient("stays")));

        assertThat(store.delete("gone")).isTrue();

        assertThat(store.find("gone")).isEmpty();
        assertThat(store.find("stays")).isPresent();
        assertThat(store.delete("gone")).isFalse();
    }

    @Test
    void largeMetadataRoundTrips() {
        List<Map<String, Object>> keys = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            keys.add(Map.of("kty", "RSA", "kid", "key-" + i, "e", "AQAB", "n", "x".repeat(342)));
        }
        Client big = new Client.Builder().clientId("big").tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                .jwks(Map.of("keys", keys)).build();
        StoredClient c = stored(big);

        store.insert(c);

        assertThat(store.find("big")).contains(c);
    }

    @Test
    void longestAllowedClientIdRoundTrips() {
        String id = "c".repeat(200);
        store.insert(stored(new Client.Builder().clientId(id).build()));

        assertThat(store.find(id)).isPresent();
    }
}
