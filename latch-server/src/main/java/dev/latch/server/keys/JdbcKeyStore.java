package dev.latch.server.keys;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import dev.latch.server.storage.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.text.ParseException;
import java.util.List;

/** {@link KeyStore} on the {@code signing_keys} table. */
public final class JdbcKeyStore implements KeyStore {

    private final Sql sql;
    private final MasterKey masterKey;

    public JdbcKeyStore(Sql sql, MasterKey masterKey) {
        this.sql = sql;
        this.masterKey = masterKey;
    }

    @Override
    public List<SigningKey> all() {
        return sql.query("SELECT * FROM signing_keys ORDER BY created_at, kid", this::map);
    }

    @Override
    public void insert(SigningKey key) {
        sql.update("INSERT INTO signing_keys (kid, alg, public_jwk, private_jwk, created_at, activate_at, retired_at, unpublish_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                key.kid(), key.alg().getName(), key.publicJwk().toJSONString(),
                key.privateJwk() == null ? null : masterKey.encrypt(purpose(key.kid()), key.privateJwk().toJSONString()),
                key.createdAt(), key.activateAt(), key.retiredAt(), key.unpublishAt());
    }

    @Override
    public void retire(String kid, long retiredAt, long unpublishAt) {
        sql.update("UPDATE signing_keys SET retired_at = ?, unpublish_at = ? WHERE kid = ?", retiredAt, unpublishAt, kid);
    }

    private SigningKey map(ResultSet rs) throws SQLException {
        String kid = rs.getString("kid");
        try {
            String encrypted = rs.getString("private_jwk");
            JWK privateJwk = encrypted == null ? null : JWK.parse(masterKey.decrypt(purpose(kid), encrypted));
            return new SigningKey(kid, JWSAlgorithm.parse(rs.getString("alg")), JWK.parse(rs.getString("public_jwk")), privateJwk,
                    rs.getLong("created_at"), rs.getLong("activate_at"),
                    Sql.nullableLong(rs, "retired_at"), Sql.nullableLong(rs, "unpublish_at"));
        } catch (ParseException e) {
            throw new IllegalStateException("stored key " + kid + " is unreadable: " + e.getMessage(), e);
        }
    }

    static String purpose(String kid) {
        return "signing-key:" + kid;
    }
}
