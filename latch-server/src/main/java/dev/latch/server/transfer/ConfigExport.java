package dev.latch.server.transfer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.latch.server.LatchInstance;
import dev.latch.server.client.ClientRegistry;
import dev.latch.server.client.StoredClient;
import dev.latch.server.http.Json;
import dev.latch.server.keys.SigningKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link ConfigDocument} of an instance: its scopes, its signing keys' public parts, its
 * clients with secrets as stored (digests) or re-wrapped (HMAC keys: decrypted with the master key,
 * wrapped under the {@link ExportKey}), and its {@link PortableSettings}. Plaintext secrets and private
 * keys never leave the instance.
 */
public final class ConfigExport {

    /** Object members sorted by name, two-space indent, {@code \n} line ends on every platform. */
    static final ObjectMapper MAPPER = Json.MAPPER.copy().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n"));

    /** An export: the bytes of the file and what it holds. */
    public record Written(byte[] bytes, int scopes, int keys, int clients) {}

    private ConfigExport() {}

    /** The export of {@code instance} as the bytes of a file (UTF-8 JSON ending in a newline). */
    public static Written export(LatchInstance instance, ExportKey exportKey) {
        ConfigDocument document = document(instance, exportKey);
        ObjectNode tree = MAPPER.valueToTree(document);
        tree.put(ConfigDocument.MAC, exportKey.mac(canonical(tree)));
        try {
            byte[] bytes = (MAPPER.writer(PRETTY).writeValueAsString(tree) + "\n").getBytes(StandardCharsets.UTF_8);
            return new Written(bytes, document.scopes().size(), document.keys().size(), document.clients().size());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the export", e);
        }
    }

    static ConfigDocument document(LatchInstance instance, ExportKey exportKey) {
        List<ConfigDocument.Scope> scopes = new ArrayList<>();
        for (Map.Entry<String, String> s : instance.scopes().all().entrySet()) {
            scopes.add(new ConfigDocument.Scope(s.getKey(), s.getValue()));
        }
        // Sorted here, not by the database: H2 and PostgreSQL collations order strings differently.
        scopes.sort(Comparator.comparing(ConfigDocument.Scope::name));

        instance.keyRing().reload();
        List<ConfigDocument.Key> keys = new ArrayList<>();
        instance.keyRing().snapshot().keys().stream()
                .sorted(Comparator.comparingLong(SigningKey::createdAt).thenComparing(SigningKey::kid))
                .forEach(k -> keys.add(new ConfigDocument.Key(k.kid(), k.alg().getName(), k.publicJwk().toJSONObject(),
                        k.createdAt(), k.activateAt(), k.retiredAt(), k.unpublishAt())));

        List<ConfigDocument.ClientEntry> clients = new ArrayList<>();
        instance.clients().store().list().stream()
                .sorted(Comparator.comparing(StoredClient::clientId))
                .forEach(c -> clients.add(entry(instance, exportKey, c)));

        return new ConfigDocument(ConfigDocument.FORMAT, ConfigDocument.VERSION, PortableSettings.of(instance.config()),
                scopes, keys, clients);
    }

    private static ConfigDocument.ClientEntry entry(LatchInstance instance, ExportKey exportKey, StoredClient c) {
        String wrapped = null;
        if (c.secretEncrypted() != null) {
            String purpose = ClientRegistry.secretPurpose(c.clientId());
            wrapped = exportKey.wrap(purpose, instance.masterKey().decrypt(purpose, c.secretEncrypted()));
        }
        return new ConfigDocument.ClientEntry(c.clientId(), c.client(), c.secretDigest(), wrapped,
                c.registrationTokenDigest(), c.createdAt(), c.updatedAt());
    }

    /** The bytes the MAC covers: the document without its {@code mac} member, as compact JSON in member order. */
    static byte[] canonical(ObjectNode tree) {
        ObjectNode copy = tree.deepCopy();
        copy.remove(ConfigDocument.MAC);
        try {
            return MAPPER.writeValueAsBytes(copy);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the export", e);
        }
    }
}
