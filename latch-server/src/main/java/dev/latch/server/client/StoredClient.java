package dev.latch.server.client;

/**
 * A client with what is kept beside its metadata: the secret as a SHA-256 digest
 * ({@code client_secret_basic}/{@code _post}) or encrypted under the master key
 * ({@code client_secret_jwt}, whose secret is an HMAC key), and the RFC 7592 registration access
 * token's digest. Plaintext secrets are never stored.
 */
public record StoredClient(Client client, String secretDigest, String secretEncrypted, String registrationTokenDigest,
                           long createdAt, long updatedAt) {

    public String clientId() {
        return client.clientId();
    }
}
