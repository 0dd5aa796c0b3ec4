package dev.latch.cli.clients;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.latch.server.client.Client;
import dev.latch.server.config.ConfigLoader;
import dev.latch.server.http.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Client metadata as options, shared by {@code clients add} and {@code clients update}. Each option
 * names the RFC 7591 §2 (or Latch) field it sets; every value is checked by the same rules as dynamic
 * registration and YAML, so a bad one fails with the {@code invalid_client_metadata} description.
 */
public final class ClientMetadataOptions {

    @Option(names = "--name", paramLabel = "NAME", description = "Human-readable name (client_name).")
    String name;

    @Option(names = "--auth-method", paramLabel = "METHOD",
            description = "Token endpoint authentication (token_endpoint_auth_method): client_secret_basic (default), "
                    + "client_secret_post, client_secret_jwt, private_key_jwt.")
    String authMethod;

    @Option(names = "--auth-signing-alg", paramLabel = "ALG",
            description = "The one algorithm the client signs its assertions with (token_endpoint_auth_signing_alg): "
                    + "RS256/384/512, PS256/384/512, ES256/384/512, Ed25519, EdDSA for private_key_jwt; HS256/384/512 for client_secret_jwt.")
    String authSigningAlg;

    @Option(names = "--grant-type", paramLabel = "TYPE", split = ",",
            description = "Grant type the client may use (grant_types); repeatable or comma-separated (default client_credentials).")
    List<String> grantTypes;

    @Option(names = "--scope", paramLabel = "SCOPE",
            description = "Scope(s) the client may ask for (scope); repeatable or space-separated. Unknown scopes join the server's catalogue.")
    List<String> scopes;

    @Option(names = "--jwks", paramLabel = "FILE",
            description = "The client's public keys for private_key_jwt: a file holding a JWK Set or a single public JWK (jwks).")
    Path jwks;

    @Option(names = "--jwks-uri", paramLabel = "URL", description = "Where the client publishes its public keys (jwks_uri); https.")
    String jwksUri;

    @Option(names = "--redirect-uri", paramLabel = "URI", description = "Redirect URI (redirect_uris); repeatable.")
    List<String> redirectUris;

    @Option(names = "--post-logout-redirect-uri", paramLabel = "URI",
            description = "Where the end_session endpoint may send the browser after signing out (post_logout_redirect_uris; "
                    + "OpenID Connect RP-Initiated Logout); repeatable.")
    List<String> postLogoutRedirectUris;

    @Option(names = "--resource", paramLabel = "URI",
            description = "RFC 8707 resource the client may ask tokens for, becoming their aud (allowed_resources); repeatable.")
    List<String> resources;

    @Option(names = "--resource-uri", paramLabel = "URI",
            description = "Identifier of the resource server this client is, for introspecting tokens whose aud names it (resource_uris); repeatable.")
    List<String> resourceUris;

    @Option(names = "--token-lifetime", paramLabel = "DURATION",
            description = "Access token lifetime (access_token_lifetime), e.g. 300, 300s, 5m, 1h; at most tokens.max-access-token-lifetime (default: tokens.access-token-lifetime).")
    String tokenLifetime;

    @Option(names = "--token-format", paramLabel = "FORMAT",
            description = "Access token format (access_token_format): jwt (RFC 9068, default) or opaque (reference tokens, checked by introspection).")
    String tokenFormat;

    @Option(names = "--token-alg", paramLabel = "ALG",
            description = "Algorithm of this client's JWT access tokens (access_token_signed_response_alg); default tokens.signing-alg.")
    String tokenAlg;

    @Option(names = "--launch-uri", paramLabel = "URL",
            description = "The SMART app's launch URL (initiate_login_uri), which an EHR launch opens with iss and launch; "
                    + "https (http only on localhost or a loopback address).")
    String launchUri;

    @Option(names = "--disabled", description = "The client cannot get tokens (enabled: false).")
    boolean disabled;

    /** Sets the given fields on {@code b}; fields not given are left as they are. */
    Client.Builder applyTo(Client.Builder b) {
        if (name != null) b.clientName(name);
        if (authMethod != null) b.tokenEndpointAuthMethod(authMethod);
        if (authSigningAlg != null) b.tokenEndpointAuthSigningAlg(authSigningAlg);
        if (grantTypes != null) b.grantTypes(List.copyOf(grantTypes));
        if (scopes != null) b.scope(String.join(" ", scopes).trim());
        if (jwks != null) b.jwks(readJwks(jwks)).jwksUri(null);
        if (jwksUri != null) b.jwksUri(jwksUri).jwks(null);
        if (redirectUris != null) b.redirectUris(List.copyOf(redirectUris));
        if (postLogoutRedirectUris != null) b.postLogoutRedirectUris(List.copyOf(postLogoutRedirectUris));
        if (resources != null) b.allowedResources(List.copyOf(resources));
        if (resourceUris != null) b.resourceUris(List.copyOf(resourceUris));
        if (tokenLifetime != null) b.accessTokenLifetime(ConfigLoader.parseDuration("--token-lifetime", tokenLifetime).toSeconds());
        if (tokenFormat != null) b.accessTokenFormat(tokenFormat);
        if (tokenAlg != null) b.accessTokenSignedResponseAlg(tokenAlg);
        if (launchUri != null) b.initiateLoginUri(launchUri);
        if (disabled) b.enabled(false);
        return b;
    }

    void checkNotBoth() {
        if (jwks != null && jwksUri != null) {
            throw new IllegalArgumentException("--jwks and --jwks-uri must not both be given (RFC 7591 §2)");
        }
    }

    static Map<String, Object> readJwks(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--jwks " + file + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException("--jwks " + file + ": cannot be read (" + e.getMessage() + ")");
        }
        Map<String, Object> json;
        try {
            json = Json.MAPPER.readValue(text, new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("--jwks " + file + ": not JSON (" + e.getOriginalMessage() + ")");
        }
        if (json.containsKey("keys")) {
            return json;
        }
        if (json.containsKey("kty")) {
            Map<String, Object> set = new LinkedHashMap<>();
            set.put("keys", List.of(json));
            return set;
        }
        throw new IllegalArgumentException("--jwks " + file + ": neither a JWK Set ({\"keys\": [...]}) nor a JWK");
    }
}
