package dev.latch.client.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.client.OAuthClientException;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.core.jose.KeyFiles;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Makes JWT client assertions (RFC 7523 §2.2, §3) and JWT-bearer grant assertions (RFC 7523 §2.1).
 * Every {@link #sign} makes a new one: a fresh random {@code jti} (192 bits), {@code iat} now and
 * {@code exp} one lifetime later by the injected {@link Clock}.
 *
 * <p>{@code aud} follows the {@link Audience} policy and nothing else: the issuer (the default, as
 * draft-ietf-oauth-rfc7523bis asks) or exactly the URL the assertion is posted to. It is never taken
 * from any other metadata value, so an assertion cannot be replayed at another endpoint the metadata
 * happens to name.
 */
public final class ClientAssertion {

    /** What {@code aud} holds. */
    public enum Audience {
        /** The authorization server's issuer identifier (draft-ietf-oauth-rfc7523bis). */
        ISSUER,
        /** Exactly the URL the assertion is posted to (Epic, Entra ID, Google). */
        TOKEN_ENDPOINT
    }

    /** The longest lifetime allowed: servers (Latch, Epic) refuse {@code exp} more than 5 minutes ahead. */
    public static final Duration MAX_LIFETIME = Duration.ofMinutes(5);
    public static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);

    private static final Set<String> RESERVED = Set.of("iss", "sub", "aud", "jti", "iat", "exp", "nbf");
    private static final SecureRandom RANDOM = new SecureRandom();

    enum Preset { NONE, EPIC, ENTRA_ID, GOOGLE }

    private final String clientId;
    private final JWSAlgorithm algorithm;
    private final JWSSigner signer;
    private final String keyId;
    private final Base64URL x5t;
    private final Base64URL x5tS256;
    private final JOSEObjectType type;
    private final URI jku;
    private final Audience audience;
    private final Duration lifetime;
    private final Clock clock;
    private final String issuer;
    private final String subject;
    private final Map<String, Object> extraClaims;

    private ClientAssertion(Builder b, JWSSigner signer, Base64URL x5t, Base64URL x5tS256) {
        this.clientId = b.clientId;
        this.algorithm = b.algorithm;
        this.signer = signer;
        this.keyId = b.keyId;
        this.x5t = x5t;
        this.x5tS256 = x5tS256;
        this.type = b.type == null ? null : new JOSEObjectType(b.type);
        this.jku = b.jku;
        this.audience = b.audience;
        this.lifetime = b.lifetime;
        this.clock = b.clock;
        this.issuer = b.issuer == null ? b.clientId : b.issuer;
        this.subject = b.subjectSet ? b.subject : b.clientId;
        this.extraClaims = Map.copyOf(b.extraClaims);
    }

    public static Builder builder(String clientId) {
        return new Builder(clientId);
    }

    public String clientId() { return clientId; }
    public JWSAlgorithm algorithm() { return algorithm; }
    public boolean isHmac() { return JwsAlgorithms.isHmac(algorithm); }
    public Audience audience() { return audience; }
    public Duration lifetime() { return lifetime; }

    /** The {@code aud} this assertion gets when posted to {@code endpoint} of {@code issuer}. */
    public String audienceFor(URI issuer, URI endpoint) {
        if (audience == Audience.TOKEN_ENDPOINT) {
            return Objects.requireNonNull(endpoint, "endpoint").toString();
        }
        if (issuer == null) {
            throw new OAuthClientException("the assertion audience is the issuer, but only a token endpoint is configured:"
                    + " configure the issuer or choose the TOKEN_ENDPOINT audience");
        }
        return issuer.toString();
    }

    /** The claims of a new assertion (fresh {@code jti}, {@code iat}, {@code exp}). */
    public JWTClaimsSet newClaims(URI issuer, URI endpoint) {
        Instant now = clock.instant();
        byte[] jti = new byte[24];
        RANDOM.nextBytes(jti);
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(this.issuer)
                .subject(subject)
                .audience(audienceFor(issuer, endpoint))
                .jwtID(Base64URL.encode(jti).toString())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(lifetime)));
        extraClaims.forEach(claims::claim);
        return claims.build();
    }

    /** A new signed assertion, compact serialization, for a request posted to {@code endpoint}. */
    public String sign(URI issuer, URI endpoint) {
        JWSHeader.Builder header = new JWSHeader.Builder(algorithm).keyID(keyId).type(type).jwkURL(jku);
        if (x5t != null) {
            header.x509CertThumbprint(x5t);
        }
        if (x5tS256 != null) {
            header.x509CertSHA256Thumbprint(x5tS256);
        }
        SignedJWT jwt = new SignedJWT(header.build(), newClaims(issuer, endpoint));
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new OAuthClientException("cannot sign the client assertion with " + algorithm + ": " + e.getMessage(), e);
        }
        return jwt.serialize();
    }

    @Override
    public String toString() {
        return "ClientAssertion[clientId=" + clientId + ", alg=" + algorithm + ", aud=" + audience + ", kid=" + keyId + "]";
    }

    /** Builds a {@link ClientAssertion}; {@link #key} or {@link #secret} is required. */
    public static final class Builder {
        private final String clientId;
        private JWSAlgorithm algorithm;
        private JWK key;
        private byte[] secret;
        private String keyId;
        private boolean keyIdSet;
        private boolean x5t;
        private boolean x5tS256;
        private X509Certificate certificate;
        private String type;
        private URI jku;
        private Audience audience = Audience.ISSUER;
        private Duration lifetime = DEFAULT_LIFETIME;
        private Clock clock = Clock.systemUTC();
        private String issuer;
        private String subject;
        private boolean subjectSet;
        private final Map<String, Object> extraClaims = new LinkedHashMap<>();
        Preset preset = Preset.NONE;

        private Builder(String clientId) {
            if (clientId == null || clientId.isEmpty()) {
                throw new IllegalArgumentException("client id is required");
            }
            this.clientId = clientId;
        }

        /** Sign with a private key and an asymmetric algorithm of {@link JwsAlgorithms#ASYMMETRIC} ({@code private_key_jwt}). */
        public Builder key(JWK key, JWSAlgorithm algorithm) {
            this.key = Objects.requireNonNull(key, "key");
            this.secret = null;
            this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
            return this;
        }

        /** Sign with the client secret as HMAC key, HS256/384/512 ({@code client_secret_jwt}, RFC 7518 §3.2). */
        public Builder secret(String secret, JWSAlgorithm algorithm) {
            if (secret == null || secret.isEmpty()) {
                throw new IllegalArgumentException("client secret is required");
            }
            this.secret = secret.getBytes(StandardCharsets.UTF_8);
            this.key = null;
            this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
            return this;
        }

        /** The {@code kid} header; by default the key's own {@code kid}; null leaves it out. */
        public Builder keyId(String keyId) {
            this.keyId = keyId;
            this.keyIdSet = true;
            return this;
        }

        /** Adds {@code x5t}, the SHA-1 thumbprint of the certificate (RFC 7515 §4.1.7), as Entra ID's v1 examples use. */
        public Builder x5t(boolean on) {
            this.x5t = on;
            return this;
        }

        /** Adds {@code x5t#S256}, the SHA-256 thumbprint of the certificate (RFC 7515 §4.1.8). */
        public Builder x5tS256(boolean on) {
            this.x5tS256 = on;
            return this;
        }

        /** The key's certificate, for the thumbprints; by default the first of the key's {@code x5c}. */
        public Builder certificate(X509Certificate certificate) {
            this.certificate = certificate;
            return this;
        }

        /** The {@code typ} header, e.g. {@code client-authentication+jwt}; absent by default. */
        public Builder type(String type) {
            this.type = type;
            return this;
        }

        /** The {@code jku} header: where the server may fetch the client's JWKS (only honoured if registered). */
        public Builder jwkSetUrl(URI jku) {
            this.jku = jku;
            return this;
        }

        public Builder audience(Audience audience) {
            this.audience = Objects.requireNonNull(audience, "audience");
            return this;
        }

        /** How long each assertion is valid: at most {@link #MAX_LIFETIME}; 60 s by default. */
        public Builder lifetime(Duration lifetime) {
            if (lifetime == null || lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_LIFETIME) > 0) {
                throw new IllegalArgumentException("assertion lifetime must be more than 0 and at most 5 minutes, not " + lifetime);
            }
            this.lifetime = lifetime;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** {@code iss}; the client id by default (a Google service account uses its email). */
        public Builder issuer(String issuer) {
            this.issuer = issuer;
            return this;
        }

        /** {@code sub}; the client id by default; null leaves it out (RFC 7523 §3 requires it for client assertions). */
        public Builder subject(String subject) {
            this.subject = subject;
            this.subjectSet = true;
            return this;
        }

        /** A further claim (e.g. Google's {@code scope}); the registered time, id and party claims cannot be set. */
        public Builder claim(String name, Object value) {
            if (RESERVED.contains(name)) {
                throw new IllegalArgumentException("claim " + name + " is set by the assertion itself");
            }
            extraClaims.put(name, value);
            return this;
        }

        public ClientAssertion build() {
            if (algorithm == null) {
                throw new IllegalArgumentException("a key or a secret is required");
            }
            JWSSigner signer;
            if (secret != null) {
                if (!JwsAlgorithms.isHmac(algorithm)) {
                    throw new IllegalArgumentException("a client secret signs only HS256, HS384 or HS512, not " + algorithm);
                }
                int needed = Integer.parseInt(algorithm.getName().substring(2)) / 8;
                if (secret.length < needed) {
                    throw new IllegalArgumentException("the client secret is too short for " + algorithm + ": " + secret.length
                            + " bytes, at least " + needed + " needed (RFC 7518 §3.2)");
                }
                try {
                    signer = new MACSigner(secret);
                } catch (JOSEException e) {
                    throw new IllegalArgumentException(e.getMessage(), e);
                }
                if (x5t || x5tS256) {
                    throw new IllegalArgumentException("certificate thumbprints need a private key, not a secret");
                }
            } else {
                if (!JwsAlgorithms.ASYMMETRIC.contains(algorithm)) {
                    throw new IllegalArgumentException("unsupported signing algorithm " + algorithm
                            + " (supported: " + String.join(", ", JwsAlgorithms.asymmetricNames()) + ")");
                }
                if (!key.isPrivate()) {
                    throw new IllegalArgumentException("the key has no private part");
                }
                if (!JwsAlgorithms.fits(key, algorithm)) {
                    throw new IllegalArgumentException("a " + describe(key) + " key cannot sign " + algorithm);
                }
                try {
                    signer = JwsAlgorithms.signer(key, algorithm);
                } catch (JOSEException e) {
                    throw new IllegalArgumentException(e.getMessage(), e);
                } catch (NoClassDefFoundError e) {
                    // Nimbus signs Ed25519 with Tink, an optional dependency: say so instead of a NoClassDefFoundError
                    throw new IllegalArgumentException("signing " + algorithm + " needs com.google.crypto.tink:tink on the classpath"
                            + " (an optional dependency of latch-client)", e);
                }
                if (!keyIdSet) {
                    keyId = key.getKeyID();
                }
            }
            Base64URL sha1 = null;
            Base64URL sha256 = null;
            if (x5t || x5tS256) {
                X509Certificate cert = certificate();
                if (cert == null) {
                    throw new IllegalArgumentException("x5t/x5t#S256 need the key's certificate: give it or load a key file that has one");
                }
                try {
                    sha1 = x5t ? KeyFiles.x5t(cert) : null;
                    sha256 = x5tS256 ? KeyFiles.x5tS256(cert) : null;
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                }
            }
            if ("client-authentication+jwt".equalsIgnoreCase(type) && audience != Audience.ISSUER) {
                // draft-ietf-oauth-rfc7523bis: an explicitly typed client assertion names the issuer as its audience
                throw new IllegalArgumentException("a client-authentication+jwt assertion must have the ISSUER audience");
            }
            checkPreset();
            return new ClientAssertion(this, signer, sha1, sha256);
        }

        private X509Certificate certificate() {
            if (certificate != null) {
                return certificate;
            }
            if (key == null) {
                return null;
            }
            try {
                List<X509Certificate> chain = KeyFiles.certificates(key);
                return chain.isEmpty() ? null : chain.get(0);
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("the key's x5c certificate is unreadable: " + e.getMessage(), e);
            }
        }

        private void checkPreset() {
            switch (preset) {
                case EPIC -> {
                    if (!JWSAlgorithm.RS384.equals(algorithm) && !JWSAlgorithm.ES384.equals(algorithm)) {
                        throw new IllegalArgumentException("Epic backend services accept RS384 or ES384 only, not " + algorithm);
                    }
                    requireTokenEndpointAudience("Epic backend services");
                    requireKeyId("Epic backend services");
                }
                case ENTRA_ID -> {
                    if (!JWSAlgorithm.PS256.equals(algorithm)) {
                        throw new IllegalArgumentException("Entra ID certificate credentials are signed PS256, not " + algorithm);
                    }
                    if (!x5tS256) {
                        throw new IllegalArgumentException("Entra ID certificate credentials need the x5t#S256 header");
                    }
                    requireTokenEndpointAudience("Entra ID");
                }
                case GOOGLE -> {
                    if (!JWSAlgorithm.RS256.equals(algorithm)) {
                        throw new IllegalArgumentException("Google service accounts sign RS256, not " + algorithm);
                    }
                    requireTokenEndpointAudience("Google");
                    requireKeyId("Google");
                }
                case NONE -> { }
            }
        }

        private void requireTokenEndpointAudience(String provider) {
            if (audience != Audience.TOKEN_ENDPOINT) {
                throw new IllegalArgumentException(provider + " needs aud = the token URL (TOKEN_ENDPOINT audience)");
            }
        }

        private void requireKeyId(String provider) {
            if (keyId == null || keyId.isEmpty()) {
                throw new IllegalArgumentException(provider + " needs a kid header: give the key a kid");
            }
        }

        private static String describe(JWK key) {
            if (key instanceof com.nimbusds.jose.jwk.ECKey ec) return "EC " + ec.getCurve();
            if (key instanceof com.nimbusds.jose.jwk.OctetKeyPair okp) return "OKP " + okp.getCurve();
            if (key instanceof com.nimbusds.jose.jwk.RSAKey rsa) return "RSA " + rsa.size() + "-bit";
            return key.getKeyType().getValue();
        }
    }
}
