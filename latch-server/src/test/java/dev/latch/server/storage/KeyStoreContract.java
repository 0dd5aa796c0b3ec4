package dev.latch.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import dev.latch.core.jose.KeyGeneration;
import dev.latch.server.keys.JdbcKeyStore;
import dev.latch.server.keys.MasterKey;
import dev.latch.server.keys.SigningKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link dev.latch.server.keys.KeyStore} must do, on each database. */
public abstract class KeyStoreContract extends StoreContract {

    private final MasterKey masterKey = MasterKey.random();
    private JdbcKeyStore store;

    @BeforeEach
    void createStore() {
        store = new JdbcKeyStore(sql, masterKey);
    }

    static SigningKey key(JWSAlgorithm alg, long createdAt) {
        JWK jwk = KeyGeneration.generate(alg);
        return new SigningKey(jwk.getKeyID(), alg, jwk.toPublicJWK(), jwk, createdAt, createdAt + 10, null, null);
    }

    @Test
    void insertThenAllReturnsThePrivateKeyDecrypted() {
        SigningKey k = key(JWSAlgorithm.ES256, 100);

        store.insert(k);

        assertThat(store.all()).singleElement().satisfies(found -> {
            assertThat(found.kid()).isEqualTo(k.kid());
            assertThat(found.alg()).isEqualTo(JWSAlgorithm.ES256);
            assertThat(found.publicJwk()).isEqualTo(k.publicJwk());
            assertThat(found.privateJwk()).isEqualTo(k.privateJwk());
            assertThat(found.privateJwk().isPrivate()).isTrue();
            assertThat(found.createdAt()).isEqualTo(100);
            assertThat(found.activateAt()).isEqualTo(110);
            assertThat(found.retiredAt()).isNull();
            assertThat(found.unpublishAt()).isNull();
        });
    }

    @Test
    void everyAlgorithmFamilyRoundTrips() {
        for (JWSAlgorithm alg : new JWSAlgorithm[] {JWSAlgorithm.RS256, JWSAlgorithm.PS384, JWSAlgorithm.ES512, JWSAlgorithm.Ed25519}) {
            store.insert(key(alg, 1));
        }

        assertThat(store.all()).hasSize(4).allSatisfy(k -> assertThat(k.privateJwk()).isNotNull());
        assertThat(store.all()).extracting(SigningKey::alg)
                .containsExactlyInAnyOrder(JWSAlgorithm.RS256, JWSAlgorithm.PS384, JWSAlgorithm.ES512, JWSAlgorithm.Ed25519);
    }

    @Test
    void insertWithNullPrivatePartKeepsOnlyThePublicKey() {
        SigningKey full = key(JWSAlgorithm.RS256, 5);
        SigningKey publicOnly = new SigningKey(full.kid(), full.alg(), full.publicJwk(), null, 5, 5, 7L, 9L);

        store.insert(publicOnly);

        SigningKey found = store.all().get(0);
        assertThat(found.privateJwk()).isNull();
        assertThat(found.publicJwk()).isEqualTo(full.publicJwk());
        assertThat(found.retiredAt()).isEqualTo(7L);
        assertThat(found.unpublishAt()).isEqualTo(9L);
        assertThat(found.signing(6)).isFalse();
        assertThat(sql.queryOne("SELECT private_jwk FROM signing_keys WHERE kid = ?", rs -> String.valueOf(rs.getString(1)), full.kid()))
                .contains("null");
    }

    @Test
    void privatePartIsStoredEncryptedNotInTheClear() {
        SigningKey k = key(JWSAlgorithm.ES256, 1);
        store.insert(k);

        String raw = sql.queryOne("SELECT private_jwk FROM signing_keys WHERE kid = ?", rs -> rs.getString(1), k.kid()).orElseThrow();

        String d = k.privateJwk().toECKey().getD().toString();
        assertThat(raw).startsWith("v1.").doesNotContain(d);
    }

    @Test
    void readingWithAnotherMasterKeyFails() {
        store.insert(key(JWSAlgorithm.ES256, 1));

        JdbcKeyStore other = new JdbcKeyStore(sql, MasterKey.random());

        assertThatThrownBy(other::all).isInstanceOf(IllegalStateException.class).hasMessageContaining("master key");
    }

    @Test
    void allIsOrderedByCreationThenKid() {
        SigningKey late = key(JWSAlgorithm.ES256, 300);
        SigningKey early = key(JWSAlgorithm.ES256, 100);
        SigningKey middle = key(JWSAlgorithm.ES256, 200);
        store.insert(late);
        store.insert(early);
        store.insert(middle);

        assertThat(store.all()).extracting(SigningKey::kid).containsExactly(early.kid(), middle.kid(), late.kid());
    }

    @Test
    void retireSetsRetirementAndUnpublicationOfThatKeyOnly() {
        SigningKey a = key(JWSAlgorithm.ES256, 1);
        SigningKey b = key(JWSAlgorithm.ES256, 2);
        store.insert(a);
        store.insert(b);

        store.retire(a.kid(), 1_000, 2_000);

        SigningKey ra = store.all().stream().filter(k -> k.kid().equals(a.kid())).findFirst().orElseThrow();
        SigningKey rb = store.all().stream().filter(k -> k.kid().equals(b.kid())).findFirst().orElseThrow();
        assertThat(ra.retiredAt()).isEqualTo(1_000L);
        assertThat(ra.unpublishAt()).isEqualTo(2_000L);
        assertThat(ra.privateJwk()).isEqualTo(a.privateJwk());
        assertThat(rb.retiredAt()).isNull();
    }

    @Test
    void insertWhenKidExistsThenRefusedAndOriginalKept() {
        SigningKey k = key(JWSAlgorithm.ES256, 1);
        store.insert(k);
        SigningKey clash = new SigningKey(k.kid(), JWSAlgorithm.ES256, k.publicJwk(), null, 99, 99, null, null);

        assertThatThrownBy(() -> store.insert(clash)).isInstanceOf(Sql.StorageException.class);

        assertThat(store.all()).singleElement().satisfies(found -> assertThat(found.privateJwk()).isEqualTo(k.privateJwk()));
    }
}
