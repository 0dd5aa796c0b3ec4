package dev.latch.server.transfer;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.latch.server.client.Client;
import java.util.List;
import java.util.Map;

/**
 * A configuration export, format version 1: a JSON document that {@code latch config export} writes
 * and {@code latch config import} reads. Everything in it is ordered (scopes by name, keys by creation
 * time then kid, clients by id, object members by name) and nothing in it describes the export itself
 * (no export time, no random salt or nonce), so the same configuration always gives the same bytes.
 *
 * <p>No plaintext secret is in it: client secrets of {@code client_secret_basic}/{@code _post} and
 * registration access tokens appear as the SHA-256 digests the server stores; {@code client_secret_jwt}
 * HMAC keys appear wrapped under the {@link ExportKey}; signing keys appear as their public JWKs only.
 * The last member, {@code mac}, authenticates the rest under the export key.
 *
 * @param format   always {@value #FORMAT}
 * @param version  always {@value #VERSION}
 * @param settings portable settings by dotted name (see {@link PortableSettings}); informational on import
 * @param scopes   the scope catalogue
 * @param keys     signing keys, public parts only
 * @param clients  registered clients
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"format", "version", "settings", "scopes", "keys", "clients"})
public record ConfigDocument(
        @JsonProperty("format") String format,
        @JsonProperty("version") Integer version,
        @JsonProperty("settings") Map<String, Object> settings,
        @JsonProperty("scopes") List<Scope> scopes,
        @JsonProperty("keys") List<Key> keys,
        @JsonProperty("clients") List<ClientEntry> clients) {

    public static final String FORMAT = "latch-config-export";
    public static final int VERSION = 1;
    /** The member holding the MAC; it is computed over the document without it. */
    public static final String MAC = "mac";

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"name", "description"})
    public record Scope(@JsonProperty("name") String name, @JsonProperty("description") String description) {}

    /** A signing key's public part and schedule (epoch seconds; see {@link dev.latch.server.keys.SigningKey}). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"kid", "alg", "public_jwk", "created_at", "activate_at", "retired_at", "unpublish_at"})
    public record Key(
            @JsonProperty("kid") String kid,
            @JsonProperty("alg") String alg,
            @JsonProperty("public_jwk") Map<String, Object> publicJwk,
            @JsonProperty("created_at") Long createdAt,
            @JsonProperty("activate_at") Long activateAt,
            @JsonProperty("retired_at") Long retiredAt,
            @JsonProperty("unpublish_at") Long unpublishAt) {}

    /**
     * A client as stored.
     *
     * @param secretDigest            the stored SHA-256 digest ({@code client_secret_basic}/{@code _post})
     * @param secretWrapped           the {@code client_secret_jwt} HMAC key, wrapped under the export key
     * @param registrationTokenDigest the stored digest of the RFC 7592 registration access token
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"client_id", "metadata", "secret_digest", "secret_wrapped", "registration_token_digest", "created_at", "updated_at"})
    public record ClientEntry(
            @JsonProperty("client_id") String clientId,
            @JsonProperty("metadata") Client metadata,
            @JsonProperty("secret_digest") String secretDigest,
            @JsonProperty("secret_wrapped") String secretWrapped,
            @JsonProperty("registration_token_digest") String registrationTokenDigest,
            @JsonProperty("created_at") Long createdAt,
            @JsonProperty("updated_at") Long updatedAt) {}
}
