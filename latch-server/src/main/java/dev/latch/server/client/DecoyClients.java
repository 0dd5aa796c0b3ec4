package dev.latch.server.client;

import dev.latch.server.secret.Secrets;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.latch.core.jose.KeyGeneration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stand-ins for a client that cannot authenticate with the method it tried (unknown, disabled, or
 * registered for another method). Authentication runs the same steps on a decoy as on a real client
 * — secret digest compared, HMAC key decrypted, key set parsed and a key selected, one signature
 * verified — and then fails, so neither the answer nor the time it takes tells whether a client id
 * exists. A decoy's credentials cannot be presented: its secrets are random and never leave this
 * object, and only the public halves of its keys are kept.
 */
final class DecoyClients {

    /** Not a valid client_id (it holds a space), so it never names a stored client. */
    static final String ID = "decoy client";

    private final StoredClient withDigest;
    private final StoredClient withHmacKey;
    private final Map<JWSAlgorithm, WithKey> withKeys = new ConcurrentHashMap<>();

    private record WithKey(StoredClient client, JWK key) {}

    DecoyClients(ClientRegistry registry) {
        Client basic = new Client.Builder().clientId(ID).tokenEndpointAuthMethod(Client.BASIC).build();
        this.withDigest = new StoredClient(basic, Secrets.digest(Secrets.generate(512)), null, null, 0, 0);
        Client hmac = new Client.Builder().clientId(ID).tokenEndpointAuthMethod(Client.SECRET_JWT).build();
        this.withHmacKey = new StoredClient(hmac, null, registry.encryptSecret(ID, Secrets.generate(512)), null, 0, 0);
    }

    /** The decoy for an attempt with {@code method}; {@code alg} is the assertion's algorithm (null for secrets). */
    StoredClient standIn(String method, JWSAlgorithm alg) {
        return switch (method) {
            case Client.SECRET_JWT -> withHmacKey;
            case Client.PRIVATE_KEY_JWT -> withKey(alg).client();
            default -> withDigest;
        };
    }

    /**
     * A decoy's public key for {@code alg}: verified against when a real client has no key that fits
     * the assertion, so that attempt also costs one verification.
     */
    JWK key(JWSAlgorithm alg) {
        return withKey(alg).key();
    }

    private WithKey withKey(JWSAlgorithm alg) {
        return withKeys.computeIfAbsent(alg, DecoyClients::withKeyFor);
    }

    private static WithKey withKeyFor(JWSAlgorithm alg) {
        // generated on first use per algorithm: most servers never see an assertion for most algorithms
        JWK key = KeyGeneration.generate(alg).toPublicJWK();
        Client c = new Client.Builder().clientId(ID).tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                .jwks(new JWKSet(key).toJSONObject(true)).build();
        return new WithKey(new StoredClient(c, null, null, null, 0, 0), key);
    }
}
