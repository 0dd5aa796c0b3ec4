package dev.latch.cli.jwt;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.latch.cli.KeyFileInput;
import dev.latch.client.OAuthClientException;
import dev.latch.client.discovery.Discovery;
import dev.latch.client.discovery.ProviderMetadata;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Where {@code latch jwt verify} finds its keys: a JWK Set file or URL, or an issuer's discovery. */
final class KeySources {

    private KeySources() {}

    /** The keys of a JWK Set from a file or an http(s) URL; a file of one JWK also works. */
    static List<JWK> jwks(picocli.CommandLine.Model.CommandSpec spec, String fileOrUrl) {
        Map<String, Object> json;
        if (RemoteJson.isUrl(fileOrUrl)) {
            json = RemoteJson.get(fileOrUrl, "JWK Set");
        } else {
            String text = KeyFileInput.readText(spec, fileOrUrl);
            try {
                json = JsonText.parseObject(text);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException(fileOrUrl + ": not a JWK Set (not a JSON object)");
            }
        }
        return parse(fileOrUrl, json);
    }

    static List<JWK> parse(String source, Map<String, Object> json) {
        try {
            if (!json.containsKey("keys") && json.containsKey("kty")) {
                return List.of(JWK.parse(json));
            }
            if (!(json.get("keys") instanceof List<?>)) {
                throw new IllegalArgumentException(source + ": not a JWK Set (no \"keys\" array)");
            }
            List<JWK> keys = JWKSet.parse(json).getKeys();
            if (keys.isEmpty()) {
                throw new IllegalArgumentException(source + ": the JWK Set has no keys");
            }
            return keys;
        } catch (java.text.ParseException e) {
            throw new IllegalArgumentException(source + ": not a valid JWK Set (" + e.getMessage() + ")");
        }
    }

    /**
     * The JWK Set of an issuer found through its metadata ({@link Discovery}: OpenID Connect
     * Discovery 1.0 §4, then RFC 8414), whose {@code issuer} must equal {@code issuer} exactly.
     */
    static List<JWK> discover(String issuer) {
        ProviderMetadata metadata;
        try {
            metadata = Discovery.create().discover(issuer);
        } catch (OAuthClientException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        if (metadata.jwksUri() == null || !RemoteJson.isUrl(metadata.jwksUri().toString())) {
            throw new IllegalArgumentException(metadata.source() + ": no http(s) jwks_uri in the metadata of " + issuer);
        }
        String jwksUri = metadata.jwksUri().toString();
        return parse(jwksUri, RemoteJson.get(jwksUri, "JWK Set"));
    }

    /** The public key of a key file. */
    static JWK keyFile(Path file, String password) {
        return KeyFileInput.read(file, password).toPublicJWK();
    }
}
