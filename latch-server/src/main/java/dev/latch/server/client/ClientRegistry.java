package dev.latch.server.client;

import dev.latch.core.fetch.FetchException;
import dev.latch.server.secret.Secrets;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.latch.core.error.OAuthError;
import dev.latch.core.jose.JwsAlgorithms;
import com.nimbusds.jose.JOSEException;
import dev.latch.server.keys.MasterKey;
import dev.latch.server.outbound.OutboundFetcher;
import dev.latch.server.outbound.OutboundPolicy;
import dev.latch.server.scope.ScopeCatalogue;
import java.net.URI;
import java.net.URISyntaxException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Creates, changes and removes clients, whichever way they arrive (CLI, YAML, RFC 7591
 * registration), with one set of metadata checks. Checks fail with {@code invalid_client_metadata}
 * (RFC 7591 §3.2.2) naming the field.
 */
public final class ClientRegistry {

    /** Grant types this server implements. */
    public static final Set<String> SUPPORTED_GRANTS = Set.of("client_credentials", "authorization_code", "refresh_token");
    private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._~:@+\\-/]{1,200}");
    /** Secrets given by an operator are digested like generated ones, so they must be long. */
    public static final int MIN_SECRET_LENGTH = 32;
    /** A client_secret_jwt secret is kept encrypted, and its ciphertext must fit {@code clients.secret_encrypted}. */
    public static final int MAX_SECRET_LENGTH = 1024;

    private final ClientStore store;
    private final ScopeCatalogue scopes;
    private final MasterKey masterKey;
    private final Clock clock;
    private final Duration maxAccessTokenLifetime;
    private final OutboundPolicy outbound;

    /** A client as registered, with the plaintext secret shown once (null when it has none or kept its old one). */
    public record Registered(StoredClient stored, String clientSecret) {}

    /** @param outbound the policy every fetch of a {@code jwks_uri} will apply, applied here when one is registered */
    public ClientRegistry(ClientStore store, ScopeCatalogue scopes, MasterKey masterKey, Clock clock, Duration maxAccessTokenLifetime,
                          OutboundPolicy outbound) {
        this.store = store;
        this.outbound = outbound;
        this.scopes = scopes;
        this.masterKey = masterKey;
        this.clock = clock;
        this.maxAccessTokenLifetime = maxAccessTokenLifetime;
    }

    public ClientStore store() {
        return store;
    }

    /**
     * Registers a new client. A missing {@code client_id} is generated; a secret is generated for
     * secret-based methods unless {@code givenSecret} is supplied.
     *
     * @param addUnknownScopes true for operators (CLI, YAML): unknown scopes join the catalogue;
     *                         false for dynamic registration: unknown scopes are refused
     */
    public Registered create(Client requested, String givenSecret, boolean addUnknownScopes, String registrationToken) {
        long now = clock.instant().getEpochSecond();
        Client client = normalize(requested.toBuilder()
                .clientId(requested.clientId() == null ? Secrets.generate(128) : requested.clientId())
                .clientIdIssuedAt(now).build(), addUnknownScopes);
        String secret = null;
        String digest = null;
        String encrypted = null;
        if (client.usesSecretDigest() || client.usesEncryptedSecret()) {
            secret = givenSecret != null ? checkGivenSecret(client, givenSecret) : Secrets.generate(512);
            if (client.usesSecretDigest()) {
                digest = Secrets.digest(secret);
            } else {
                encrypted = encryptSecret(client.clientId(), secret);
            }
        } else if (givenSecret != null) {
            throw OAuthError.invalidClientMetadata("a " + client.tokenEndpointAuthMethod() + " client has no secret");
        }
        StoredClient stored = new StoredClient(client, digest, encrypted,
                registrationToken == null ? null : Secrets.digest(registrationToken), now, now);
        if (!store.insert(stored)) {
            throw OAuthError.invalidClientMetadata("client_id " + client.clientId() + " is already registered");
        }
        return new Registered(stored, secret);
    }

    /**
     * Replaces a client's metadata. The secret stays unless the authentication method changes kind
     * (then a new one is generated and returned).
     */
    public Registered update(String clientId, Client requested, boolean addUnknownScopes) {
        return update(clientId, requested, addUnknownScopes, null);
    }

    /**
     * Replaces a client's metadata and, when {@code givenSecret} is not null and the client uses a
     * secret, its secret (checked against the new metadata, so algorithm and secret may change together).
     */
    public Registered update(String clientId, Client requested, boolean addUnknownScopes, String givenSecret) {
        StoredClient existing = store.find(clientId).orElseThrow(() -> OAuthError.notFound("no client " + clientId));
        Client client = normalize(requested.toBuilder().clientId(clientId)
                .clientIdIssuedAt(existing.client().clientIdIssuedAt())
                .registeredDynamically(existing.client().registeredDynamically()).build(), addUnknownScopes);
        String digest = existing.secretDigest();
        String encrypted = existing.secretEncrypted();
        String secret = null;
        boolean hadDigest = digest != null;
        boolean hadEncrypted = encrypted != null;
        if (!client.usesSecretDigest() && !client.usesEncryptedSecret()) {
            if (givenSecret != null) {
                throw OAuthError.invalidClientMetadata("a " + client.tokenEndpointAuthMethod() + " client has no secret");
            }
            digest = null;
            encrypted = null;
        } else if (givenSecret != null || client.usesSecretDigest() && !hadDigest || client.usesEncryptedSecret() && !hadEncrypted) {
            secret = givenSecret != null ? checkGivenSecret(client, givenSecret) : Secrets.generate(512);
            digest = client.usesSecretDigest() ? Secrets.digest(secret) : null;
            encrypted = client.usesEncryptedSecret() ? encryptSecret(clientId, secret) : null;
        } else if (client.usesEncryptedSecret()) {
            // the HMAC key stays: it must still be long enough for the (perhaps new) algorithm
            checkHmacKey(client, hmacSecret(existing), "rotate to a longer secret first (latch clients rotate-secret)");
        }
        StoredClient stored = new StoredClient(client, digest, encrypted, existing.registrationTokenDigest(),
                existing.createdAt(), clock.instant().getEpochSecond());
        store.update(stored);
        return new Registered(stored, secret);
    }

    /** Issues a new secret (generated unless given); the old one stops working at once. */
    public Registered rotateSecret(String clientId, String givenSecret) {
        StoredClient existing = store.find(clientId).orElseThrow(() -> OAuthError.notFound("no client " + clientId));
        Client client = existing.client();
        if (!client.usesSecretDigest() && !client.usesEncryptedSecret()) {
            throw OAuthError.invalidClientMetadata("client " + clientId + " authenticates with "
                    + client.tokenEndpointAuthMethod() + " and has no secret");
        }
        String secret = givenSecret != null ? checkGivenSecret(client, givenSecret) : Secrets.generate(512);
        StoredClient stored = new StoredClient(client,
                client.usesSecretDigest() ? Secrets.digest(secret) : null,
                client.usesEncryptedSecret() ? encryptSecret(clientId, secret) : null,
                existing.registrationTokenDigest(), existing.createdAt(), clock.instant().getEpochSecond());
        store.update(stored);
        return new Registered(stored, secret);
    }

    /** Sets a new registration access token digest (RFC 7592 §3 allows rotation on read/update). */
    public void setRegistrationToken(String clientId, String token) {
        StoredClient e = store.find(clientId).orElseThrow(() -> OAuthError.notFound("no client " + clientId));
        store.update(new StoredClient(e.client(), e.secretDigest(), e.secretEncrypted(), Secrets.digest(token),
                e.createdAt(), clock.instant().getEpochSecond()));
    }

    public boolean remove(String clientId) {
        return store.delete(clientId);
    }

    public Optional<StoredClient> find(String clientId) {
        return store.find(clientId);
    }

    /** The plaintext HMAC key of a {@code client_secret_jwt} client. */
    public String hmacSecret(StoredClient client) {
        return masterKey.decrypt(secretPurpose(client.clientId()), client.secretEncrypted());
    }

    /** A {@code client_secret_jwt} secret (an HMAC key) as stored: encrypted under the master key for this client. */
    public String encryptSecret(String clientId, String secret) {
        return masterKey.encrypt(secretPurpose(clientId), secret);
    }

    public static String secretPurpose(String clientId) {
        return "client-secret:" + clientId;
    }

    private static String checkGivenSecret(Client client, String secret) {
        if (secret.length() < MIN_SECRET_LENGTH) {
            throw OAuthError.invalidClientMetadata("client_secret must be at least " + MIN_SECRET_LENGTH
                    + " characters (it is stored as a SHA-256 digest, so it must not be guessable); omit it to have one generated");
        }
        if (secret.length() > MAX_SECRET_LENGTH) {
            throw OAuthError.invalidClientMetadata("client_secret must be at most " + MAX_SECRET_LENGTH + " characters");
        }
        checkHmacKey(client, secret, null);
        return secret;
    }

    /**
     * RFC 7518 §3.2: a {@code client_secret_jwt} secret is an HMAC key, at least as long as the hash
     * of the client's {@code token_endpoint_auth_signing_alg} (HS256 32, HS384 48, HS512 64 bytes).
     * Without a registered algorithm, the algorithm of each assertion is checked when it is presented.
     *
     * @param hint what to do about it, or null
     */
    public static void checkHmacKey(Client client, String secret, String hint) {
        String alg = client.tokenEndpointAuthSigningAlg();
        if (!client.usesEncryptedSecret() || alg == null) {
            return;
        }
        try {
            JwsAlgorithms.requireMacLength(JWSAlgorithm.parse(alg), secret);
        } catch (JOSEException e) {
            throw OAuthError.invalidClientMetadata("client_secret is too short for token_endpoint_auth_signing_alg " + alg + ": "
                    + e.getMessage() + (hint == null ? "" : "; " + hint));
        }
    }

    /** Applies defaults and checks every field; the result is what gets stored. */
    public Client normalize(Client c, boolean addUnknownScopes) {
        if (c.clientId() != null && !CLIENT_ID.matcher(c.clientId()).matches()) {
            throw OAuthError.invalidClientMetadata("client_id may hold only letters, digits and . _ ~ : @ + - / (1-200 characters)");
        }
        String method = c.tokenEndpointAuthMethod() == null ? Client.BASIC : c.tokenEndpointAuthMethod();
        if (!Client.AUTH_METHODS.contains(method) && !Client.NONE.equals(method)) {
            throw OAuthError.invalidClientMetadata("token_endpoint_auth_method must be one of " + String.join(", ", Client.AUTH_METHODS)
                    + " or none (public code-flow clients)");
        }
        String alg = c.tokenEndpointAuthSigningAlg();
        if (alg != null) {
            if (Client.PRIVATE_KEY_JWT.equals(method) && !JwsAlgorithms.asymmetricNames().contains(alg)) {
                throw OAuthError.invalidClientMetadata("token_endpoint_auth_signing_alg for private_key_jwt must be one of "
                        + String.join(", ", JwsAlgorithms.asymmetricNames()));
            } else if (Client.SECRET_JWT.equals(method) && !JwsAlgorithms.hmacNames().contains(alg)) {
                throw OAuthError.invalidClientMetadata("token_endpoint_auth_signing_alg for client_secret_jwt must be one of "
                        + String.join(", ", JwsAlgorithms.hmacNames()));
            } else if (!Client.PRIVATE_KEY_JWT.equals(method) && !Client.SECRET_JWT.equals(method)) {
                throw OAuthError.invalidClientMetadata("token_endpoint_auth_signing_alg applies only to private_key_jwt and client_secret_jwt");
            }
        }
        if (c.jwks() != null && c.jwksUri() != null) {
            throw OAuthError.invalidClientMetadata("jwks and jwks_uri must not both be given (RFC 7591 §2)");
        }
        if (c.jwks() != null) {
            checkJwks(c.jwks(), alg);
        }
        if (c.jwksUri() != null) {
            checkUri("jwks_uri", c.jwksUri(), false);
            try {
                outbound.check(c.jwksUri());
            } catch (FetchException e) {
                // refused now with the reason every later fetch would give
                throw OAuthError.invalidClientMetadata("jwks_uri " + e.getMessage());
            }
        }
        if (Client.PRIVATE_KEY_JWT.equals(method) && c.jwks() == null && c.jwksUri() == null) {
            throw OAuthError.invalidClientMetadata("private_key_jwt needs jwks or jwks_uri");
        }
        checkNoNullElements("grant_types", c.grantTypes());
        checkNoNullElements("response_types", c.responseTypes());
        checkNoNullElements("redirect_uris", c.redirectUris());
        checkNoNullElements("allowed_resources", c.allowedResources());
        checkNoNullElements("resource_uris", c.resourceUris());
        List<String> grants = c.grantTypes() == null ? List.of("client_credentials") : List.copyOf(new java.util.LinkedHashSet<>(c.grantTypes()));
        for (String g : grants) {
            if (!SUPPORTED_GRANTS.contains(g)) {
                throw OAuthError.invalidClientMetadata("grant type " + g + " is not supported (supported: "
                        + String.join(", ", new java.util.TreeSet<>(SUPPORTED_GRANTS)) + ")");
            }
        }
        boolean codeFlow = grants.contains("authorization_code");
        List<String> responseTypes = c.responseTypes() == null ? (codeFlow ? List.of("code") : List.of()) : List.copyOf(new java.util.LinkedHashSet<>(c.responseTypes()));
        for (String rt : responseTypes) {
            if (!rt.equals("code")) {
                throw OAuthError.invalidClientMetadata("response type " + rt + " is not supported (only code)");
            }
        }
        // RFC 7591 §2.1: response_types and grant_types must agree
        if (codeFlow != responseTypes.contains("code")) {
            throw OAuthError.invalidClientMetadata("response_types code and grant_types authorization_code go together");
        }
        if (codeFlow && (c.redirectUris() == null || c.redirectUris().isEmpty())) {
            throw OAuthError.invalidClientMetadata("redirect_uris are required for the authorization_code grant");
        }
        if (Client.NONE.equals(method) && (!codeFlow || grants.contains("client_credentials"))) {
            throw OAuthError.invalidClientMetadata("token_endpoint_auth_method none is only for public clients of the authorization_code grant "
                    + "(and they cannot use client_credentials)");
        }
        if (Client.NONE.equals(method) && Boolean.FALSE.equals(c.requirePkce())) {
            throw OAuthError.invalidClientMetadata("require_pkce cannot be false for a public client (RFC 9700 §2.1.1)");
        }
        if (c.refreshTokensAlways() && !grants.contains("refresh_token")) {
            throw OAuthError.invalidClientMetadata("refresh_tokens needs the grant type refresh_token");
        }
        for (var lifetime : java.util.Map.of("refresh_token_idle_lifetime", java.util.Optional.ofNullable(c.refreshTokenIdleLifetime()),
                "refresh_token_absolute_lifetime", java.util.Optional.ofNullable(c.refreshTokenAbsoluteLifetime())).entrySet()) {
            if (lifetime.getValue().isPresent() && lifetime.getValue().get() < 1) {
                throw OAuthError.invalidClientMetadata(lifetime.getKey() + " must be at least 1 second");
            }
        }
        if (c.refreshTokenIdleLifetime() != null && c.refreshTokenAbsoluteLifetime() != null
                && c.refreshTokenIdleLifetime() > c.refreshTokenAbsoluteLifetime()) {
            throw OAuthError.invalidClientMetadata("refresh_token_idle_lifetime must not exceed refresh_token_absolute_lifetime");
        }
        String scope = null;
        if (c.scope() != null && !c.scope().isBlank()) {
            List<String> list = new ArrayList<>(new java.util.LinkedHashSet<>(List.of(c.scope().trim().split("\\s+"))));
            for (String s : list) {
                if (!ScopeCatalogue.validToken(s)) {
                    throw OAuthError.invalidClientMetadata("scope '" + s + "' is not a valid scope token (RFC 6749 §3.3)");
                }
                if (s.length() > ScopeCatalogue.MAX_NAME_LENGTH) {
                    throw OAuthError.invalidClientMetadata("scope names are at most " + ScopeCatalogue.MAX_NAME_LENGTH + " characters");
                }
                try {
                    ScopeCatalogue.checkWellFormed(s);
                } catch (IllegalArgumentException e) {
                    throw OAuthError.invalidClientMetadata("scope " + s + " is not a well-formed SMART scope: " + e.getMessage());
                }
                if (!scopes.offers(s)) {
                    if (addUnknownScopes) {
                        scopes.put(s, null);
                    } else {
                        throw OAuthError.invalidClientMetadata("scope " + s + " is not offered by this server");
                    }
                }
            }
            scope = String.join(" ", list);
        }
        if (c.redirectUris() != null) {
            for (String u : c.redirectUris()) {
                checkUri("redirect_uris", u, true);
            }
        }
        if (c.allowedResources() != null) {
            for (String u : c.allowedResources()) checkResource("allowed_resources", u);
        }
        if (c.resourceUris() != null) {
            for (String u : c.resourceUris()) checkResource("resource_uris", u);
        }
        if (c.accessTokenLifetime() != null && (c.accessTokenLifetime() < 1 || c.accessTokenLifetime() > maxAccessTokenLifetime.toSeconds())) {
            throw OAuthError.invalidClientMetadata("access_token_lifetime must be 1-" + maxAccessTokenLifetime.toSeconds() + " seconds");
        }
        if (c.accessTokenFormat() != null && !Set.of("jwt", "opaque").contains(c.accessTokenFormat())) {
            throw OAuthError.invalidClientMetadata("access_token_format must be jwt or opaque");
        }
        if (c.accessTokenSignedResponseAlg() != null && !JwsAlgorithms.asymmetricNames().contains(c.accessTokenSignedResponseAlg())) {
            throw OAuthError.invalidClientMetadata("access_token_signed_response_alg must be one of " + String.join(", ", JwsAlgorithms.asymmetricNames()));
        }
        if (c.applicationType() != null && !Set.of("web", "native").contains(c.applicationType())) {
            throw OAuthError.invalidClientMetadata("application_type must be web or native");
        }
        if (c.idTokenSignedResponseAlg() != null && !JwsAlgorithms.asymmetricNames().contains(c.idTokenSignedResponseAlg())) {
            throw OAuthError.invalidClientMetadata("id_token_signed_response_alg must be one of " + String.join(", ", JwsAlgorithms.asymmetricNames()));
        }
        if (c.defaultMaxAge() != null && c.defaultMaxAge() < 0) {
            throw OAuthError.invalidClientMetadata("default_max_age must not be negative");
        }
        for (var field : java.util.Map.of("client_uri", java.util.Optional.ofNullable(c.clientUri()), "logo_uri", java.util.Optional.ofNullable(c.logoUri()),
                "policy_uri", java.util.Optional.ofNullable(c.policyUri()), "tos_uri", java.util.Optional.ofNullable(c.tosUri())).entrySet()) {
            if (field.getValue().isPresent() && !field.getValue().get().startsWith("https://")) {
                // shown to people on the consent page: https only (no javascript:, data: or plain http links)
                throw OAuthError.invalidClientMetadata(field.getKey() + " must be an https URL");
            }
            if (field.getValue().isPresent()) {
                checkUri(field.getKey(), field.getValue().get(), false);
            }
        }
        if (c.initiateLoginUri() != null) {
            checkLaunchUri(c.initiateLoginUri());
        }
        if (c.postLogoutRedirectUris() != null) {
            for (String u : c.postLogoutRedirectUris()) {
                if (u == null) throw OAuthError.invalidClientMetadata("post_logout_redirect_uris must not hold null");
                checkUri("post_logout_redirect_uris", u, true);
            }
        }
        if (c.clientName() != null && c.clientName().length() > 200) {
            throw OAuthError.invalidClientMetadata("client_name is longer than 200 characters");
        }
        return c.toBuilder().tokenEndpointAuthMethod(method).grantTypes(grants).responseTypes(responseTypes).scope(scope)
                .clientSecretExpiresAt(method.equals(Client.PRIVATE_KEY_JWT) || method.equals(Client.NONE) ? null : 0L).build();
    }

    /** JSON allows {@code [null]} where a list of strings belongs; it is bad metadata, not a crash. */
    private static void checkNoNullElements(String field, List<String> values) {
        if (values != null && values.stream().anyMatch(java.util.Objects::isNull)) {
            throw OAuthError.invalidClientMetadata(field + " must not contain null");
        }
    }

    private static void checkJwks(Map<String, Object> jwks, String alg) {
        JWKSet set;
        try {
            set = JWKSet.parse(jwks);
        } catch (ParseException e) {
            throw OAuthError.invalidClientMetadata("jwks is not a valid JWK Set: " + e.getMessage());
        }
        if (set.getKeys().isEmpty()) {
            throw OAuthError.invalidClientMetadata("jwks holds no keys");
        }
        Set<String> kids = new HashSet<>();
        for (JWK key : set.getKeys()) {
            if (key.isPrivate()) {
                throw OAuthError.invalidClientMetadata("jwks must hold public keys only (key " + key.getKeyID() + " has private parts)");
            }
            if (key.getKeyID() != null && !kids.add(key.getKeyID())) {
                throw OAuthError.invalidClientMetadata("jwks has two keys with kid " + key.getKeyID());
            }
            boolean usable = JwsAlgorithms.ASYMMETRIC.stream().anyMatch(a -> JwsAlgorithms.fits(key, a));
            if (!usable) {
                throw OAuthError.invalidClientMetadata("jwks key " + key.getKeyID() + " is not a usable signature key (RSA ≥ 2048, EC P-256/384/521, Ed25519)");
            }
        }
        if (alg != null && JwsAlgorithms.asymmetricNames().contains(alg)) {
            JWSAlgorithm a = JWSAlgorithm.parse(alg);
            if (set.getKeys().stream().noneMatch(k -> JwsAlgorithms.fits(k, a))) {
                throw OAuthError.invalidClientMetadata("jwks holds no key for token_endpoint_auth_signing_alg " + alg);
            }
        }
    }

    private static void checkUri(String field, String value, boolean allowCustomScheme) {
        try {
            URI uri = new URI(value);
            if (!uri.isAbsolute() || uri.getFragment() != null) {
                String description = field + ": " + value + " must be an absolute URI without fragment";
                // RFC 7591 §3.2.2: a bad redirection URI has its own error code
                throw field.equals("redirect_uris") ? OAuthError.invalidRedirectUri(description)
                        : OAuthError.invalidClientMetadata(description);
            }
            if (!allowCustomScheme && !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
                throw OAuthError.invalidClientMetadata(field + ": " + value + " must be an http(s) URL");
            }
        } catch (URISyntaxException e) {
            throw (field.equals("redirect_uris") ? OAuthError.invalidRedirectUri(field + ": " + value + " is not a URI")
                    : OAuthError.invalidClientMetadata(field + ": " + value + " is not a URI"));
        }
    }

    /**
     * OIDC Registration §2: {@code initiate_login_uri} is https; plain http is accepted on loopback only
     * ({@code localhost}, {@code 127.0.0.1}, {@code [::1]}), where apps under development run. A launch
     * URL carries {@code iss} and {@code launch} in its query, so it may have a query but no fragment.
     */
    private static void checkLaunchUri(String value) {
        checkUri("initiate_login_uri", value, false);
        URI uri = URI.create(value);
        boolean loopback = "localhost".equals(uri.getHost()) || "127.0.0.1".equals(uri.getHost()) || "[::1]".equals(uri.getHost());
        if (uri.getHost() == null || !("https".equals(uri.getScheme()) || loopback) || uri.getUserInfo() != null) {
            throw OAuthError.invalidClientMetadata("initiate_login_uri must be an https URL (http only on localhost or a loopback address)");
        }
    }

    /** RFC 8707 §2: a resource indicator is an absolute URI without a fragment. */
    public static boolean validResource(String value) {
        try {
            URI uri = new URI(value);
            return uri.isAbsolute() && uri.getFragment() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static void checkResource(String field, String value) {
        if (!validResource(value)) {
            throw OAuthError.invalidClientMetadata(field + ": " + value + " must be an absolute URI without fragment (RFC 8707)");
        }
    }
}
