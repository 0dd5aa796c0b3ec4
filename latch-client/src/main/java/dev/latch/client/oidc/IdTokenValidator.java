package dev.latch.client.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.client.OAuthClientException;
import dev.latch.client.discovery.ProviderMetadata;
import dev.latch.client.fetch.EndpointUrls;
import dev.latch.client.jwks.JwksUnavailableException;
import dev.latch.client.jwks.RemoteJwks;
import dev.latch.core.jose.JwsAlgorithms;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Validates ID tokens as OIDC Core §3.1.3.7 (and §12.2 for refreshes) asks: the signature against the
 * issuer's JWKS with an algorithm from the allow-list (the metadata's
 * {@code id_token_signing_alg_values_supported} that are asymmetric, RS256 when it names none), never
 * {@code none} and never HMAC; {@code iss} exactly; {@code aud} containing the client; {@code azp} when
 * there are several audiences or it is present; {@code exp} and {@code iat} with the clock-skew
 * allowance; {@code nonce} when one was sent; {@code at_hash} when present and the access token known.
 *
 * <p>The JWKS is fetched from {@code jwks_uri} by {@link RemoteJwks}: kept for {@code jwksTtl} (5 minutes,
 * then refreshed in the background), and fetched again when a token names a key it does not hold (at
 * most once per 30 s, so junk tokens cannot make it hammer the provider).
 */
public final class IdTokenValidator {

    private final String issuer;
    private final String clientId;
    private final Set<JWSAlgorithm> allowed;
    private final Clock clock;
    private final Duration skew;
    private final RemoteJwks jwks;

