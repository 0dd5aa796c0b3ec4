package dev.latch.cli.jwt;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.latch.cli.fetch.Fetch;
import dev.latch.cli.options.KeyFileInput;
import dev.latch.client.OAuthClientException;
import dev.latch.client.discovery.Discovery;
import dev.latch.client.discovery.ProviderMetadata;
import dev.latch.core.fetch.FetchException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Where {@code latch jwt verify} finds its keys: a JWK Set file or URL, or an issuer's discovery. */
final class KeySources {

    private KeySources() {}

    /** The keys of a JWK Set from a file or an http(s) URL; a file of one JWK also works. */
    static List<JWK> jwks(picocli.CommandLine.Model.CommandSpec spec, String fileOrUrl) {
        Map<String, Object> json;
        if (isUrl(fileOrUrl)) {
            json = remote(fileOrUrl, "JWK Set");
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
        if (metadata.jwksUri() == null || !isUrl(metadata.jwksUri().toString())) {
            throw new IllegalArgumentException(metadata.source() + ": no http(s) jwks_uri in the metadata of " + issuer);
        }
        String jwksUri = metadata.jwksUri().toString();
        return parse(jwksUri, remote(jwksUri, "JWK Set"));
    }

    /** The public key of a key file. */
    static JWK keyFile(Path file, String password) {
        return KeyFileInput.read(file, password).toPublicJWK();
    }

    private static final Fetch HTTP = new Fetch(Duration.ofSeconds(15));

    static boolean isUrl(String s) {
        return s.startsWith("https://") || s.startsWith("http://");
    }

    /** The JSON object at {@code url}; {@code what} names it in messages ("JWK Set"); every failure is one line naming the URL. */
    static Map<String, Object> remote(String url, String what) {
        URI uri = Fetch.httpUri(url);
        if (uri == null || !isUrl(url)) {
            throw new IllegalArgumentException(url + ": not an http(s) URL");
        }
        Fetch.Response response;
        try {
            response = HTTP.get(uri);
        } catch (FetchException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        int status = response.status();
        if (status >= 300 && status < 400) {
            throw new IllegalArgumentException(url + ": HTTP " + status + " redirect to "
                    + response.headers().firstValue("Location").orElse("(no Location)") + "; give the final URL");
        }
        if (status != 200) {
            throw new IllegalArgumentException(url + ": HTTP " + status + " instead of the " + what);
        }
        if (response.truncated()) {
            throw new IllegalArgumentException(url + ": the " + what + " is larger than " + Fetch.MAX_BODY / 1024 + " KiB");
        }
        try {
            return JsonText.parseObject(response.body());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            String type = response.headers().firstValue("Content-Type").orElse("no content type");
            throw new IllegalArgumentException(url + ": not a " + what + " (not a JSON object; " + type + ")");
        }
    }
}
