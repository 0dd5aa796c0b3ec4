package dev.latch.cli.jwt;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.latch.cli.KeyFileInput;
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
     * An issuer's metadata (OpenID Connect Discovery 1.0 §4) and its JWK Set. The metadata's
     * {@code issuer} must equal {@code issuer} exactly (§4.3), else nothing it names is trusted.
     */
    // TODO replace with dev.latch.client.discovery.Discovery once it is on main
    static List<JWK> discover(String issuer) {
        if (!RemoteJson.isUrl(issuer)) {
            throw new IllegalArgumentException("--issuer " + issuer + ": not an http(s) URL");
        }
        String url = (issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer) + "/.well-known/openid-configuration";
        Map<String, Object> metadata = RemoteJson.get(url, "discovery document");
        Object named = metadata.get("issuer");
        if (!issuer.equals(named)) {
            throw new IllegalArgumentException(url + ": names issuer " + named + ", not " + issuer + " (they must match exactly)");
        }
        if (!(metadata.get("jwks_uri") instanceof String jwksUri) || !RemoteJson.isUrl(jwksUri)) {
            throw new IllegalArgumentException(url + ": no http(s) jwks_uri in the discovery document");
        }
        return parse(jwksUri, RemoteJson.get(jwksUri, "JWK Set"));
    }

    /** The public key of a key file. */
    static JWK keyFile(Path file, String password) {
        return KeyFileInput.read(file, password).toPublicJWK();
    }
}