    private IdTokenValidator(Builder b) {
        this.issuer = b.issuer;
        this.clientId = b.clientId;
        this.allowed = Set.copyOf(b.algorithms);
        this.clock = b.clock;
        this.skew = b.skew;
        // a given JWKS is never fetched; a remote one is fetched again for an unknown kid at most every 30 s
        this.jwks = b.jwks != null ? RemoteJwks.fixed(b.jwks)
                : RemoteJwks.builder(b.jwksUri).httpClient(b.http).clock(b.clock).ttl(b.jwksTtl)
                        .refetchInterval(Duration.ofSeconds(30)).timeout(Duration.ofSeconds(30)).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A validator for {@code clientId} at the provider described by {@code metadata}. */
    public static IdTokenValidator of(ProviderMetadata metadata, String clientId) {
        return builder().metadata(metadata).clientId(clientId).build();
    }

    /**
     * Validates {@code idToken}.
     *
     * @param expectedNonce the nonce sent in the authorization request, or null (e.g. after a refresh)
     * @param accessToken   the access token issued with it, to check {@code at_hash}; or null
     * @return the validated claims
     * @throws IdTokenValidationException saying which check failed
     */
    public JWTClaimsSet validate(String idToken, String expectedNonce, String accessToken) {
        JWT parsed;
        try {
            parsed = dev.latch.core.jose.JwtParsing.jwt(idToken);
        } catch (java.text.ParseException e) {
            throw new IdTokenValidationException("the ID token is not a JWT: " + e.getMessage(), e);
        }
        if (!(parsed instanceof SignedJWT jwt)) {
            throw new IdTokenValidationException("the ID token is not signed (alg " + parsed.getHeader().getAlgorithm() + ")");
        }
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        if (JwsAlgorithms.isHmac(alg)) {
            throw new IdTokenValidationException("the ID token is signed with " + alg + "; only public-key signatures are accepted");
        }
        if (!allowed.contains(alg)) {
            throw new IdTokenValidationException("the ID token is signed with " + alg + ", not one of the allowed " + names(allowed));
        }
        verifySignature(jwt, alg);
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (java.text.ParseException e) {
            throw new IdTokenValidationException("the ID token's claims are not a JSON object", e);
        }
        checkClaims(claims, expectedNonce);
        if (accessToken != null && claims.getClaim("at_hash") != null) {
            checkAtHash(claims, alg, accessToken);
        }
        return claims;
    }

    private void checkClaims(JWTClaimsSet claims, String expectedNonce) {
        if (!issuer.equals(claims.getIssuer())) {
            throw new IdTokenValidationException("the ID token's iss is " + claims.getIssuer() + ", not " + issuer);
        }
        if (claims.getSubject() == null || claims.getSubject().isEmpty()) {
            throw new IdTokenValidationException("the ID token has no sub");
        }
        List<String> aud = claims.getAudience();
        if (aud == null || !aud.contains(clientId)) {
            throw new IdTokenValidationException("the ID token's aud " + aud + " does not contain the client " + clientId);
        }
        Object azp = claims.getClaim("azp");
        if (aud.size() > 1 && azp == null) {
            throw new IdTokenValidationException("the ID token has several audiences but no azp");
        }
        if (azp != null && !clientId.equals(azp)) {
            throw new IdTokenValidationException("the ID token's azp is " + azp + ", not the client " + clientId);
        }
        Instant now = clock.instant();
        if (claims.getExpirationTime() == null) {
            throw new IdTokenValidationException("the ID token has no exp");
        }
        Instant exp = claims.getExpirationTime().toInstant();
        if (!now.isBefore(exp.plus(skew))) {
            throw new IdTokenValidationException("the ID token expired at " + exp + " (now " + now + ", skew " + skew.toSeconds() + " s)");
        }
        if (claims.getIssueTime() == null) {
            throw new IdTokenValidationException("the ID token has no iat");
        }
        Instant iat = claims.getIssueTime().toInstant();
        if (iat.isAfter(now.plus(skew))) {
            throw new IdTokenValidationException("the ID token was issued in the future (iat " + iat + ", now " + now + ")");
        }
        if (expectedNonce != null) {
            Object nonce = claims.getClaim("nonce");
            if (!expectedNonce.equals(nonce)) {
                throw new IdTokenValidationException(nonce == null ? "the ID token has no nonce, but one was sent"
                        : "the ID token's nonce does not match the one sent");
            }
        }
    }

    /** OIDC Core §3.1.3.6: the left half of the hash of the access token's ASCII octets, base64url. */
    private static void checkAtHash(JWTClaimsSet claims, JWSAlgorithm alg, String accessToken) {
        String expected = JwsAlgorithms.accessTokenHash(accessToken, alg);
        if (!expected.equals(claims.getClaim("at_hash"))) {
            throw new IdTokenValidationException("the ID token's at_hash does not match the access token");
        }
    }

    private void verifySignature(SignedJWT jwt, JWSAlgorithm alg) {
        String kid = jwt.getHeader().getKeyID();
        List<JWK> candidates;
        try {
            candidates = jwks.keysFor(kid, alg);
        } catch (JwksUnavailableException e) {
            throw new IdTokenValidationException(e.getMessage(), e);
        }
        if (candidates.isEmpty()) {
            throw new IdTokenValidationException("no key in the issuer's JWKS fits the ID token (kid " + kid + ", alg " + alg + ")");
        }
        for (JWK key : candidates) {
            try {
                JWSVerifier verifier = JwsAlgorithms.verifier(key, alg);
                if (jwt.verify(verifier)) {
                    return;
                }
            } catch (JOSEException e) {
                // try the next candidate
            }
        }
        throw new IdTokenValidationException("the ID token's signature is invalid");
    }

    private static String names(Set<JWSAlgorithm> algs) {
        return algs.stream().map(JWSAlgorithm::getName).sorted().toList().toString();
    }

    public static final class Builder {
        private String issuer;
        private String clientId;
        private Set<JWSAlgorithm> algorithms;
        private Clock clock = Clock.systemUTC();
        private Duration skew = Duration.ofSeconds(60);
        private URI jwksUri;
        private JWKSet jwks;
        private HttpClient http;
        private Duration jwksTtl = Duration.ofMinutes(5);

        /** Issuer, JWKS URI and algorithm allow-list from discovery. */
        public Builder metadata(ProviderMetadata metadata) {
            this.issuer = metadata.issuer();
            jwksUri(metadata.jwksUri());
            Set<JWSAlgorithm> algs = new LinkedHashSet<>();
            for (String name : metadata.idTokenSigningAlgValuesSupported()) {
                JWSAlgorithm alg = JWSAlgorithm.parse(name);
                if (JwsAlgorithms.ASYMMETRIC.contains(alg)) {
                    algs.add(alg);
                }
            }
            this.algorithms = algs.isEmpty() ? Set.of(JWSAlgorithm.RS256) : algs; // OIDC Discovery §3: RS256 must be supported
            return this;
        }

        public Builder issuer(String issuer) {
            this.issuer = issuer;
            return this;
        }

        public Builder clientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        /** The accepted algorithms; only asymmetric ones of {@link JwsAlgorithms#ASYMMETRIC} may be given. */
        public Builder algorithms(Set<JWSAlgorithm> algorithms) {
            for (JWSAlgorithm alg : algorithms) {
                if (!JwsAlgorithms.ASYMMETRIC.contains(alg)) {
                    throw new IllegalArgumentException("ID tokens are accepted only with public-key algorithms, not " + alg);
                }
            }
            this.algorithms = Set.copyOf(algorithms);
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** Allowance for clock differences on exp and iat (60 s). */
        public Builder clockSkew(Duration skew) {
            this.skew = Objects.requireNonNull(skew);
            return this;
        }

        /**
         * Where the issuer's keys are fetched from.
         *
         * @throws OAuthClientException when {@code uri} is not an absolute https URL (http only on a
         *                              loopback host; see {@link EndpointUrls})
         */
        public Builder jwksUri(URI uri) {
            if (uri != null) {
                RemoteJwks.checkUri(uri);
            }
            this.jwksUri = uri;
            return this;
        }

        /** A fixed JWKS (no fetching). */
        public Builder jwks(JWKSet jwks) {
            this.jwks = jwks;
            return this;
        }

        public Builder httpClient(HttpClient http) {
            this.http = http;
            return this;
        }

        public Builder jwksTtl(Duration ttl) {
            this.jwksTtl = Objects.requireNonNull(ttl);
            return this;
        }

        public IdTokenValidator build() {
            if (issuer == null || clientId == null) {
                throw new IllegalArgumentException("issuer and client id are required");
            }
            if (jwksUri == null && jwks == null) {
                throw new IllegalArgumentException("a JWKS or its URI is required");
            }
            if (algorithms == null) {
                algorithms = Set.of(JWSAlgorithm.RS256);
            }
            if (http == null) {
                http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
            }
            return new IdTokenValidator(this);
        }
    }
}
