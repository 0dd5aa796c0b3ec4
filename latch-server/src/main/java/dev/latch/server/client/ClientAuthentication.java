package dev.latch.server.client;

import dev.latch.server.secret.Secrets;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.core.error.OAuthError;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.server.http.FormParameters;
import dev.latch.server.http.Request;
import dev.latch.server.replay.ReplayCache;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Client authentication at the token, introspection and revocation endpoints (RFC 6749 §2.3,
 * RFC 7521 §4.2, RFC 7523 §2.2 and §3 with draft-ietf-oauth-rfc7523bis audience rules). A client
 * authenticates with exactly one method, and only with the one it registered.
 */
public final class ClientAuthentication {

    public static final String JWT_BEARER_ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    static final JOSEObjectType CLIENT_AUTH_TYP = new JOSEObjectType("client-authentication+jwt");
    static final Duration MAX_ASSERTION_LIFETIME = Duration.ofMinutes(5);
    static final Duration LEEWAY = Duration.ofSeconds(30);

    private final ClientRegistry registry;
    private final ClientKeys clientKeys;
    private final ReplayCache replay;
    private final Clock clock;
    private final String issuer;
    private final Set<String> endpointAudiences;
    private final Cache<String, Optional<StoredClient>> clients;

    /** The authenticated client and the method it used. */
    public record Authenticated(StoredClient stored, String method) {
        public Client client() {
            return stored.client();
        }
    }

    /**
     * @param endpointAudiences token and PAR endpoint URLs, also accepted as {@code aud} of untyped assertions
     * @param cacheFor          how long a looked-up client is reused (changes show within this time)
     */
    public ClientAuthentication(ClientRegistry registry, ClientKeys clientKeys, ReplayCache replay, Clock clock,
                                String issuer, Set<String> endpointAudiences, Duration cacheFor) {
        this.registry = registry;
        this.clientKeys = clientKeys;
        this.replay = replay;
        this.clock = clock;
        this.issuer = issuer;
        this.endpointAudiences = Set.copyOf(endpointAudiences);
        this.clients = Caffeine.newBuilder().expireAfterWrite(cacheFor).maximumSize(100_000).build();
    }

