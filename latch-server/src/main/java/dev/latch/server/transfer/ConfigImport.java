package dev.latch.server.transfer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import dev.latch.core.error.OAuthError;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.server.LatchInstance;
import dev.latch.server.client.Client;
import dev.latch.server.client.ClientRegistry;
import dev.latch.server.client.StoredClient;
import dev.latch.server.keys.SigningKey;
import dev.latch.server.scope.ScopeCatalogue;
import java.io.IOException;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads a {@link ConfigDocument} into an instance. Everything is checked before anything is written
 * (format, version, the MAC under the export key, every scope, key and client), so a bad file changes
 * nothing.
 *
 * <p>Merging into an instance that has data already:
 * <ul>
 *   <li>scopes: missing ones are added; the export's description is taken where the instance has
 *       none (or, with {@code replace}, where it differs);</li>
 *   <li>signing keys arrive public-only (never signing here) with their schedule; a key whose
 *       {@code kid} the instance holds already is left as it is — it may even hold the private part;</li>
 *   <li>clients: a client id the instance does not have is added with the export's timestamps; one it
 *       has with exactly the same metadata and secrets is left alone; one it has with anything
 *       different is a conflict that stops the import, unless {@code replace} is given, in which case
 *       the export's metadata and secrets overwrite the instance's (its creation time stays). Clients
 *       only the instance has are never removed.</li>
 * </ul>
 * Settings are not applied (they belong to each node's configuration); the ones that differ are
 * reported in {@link Result#settingDifferences()}.
 */
public final class ConfigImport {

    /** What an import did. */
    public record Result(int scopesAdded, int scopesUpdated, int keysAdded, int keysPresent,
                         int clientsAdded, int clientsReplaced, int clientsUnchanged, List<String> settingDifferences) {}

    private record PlannedClient(Client metadata, String secretDigest, String hmacSecret, String registrationTokenDigest,
                                 long createdAt, long updatedAt, boolean exists) {}

    private ConfigImport() {}

    /** Checks and imports an export file. */
    public static Result importFile(LatchInstance instance, byte[] file, ExportKey exportKey, boolean replace) {
        return apply(instance, read(file, exportKey), exportKey, replace);
    }

    /**
     * Parses an export file and checks its format, version and MAC.
     *
     * @throws IllegalArgumentException with a one-line reason
     */
    public static ConfigDocument read(byte[] file, ExportKey exportKey) {
        JsonNode tree;
        try {
            tree = ConfigExport.MAPPER.readTree(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a Latch configuration export (not JSON: "
                    + e.getMessage().lines().findFirst().orElse("unreadable") + ")");
        }
        if (!(tree instanceof ObjectNode object) || !ConfigDocument.FORMAT.equals(object.path("format").asText(null))) {
            throw new IllegalArgumentException("not a Latch configuration export (no \"format\": \"" + ConfigDocument.FORMAT + "\")");
        }
        JsonNode version = object.get("version");
        if (version == null || !version.canConvertToInt() || version.asInt() != ConfigDocument.VERSION) {
            throw new IllegalArgumentException("export format version " + (version == null ? "(missing)" : version.toString())
                    + " is not one this Latch reads (it reads version " + ConfigDocument.VERSION + ")");
        }
        if (!exportKey.verify(ConfigExport.canonical(object), object.path(ConfigDocument.MAC).asText(null))) {
            throw new IllegalArgumentException("the export's MAC does not match: wrong --export-key, or the file was changed after export");
        }
        ObjectNode content = object.deepCopy();
        content.remove(ConfigDocument.MAC);
        try {
            return ConfigExport.MAPPER.treeToValue(content, ConfigDocument.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the export is unreadable: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
    }

    /**
     * Imports a checked document.
     *
     * @throws IllegalArgumentException naming the first bad element or the conflicting clients; nothing was written
     */
    public static Result apply(LatchInstance instance, ConfigDocument document, ExportKey exportKey, boolean replace) {
        ClientRegistry registry = instance.clients();
        ScopeCatalogue catalogue = instance.scopes();

        // 1. check everything
        Map<String, String> existingScopes = catalogue.all();
        List<ConfigDocument.Scope> scopesToAdd = new ArrayList<>();
        List<ConfigDocument.Scope> scopesToUpdate = new ArrayList<>();
        int i = 0;
        for (ConfigDocument.Scope s : list(document.scopes())) {
            String where = "scopes[" + i++ + "]";
            if (s.name() == null || !ScopeCatalogue.validToken(s.name())) {
                throw new IllegalArgumentException(where + ": invalid scope name " + s.name() + " (RFC 6749 §3.3)");
            }
            if (!existingScopes.containsKey(s.name())) {
                scopesToAdd.add(s);
            } else if (s.description() != null && !s.description().equals(existingScopes.get(s.name()))
                    && (existingScopes.get(s.name()) == null || replace)) {
                scopesToUpdate.add(s);
            }
        }

        List<SigningKey> keysToAdd = new ArrayList<>();
        int keysPresent = 0;
        i = 0;
        for (ConfigDocument.Key k : list(document.keys())) {
            SigningKey key = publicKey("keys[" + i++ + "]", k);
            if (instance.keyRing().byKid(key.kid()).isPresent()) {
                keysPresent++;
            } else {
                keysToAdd.add(key);
            }
        }

        List<PlannedClient> clients = new ArrayList<>();
        List<String> conflicts = new ArrayList<>();
        int unchanged = 0;
        i = 0;
        for (ConfigDocument.ClientEntry e : list(document.clients())) {
            PlannedClient planned = client(instance, exportKey, "clients[" + i++ + "]", e);
            Optional<StoredClient> existing = registry.find(e.clientId());
            if (existing.isEmpty()) {
                clients.add(planned);
            } else if (same(instance, existing.get(), planned)) {
                unchanged++;
            } else if (replace) {
                clients.add(new PlannedClient(planned.metadata(), planned.secretDigest(), planned.hmacSecret(),
                        planned.registrationTokenDigest(), planned.createdAt(), planned.updatedAt(), true));
            } else {
                conflicts.add(e.clientId());
            }
        }
        if (!conflicts.isEmpty()) {
            throw new IllegalArgumentException("client" + (conflicts.size() == 1 ? " " : "s ") + String.join(", ", conflicts)
                    + (conflicts.size() == 1 ? " is" : " are") + " already registered here with other settings"
                    + " (use --replace to overwrite with the export's); nothing was imported");
        }

        // 2. write: scopes before the clients that use them
        for (ConfigDocument.Scope s : scopesToAdd) {
            catalogue.put(s.name(), s.description());
        }
        for (ConfigDocument.Scope s : scopesToUpdate) {
            catalogue.put(s.name(), s.description());
        }
        for (SigningKey k : keysToAdd) {
            instance.keyRing().importPublic(k);
        }
        int added = 0;
        int replaced = 0;
        for (PlannedClient p : clients) {
            Client metadata = registry.normalize(p.metadata(), true);
            String encrypted = p.hmacSecret() == null ? null
                    : instance.masterKey().encrypt(ClientRegistry.secretPurpose(metadata.clientId()), p.hmacSecret());
            StoredClient stored = new StoredClient(metadata, p.secretDigest(), encrypted, p.registrationTokenDigest(),
                    p.createdAt(), p.updatedAt());
            if (p.exists()) {
                registry.store().update(stored);
                replaced++;
            } else {
                if (!registry.store().insert(stored)) {
                    throw new IllegalArgumentException("client " + metadata.clientId() + " was registered while importing; run the import again");
                }
                added++;
            }
        }
        return new Result(scopesToAdd.size(), scopesToUpdate.size(), keysToAdd.size(), keysPresent, added, replaced, unchanged,
                PortableSettings.differences(document.settings(), PortableSettings.of(instance.config())));
    }

    private static SigningKey publicKey(String where, ConfigDocument.Key k) {
        if (k.kid() == null || k.alg() == null || k.publicJwk() == null || k.createdAt() == null || k.activateAt() == null) {
            throw new IllegalArgumentException(where + ": kid, alg, public_jwk, created_at and activate_at are required");
        }
        where = where + " (" + k.kid() + ")";
        JWSAlgorithm alg;
        try {
            alg = JwsAlgorithms.asymmetric(k.alg());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage());
        }
        JWK jwk;
        try {
            jwk = JWK.parse(k.publicJwk());
        } catch (ParseException e) {
            throw new IllegalArgumentException(where + ": public_jwk is not a JWK: " + e.getMessage());
        }
        if (jwk.isPrivate()) {
            throw new IllegalArgumentException(where + ": public_jwk holds private parts; an export carries public keys only");
        }
        if (!k.kid().equals(jwk.getKeyID())) {
            throw new IllegalArgumentException(where + ": public_jwk has kid " + jwk.getKeyID());
        }
        if (!JwsAlgorithms.fits(jwk, alg)) {
            throw new IllegalArgumentException(where + ": the key does not fit " + alg);
        }
        return new SigningKey(k.kid(), alg, jwk, null, k.createdAt(), k.activateAt(), k.retiredAt(), k.unpublishAt());
    }

    private static PlannedClient client(LatchInstance instance, ExportKey exportKey, String where, ConfigDocument.ClientEntry e) {
        Client metadata = e.metadata();
        if (e.clientId() == null || metadata == null || !e.clientId().equals(metadata.clientId())) {
            throw new IllegalArgumentException(where + ": client_id and metadata.client_id are required and must be equal");
        }
        where = where + " (" + e.clientId() + ")";
        if (e.createdAt() == null || e.updatedAt() == null) {
            throw new IllegalArgumentException(where + ": created_at and updated_at are required");
        }
        Client checked;
        try {
            // scopes are checked on their own: the export's scope list is not in the catalogue yet
            checked = instance.clients().normalize(metadata.toBuilder().scope(null).build(), false);
        } catch (OAuthError error) {
            throw new IllegalArgumentException(where + ": " + error.description());
        }
        for (String s : metadata.scopes()) {
            if (!ScopeCatalogue.validToken(s)) {
                throw new IllegalArgumentException(where + ": scope '" + s + "' is not a valid scope token (RFC 6749 §3.3)");
            }
        }
        String hmacSecret = null;
        if (checked.usesSecretDigest()) {
            if (e.secretDigest() == null || !e.secretDigest().startsWith("sha256:") || e.secretWrapped() != null) {
                throw new IllegalArgumentException(where + ": a " + checked.tokenEndpointAuthMethod() + " client needs secret_digest (sha256:…) only");
            }
        } else if (checked.usesEncryptedSecret()) {
            if (e.secretWrapped() == null || e.secretDigest() != null) {
                throw new IllegalArgumentException(where + ": a client_secret_jwt client needs secret_wrapped only");
            }
            try {
                hmacSecret = exportKey.unwrap(ClientRegistry.secretPurpose(e.clientId()), e.secretWrapped());
            } catch (IllegalArgumentException error) {
                throw new IllegalArgumentException(where + ": secret_wrapped cannot be unwrapped with this --export-key");
            }
            try {
                ClientRegistry.checkHmacKey(checked, hmacSecret, null);
            } catch (OAuthError error) {
                throw new IllegalArgumentException(where + ": " + error.description());
            }
        } else if (e.secretDigest() != null || e.secretWrapped() != null) {
            throw new IllegalArgumentException(where + ": a " + checked.tokenEndpointAuthMethod() + " client has no secret");
        }
        if (e.registrationTokenDigest() != null && !e.registrationTokenDigest().startsWith("sha256:")) {
            throw new IllegalArgumentException(where + ": registration_token_digest must be a sha256: digest");
        }
        return new PlannedClient(metadata, e.secretDigest(), hmacSecret, e.registrationTokenDigest(), e.createdAt(), e.updatedAt(), false);
    }

    private static boolean same(LatchInstance instance, StoredClient existing, PlannedClient planned) {
        if (!existing.client().equals(planned.metadata())
                || !Objects.equals(existing.secretDigest(), planned.secretDigest())
                || !Objects.equals(existing.registrationTokenDigest(), planned.registrationTokenDigest())) {
            return false;
        }
        if (planned.hmacSecret() == null) {
            return existing.secretEncrypted() == null;
        }
        return existing.secretEncrypted() != null && planned.hmacSecret().equals(instance.clients().hmacSecret(existing));
    }

    private static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }
}
