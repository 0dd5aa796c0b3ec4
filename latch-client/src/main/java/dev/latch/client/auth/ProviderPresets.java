package dev.latch.client.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import dev.latch.client.keys.GoogleServiceAccountKey;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * Assertion settings that real providers demand, as builders the caller may still give a clock or
 * lifetime; {@link ClientAssertion.Builder#build()} refuses a change that breaks the provider's rules.
 */
public final class ProviderPresets {

    private ProviderPresets() {}

    /**
     * Epic backend services (SMART Backend Services as Epic runs it): RS384 or ES384, {@code aud} = the
     * token URL, {@code exp} at most 5 minutes ahead, a unique {@code jti}, {@code kid} of the key in the
     * registered JWKS, {@code typ: JWT}.
     */
    public static ClientAssertion.Builder epicBackendServices(String clientId, JWK key, JWSAlgorithm algorithm) {
        ClientAssertion.Builder b = ClientAssertion.builder(clientId).key(key, algorithm).type("JWT")
                .audience(ClientAssertion.Audience.TOKEN_ENDPOINT);
        b.preset = ClientAssertion.Preset.EPIC;
        return b;
    }

    /**
     * Microsoft Entra ID certificate credentials: PS256, {@code x5t#S256} of the certificate (the key
     * must carry it as x5c, see {@link dev.latch.client.keys.KeyLoader#withCertificates}), {@code aud}
     * = the v2.0 token URL the request is posted to ({@link #entraIdTokenEndpoint}).
     */
    public static ClientAssertion.Builder entraIdCertificate(String clientId, JWK keyWithCertificate) {
        ClientAssertion.Builder b = ClientAssertion.builder(clientId).key(keyWithCertificate, JWSAlgorithm.PS256)
                .x5tS256(true).type("JWT").audience(ClientAssertion.Audience.TOKEN_ENDPOINT);
        b.preset = ClientAssertion.Preset.ENTRA_ID;
        return b;
    }

    /** {@code https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token}. */
    public static URI entraIdTokenEndpoint(String tenant) {
        if (tenant == null || tenant.isBlank()) {
            throw new IllegalArgumentException("tenant is required");
        }
        return URI.create("https://login.microsoftonline.com/" + URLEncoder.encode(tenant, StandardCharsets.UTF_8) + "/oauth2/v2.0/token");
    }

    /** {@code https://login.microsoftonline.com/{tenant}/v2.0}, the v2.0 issuer. */
    public static URI entraIdIssuer(String tenant) {
        return URI.create("https://login.microsoftonline.com/" + URLEncoder.encode(tenant, StandardCharsets.UTF_8) + "/v2.0");
    }

    /**
     * A Google service account's JWT-bearer assertion (RFC 7523 §2.1): {@code iss} = client_email,
     * {@code scope} claim (space-separated), {@code aud} = token_uri (post the grant there), RS256,
     * {@code kid} = private_key_id, and {@code sub} = the mailbox to act for under domain-wide delegation
     * (null for the service account itself). Send it with
     * {@link dev.latch.client.token.TokenRequest#jwtBearer(ClientAssertion)} to {@code account.tokenUri()}.
     */
    public static ClientAssertion.Builder googleServiceAccount(GoogleServiceAccountKey account, Collection<String> scopes, String subject) {
        if (scopes == null || scopes.isEmpty()) {
            throw new IllegalArgumentException("Google service-account tokens need at least one scope");
        }
        ClientAssertion.Builder b = ClientAssertion.builder(account.clientEmail()).key(account.privateKey(), JWSAlgorithm.RS256)
                .keyId(account.privateKeyId()).type("JWT").issuer(account.clientEmail()).subject(subject)
                .audience(ClientAssertion.Audience.TOKEN_ENDPOINT).claim("scope", String.join(" ", scopes));
        b.preset = ClientAssertion.Preset.GOOGLE;
        return b;
    }
}