    /** Authenticates the client of {@code request}, whose form body is {@code form}. */
    public Authenticated authenticate(Request request, FormParameters form) {
        String authorization = request.header("authorization");
        boolean basic = authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6);
        if (authorization != null && !basic) {
            throw OAuthError.invalidRequest("unsupported Authorization scheme; use Basic or the request body");
        }
        if (request.headerValues("authorization").size() > 1) {
            throw OAuthError.invalidRequest("more than one Authorization header");
        }
        boolean post = form.has("client_secret");
        boolean assertion = form.has("client_assertion") || form.has("client_assertion_type");
        int methods = (basic ? 1 : 0) + (post ? 1 : 0) + (assertion ? 1 : 0);
        if (methods > 1) {
            throw OAuthError.invalidRequest("the client used more than one authentication method (RFC 6749 §2.3)");
        }
        if (basic) {
            return basic(authorization.substring(6).trim(), form);
        }
        if (post) {
            String clientId = form.get("client_id");
            if (clientId == null) {
                throw OAuthError.invalidClient("client_id is missing");
            }
            StoredClient c = known(clientId, false);
            requireMethod(c, Client.POST, false);
            checkSecret(c, form.get("client_secret"), false);
            return new Authenticated(c, Client.POST);
        }
        if (assertion) {
            return assertion(form);
        }
        String clientId = form.get("client_id");
        if (clientId == null) {
            throw OAuthError.invalidClient("client authentication is required");
        }
        StoredClient c = known(clientId, false);
        requireMethod(c, Client.NONE, false);
        return new Authenticated(c, Client.NONE);
    }

    private Authenticated basic(String encoded, FormParameters form) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw OAuthError.invalidClient("malformed Basic credentials").withBasicChallenge();
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            throw OAuthError.invalidClient("malformed Basic credentials").withBasicChallenge();
        }
        String clientId;
        String secret;
        try {
            // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
            clientId = URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8);
            secret = URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw OAuthError.invalidClient("malformed Basic credentials").withBasicChallenge();
        }
        if (clientId.isEmpty()) {
            throw OAuthError.invalidClient("malformed Basic credentials").withBasicChallenge();
        }
        String bodyId = form.get("client_id");
        if (bodyId != null && !bodyId.equals(clientId)) {
            throw OAuthError.invalidRequest("client_id in the body differs from the authenticated client");
        }
        StoredClient c = known(clientId, true);
        requireMethod(c, Client.BASIC, true);
        checkSecret(c, secret, true);
        return new Authenticated(c, Client.BASIC);
    }

    private Authenticated assertion(FormParameters form) {
        String type = form.get("client_assertion_type");
        if (!JWT_BEARER_ASSERTION.equals(type)) {
            throw OAuthError.invalidRequest(type == null ? "client_assertion_type is missing"
                    : "unsupported client_assertion_type (use " + JWT_BEARER_ASSERTION + ")");
        }
        String token = form.get("client_assertion");
        if (token == null) {
            throw OAuthError.invalidRequest("client_assertion is missing");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException | IllegalArgumentException e) {
            throw OAuthError.invalidClient("client_assertion is not a signed JWT").withDetail(e.getMessage());
        }
        String iss = claims.getIssuer();
        String sub = claims.getSubject();
        if (iss == null || sub == null || !iss.equals(sub)) {
            throw OAuthError.invalidClient("client_assertion iss and sub must both be the client_id");
        }
        String bodyId = form.get("client_id");
        if (bodyId != null && !bodyId.equals(sub)) {
            throw OAuthError.invalidClient("client_id differs from the client_assertion subject");
        }
        StoredClient stored = known(sub, false);
        JWSHeader header = jwt.getHeader();
        JWSAlgorithm alg = header.getAlgorithm();
        boolean hmac = JwsAlgorithms.isHmac(alg);
        String method = hmac ? Client.SECRET_JWT : Client.PRIVATE_KEY_JWT;
        if (!JwsAlgorithms.isSupported(alg)) {
            throw OAuthError.invalidClient("client_assertion algorithm " + alg + " is not accepted");
        }
        requireMethod(stored, method, false);
        Client client = stored.client();
        String registeredAlg = client.tokenEndpointAuthSigningAlg();
        if (registeredAlg != null && !registeredAlg.equals(alg.getName())
                && !(JwsAlgorithms.isEd25519(alg) && JwsAlgorithms.isEd25519(JWSAlgorithm.parse(registeredAlg)))) {
            throw OAuthError.invalidClient("client_assertion must be signed with " + registeredAlg);
        }
        checkType(header.getType(), claims, jwt.getPayload().toJSONObject().get("aud"));
        checkTimes(claims);
        if (claims.getJWTID() == null || claims.getJWTID().isBlank()) {
            throw OAuthError.invalidClient("client_assertion has no jti");
        }
        verifySignature(jwt, stored, alg, hmac);
        long expiresAt = claims.getExpirationTime().toInstant().getEpochSecond() + LEEWAY.toSeconds();
        if (!replay.firstUse(client.clientId(), claims.getJWTID(), expiresAt)) {
            throw OAuthError.invalidClient("client_assertion was already used (jti replay)");
        }
        return new Authenticated(stored, method);
    }

    /**
     * @param rawAud {@code aud} as sent: Nimbus turns a string into a one-element list in the claims
     *               set, so whether it was a string can only be read from the payload itself
     */
    private void checkType(JOSEObjectType typ, JWTClaimsSet claims, Object rawAud) {
        List<String> aud = claims.getAudience();
        if (aud == null || aud.isEmpty()) {
            throw OAuthError.invalidClient("client_assertion has no aud");
        }
        if (aud.size() != 1) {
            throw OAuthError.invalidClient("client_assertion aud must hold a single value: the issuer");
        }
        String audience = aud.get(0);
        String type = typ == null ? null : mediaSubtype(typ.getType());
        if (CLIENT_AUTH_TYP.getType().equalsIgnoreCase(type)) {
            if (!(rawAud instanceof String) || !issuer.equals(audience)) {
                throw OAuthError.invalidClient("a client-authentication+jwt assertion must have aud = the issuer " + issuer);
            }
            return;
        }
        if (type != null && !"JWT".equalsIgnoreCase(type)) {
            throw OAuthError.invalidClient("client_assertion typ " + typ + " is not accepted");
        }
        if (!issuer.equals(audience) && !endpointAudiences.contains(audience)) {
            throw OAuthError.invalidClient("client_assertion aud must be the issuer " + issuer + " or the token endpoint URL");
        }
    }

    /**
     * RFC 7515 §4.1.9: a {@code typ} without '/' stands for {@code application/} + the value, so
     * {@code application/client-authentication+jwt} and {@code client-authentication+jwt} are one type.
     */
    private static String mediaSubtype(String typ) {
        String prefix = "application/";
        return typ.regionMatches(true, 0, prefix, 0, prefix.length()) ? typ.substring(prefix.length()) : typ;
    }

    private void checkTimes(JWTClaimsSet claims) {
        Date exp = claims.getExpirationTime();
        long now = clock.millis();
        if (exp == null) {
            throw OAuthError.invalidClient("client_assertion has no exp");
        }
        if (exp.getTime() + LEEWAY.toMillis() <= now) {
            throw OAuthError.invalidClient("client_assertion has expired");
        }
        if (exp.getTime() > now + MAX_ASSERTION_LIFETIME.toMillis() + LEEWAY.toMillis()) {
            throw OAuthError.invalidClient("client_assertion exp is more than 5 minutes ahead");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && nbf.getTime() > now + LEEWAY.toMillis()) {
            throw OAuthError.invalidClient("client_assertion is not valid yet (nbf)");
        }
        Date iat = claims.getIssueTime();
        if (iat != null && iat.getTime() > now + LEEWAY.toMillis()) {
            throw OAuthError.invalidClient("client_assertion iat is in the future");
        }
    }

    private void verifySignature(SignedJWT jwt, StoredClient stored, JWSAlgorithm alg, boolean hmac) {
        JWSHeader header = jwt.getHeader();
        JWSVerifier verifier;
        try {
            if (hmac) {
                verifier = JwsAlgorithms.macVerifier(registry.hmacSecret(stored));
            } else {
                if (header.getJWKURL() != null && !header.getJWKURL().toString().equals(stored.client().jwksUri())) {
                    throw OAuthError.invalidClient("client_assertion jku is not the registered jwks_uri");
                }
                JWK key = selectKey(stored.client(), header, alg, false);
                if (key == null) {
                    key = selectKey(stored.client(), header, alg, true);
                }
                if (key == null) {
                    throw OAuthError.invalidClient("no registered key matches the client_assertion"
                            + (header.getKeyID() != null ? " (kid " + header.getKeyID() + ")" : ""));
                }
                verifier = JwsAlgorithms.verifier(key, alg);
            }
            if (!jwt.verify(verifier)) {
                throw OAuthError.invalidClient("client_assertion signature is invalid");
            }
        } catch (JOSEException e) {
            throw OAuthError.invalidClient("client_assertion signature cannot be verified").withDetail(e.getMessage());
        } catch (IllegalStateException e) {
            throw OAuthError.invalidClient("client_assertion cannot be verified").withDetail(e.getMessage());
        }
    }

    /**
     * RFC 7523bis key selection: by {@code kid}, else by {@code x5t#S256}, else the single registered
     * key whose type fits {@code alg}. Keys offered in the header ({@code jwk}, {@code x5c},
     * {@code x5u}) are never used.
     */
    private JWK selectKey(Client client, JWSHeader header, JWSAlgorithm alg, boolean refetch) {
        JWKSet set = clientKeys.keys(client, refetch);
        List<JWK> fitting = set.getKeys().stream().filter(k -> !k.isPrivate() && JwsAlgorithms.fits(k, alg)).toList();
        if (header.getKeyID() != null) {
            List<JWK> byKid = fitting.stream().filter(k -> header.getKeyID().equals(k.getKeyID())).toList();
            if (byKid.size() > 1) {
                throw OAuthError.invalidClient("more than one registered key has kid " + header.getKeyID());
            }
            return byKid.isEmpty() ? null : byKid.get(0);
        }
        if (header.getX509CertSHA256Thumbprint() != null) {
            String t = header.getX509CertSHA256Thumbprint().toString();
            List<JWK> byThumb = fitting.stream().filter(k -> k.getX509CertSHA256Thumbprint() != null
                    && t.equals(k.getX509CertSHA256Thumbprint().toString())).toList();
            if (byThumb.size() == 1) return byThumb.get(0);
            if (byThumb.size() > 1) throw OAuthError.invalidClient("more than one registered key has that x5t#S256");
            return null;
        }
        if (fitting.size() > 1) {
            throw OAuthError.invalidClient("the client has several keys for " + alg + ": the assertion must name one with kid");
        }
        return fitting.isEmpty() ? null : fitting.get(0);
    }

    private StoredClient known(String clientId, boolean basic) {
        Optional<StoredClient> found = clients.get(clientId, registry::find);
        if (found.isEmpty() || !found.get().client().isEnabled()) {
            OAuthError e = OAuthError.invalidClient("unknown or disabled client").withDetail("client " + clientId);
            throw basic ? e.withBasicChallenge() : e;
        }
        return found.get();
    }

    private static void requireMethod(StoredClient c, String used, boolean basic) {
        String registered = c.client().tokenEndpointAuthMethod();
        if (!used.equals(registered)) {
            OAuthError e = OAuthError.invalidClient("the client is registered for " + registered + ", not " + used);
            throw basic ? e.withBasicChallenge() : e;
        }
    }

    private static void checkSecret(StoredClient c, String secret, boolean basic) {
        if (!Secrets.matches(secret, c.secretDigest())) {
            OAuthError e = OAuthError.invalidClient("client authentication failed").withDetail("wrong secret for " + c.clientId());
            throw basic ? e.withBasicChallenge() : e;
        }
    }

    /**
     * True when the client exists, is enabled and was registered no later than {@code issuedAt} (so a
     * client removed and registered again under the same id does not inherit the old one's tokens).
     * Looked up through the same short-lived cache as authentication.
     */
    public boolean isActive(String clientId, long issuedAt) {
        if (clientId == null) return false;
        Optional<StoredClient> found = clients.get(clientId, registry::find);
        return found.isPresent() && found.get().client().isEnabled() && found.get().createdAt() <= issuedAt;
    }

    /** Drops cached clients (after a change made in this process). */
    public void forget(String clientId) {
        clients.invalidate(clientId);
    }
}
