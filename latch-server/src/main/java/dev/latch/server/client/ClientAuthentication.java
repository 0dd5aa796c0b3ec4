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
import dev.latch.core.jose.JwtParsing;
import dev.latch.core.smart.SmartScopes;
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
 *
 * <p>Nothing is learnt by probing: whatever depends on the client named — unknown, disabled,
 * registered for another method or algorithm, wrong secret, no fitting key, bad signature — is
 * answered with the one description {@value #FAILED} (the reason goes to the log only), and every
 * attempt runs exactly one credential check, against a {@link DecoyClients decoy} when there is no
 * real client to check against, so the time taken does not tell either. What is checked before the
 * client is looked up (the request's form, the assertion's claims) does not depend on it and keeps its
 * specific description.
 */
public final class ClientAuthentication {

    /** The public description of every failure that depends on the client named. */
    public static final String FAILED = "client authentication failed";

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
    /** Counts {@link #forget} calls, so a read that overlapped one is not cached. */
    private final java.util.concurrent.atomic.AtomicLong forgotten = new java.util.concurrent.atomic.AtomicLong();
    private final DecoyClients decoys;
    private final CredentialCheck check;

    /**
     * The credential check each attempt runs exactly once: a seam, so a test can see that the
     * attempts naming an unknown client do the same work as the others.
     */
    interface CredentialCheck {
        CredentialCheck STANDARD = new CredentialCheck() {
            @Override
            public boolean secretMatches(String presented, String storedDigest) {
                return Secrets.matches(presented, storedDigest);
            }

            @Override
            public boolean signatureValid(SignedJWT jwt, JWSVerifier verifier) throws JOSEException {
                return jwt.verify(verifier);
            }
        };

        boolean secretMatches(String presented, String storedDigest);

        boolean signatureValid(SignedJWT jwt, JWSVerifier verifier) throws JOSEException;
    }

    /**
     * The client an attempt is checked against: the one named, or a decoy standing in for it.
     *
     * @param refusal why the attempt fails whatever the check says (for the log); null for a real client
     */
    private record Candidate(StoredClient stored, String refusal) {
        Candidate refused(String reason) {
            return refusal != null ? this : new Candidate(stored, reason);
        }
    }

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
        this(registry, clientKeys, replay, clock, issuer, endpointAudiences, cacheFor, CredentialCheck.STANDARD);
    }

    ClientAuthentication(ClientRegistry registry, ClientKeys clientKeys, ReplayCache replay, Clock clock, String issuer,
                         Set<String> endpointAudiences, Duration cacheFor, CredentialCheck check) {
        this.registry = registry;
        this.clientKeys = clientKeys;
        this.replay = replay;
        this.clock = clock;
        this.issuer = issuer;
        this.endpointAudiences = Set.copyOf(endpointAudiences);
        this.clients = Caffeine.newBuilder().expireAfterWrite(cacheFor).maximumSize(100_000).build();
        this.decoys = new DecoyClients(registry);
        this.check = check;
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
            return new Authenticated(checkSecret(candidate(clientId, Client.POST, null), form.get("client_secret"), false), Client.POST);
        }
        if (assertion) {
            return assertion(form);
        }
        String clientId = form.get("client_id");
        if (clientId == null) {
            throw OAuthError.invalidClient("client authentication is required");
        }
        // a public client has no credential: its id is all it shows, so there is no check to run
        Candidate c = candidate(clientId, Client.NONE, null);
        if (c.refusal() != null) {
            throw failed(c.refusal(), false);
        }
        return new Authenticated(c.stored(), Client.NONE);
    }

    /**
     * The client a request names, unverified, for the audit line of a refused request: the Basic user,
     * else {@code client_id}, else the client assertion's {@code sub}; null when it names none readably.
     */
    public static String claimedClientId(Request request, FormParameters form) {
        String authorization = request.header("authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                return colon <= 0 ? null : URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        if (form == null) {
            return null;
        }
        if (form.get("client_id") != null) {
            return form.get("client_id");
        }
        try {
            return form.get("client_assertion") == null ? null
                    : dev.latch.core.jose.JwtParsing.signedJwt(form.get("client_assertion")).getJWTClaimsSet().getSubject();
        } catch (ParseException | RuntimeException e) {
            return null;
        }
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
        return new Authenticated(checkSecret(candidate(clientId, Client.BASIC, null), secret, true), Client.BASIC);
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
            jwt = JwtParsing.signedJwt(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
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
        JWSHeader header = jwt.getHeader();
        JWSAlgorithm alg = header.getAlgorithm();
        if (!JwsAlgorithms.isSupported(alg)) {
            throw OAuthError.invalidClient("client_assertion algorithm " + alg + " is not accepted");
        }
        // the checks that do not depend on the client come first: their answers are the same for any client_id
        checkType(header.getType(), claims, jwt.getPayload().toJSONObject().get("aud"));
        checkTimes(claims);
        if (claims.getJWTID() == null || claims.getJWTID().isBlank()) {
            throw OAuthError.invalidClient("client_assertion has no jti");
        }
        boolean hmac = JwsAlgorithms.isHmac(alg);
        String method = hmac ? Client.SECRET_JWT : Client.PRIVATE_KEY_JWT;
        Candidate candidate = candidate(sub, method, alg);
        String registeredAlg = candidate.stored().client().tokenEndpointAuthSigningAlg();
        if (registeredAlg != null && !registeredAlg.equals(alg.getName())
                && !(JwsAlgorithms.isEd25519(alg) && JwsAlgorithms.isEd25519(JWSAlgorithm.parse(registeredAlg)))) {
            candidate = candidate.refused("client_assertion must be signed with " + registeredAlg + ", not " + alg);
        }
        if (!hmac && header.getKeyID() == null && SmartScopes.hasSystemScope(String.join(" ", candidate.stored().client().scopes()))) {
            // SMART Backend Services (2.0.0, "Authenticating to the token endpoint"): kid is required in the header
            candidate = candidate.refused("a SMART backend client (system/ scopes) must name its key with kid");
        }
        candidate = verifySignature(jwt, candidate, alg, hmac);
        if (candidate.refusal() != null) {
            throw failed(candidate.refusal(), false);
        }
        StoredClient stored = candidate.stored();
        long expiresAt = claims.getExpirationTime().toInstant().getEpochSecond() + LEEWAY.toSeconds();
        if (!replay.firstUse(stored.clientId(), claims.getJWTID(), expiresAt)) {
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
        if (audience == null) {
            // "aud": [null] reaches here as a one-element list holding null
            throw OAuthError.invalidClient("client_assertion aud must be a string: the issuer");
        }
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

    /**
     * Runs exactly one signature verification: with the candidate's HMAC key, or with its key that
     * fits the assertion, or — when there is none — with a decoy key, so a missing key costs what a
     * wrong one costs.
     *
     * @return the candidate, refused when the signature or the candidate's keys fail
     */
    private Candidate verifySignature(SignedJWT jwt, Candidate candidate, JWSAlgorithm alg, boolean hmac) {
        JWSHeader header = jwt.getHeader();
        Client client = candidate.stored().client();
        try {
            JWSVerifier verifier;
            if (hmac) {
                String secret = registry.hmacSecret(candidate.stored());
                try {
                    JwsAlgorithms.requireMacLength(alg, secret);
                } catch (JOSEException e) {
                    // RFC 7518 §3.2; clients registered before the length rule may hold such a secret
                    candidate = candidate.refused("the client's secret is too short for " + alg + ": " + e.getMessage());
                }
                verifier = JwsAlgorithms.macVerifier(secret);
            } else {
                if (header.getJWKURL() != null && !header.getJWKURL().toString().equals(client.jwksUri())) {
                    candidate = candidate.refused("client_assertion jku is not the registered jwks_uri");
                }
                JWK key = null;
                try {
                    key = selectKey(client, header, alg, false);
                    if (key == null) {
                        key = selectKey(client, header, alg, true);
                    }
                } catch (OAuthError e) {
                    candidate = candidate.refused(e.description() + (e.detail() == null ? "" : " (" + e.detail() + ")"));
                }
                if (key == null) {
                    candidate = candidate.refused("no registered key matches the client_assertion"
                            + (header.getKeyID() != null ? " (kid " + header.getKeyID() + ")" : ""));
                    key = decoys.key(alg);
                }
                verifier = JwsAlgorithms.verifier(key, alg);
            }
            if (!check.signatureValid(jwt, verifier)) {
                candidate = candidate.refused("client_assertion signature is invalid");
            }
            return candidate;
        } catch (JOSEException | IllegalStateException e) {
            return candidate.refused("client_assertion cannot be verified: " + e.getMessage());
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

    /**
     * The client named when it may use {@code method}; otherwise a decoy for that method, refused with
     * the reason, so the caller runs the same check either way.
     */
    private Candidate candidate(String clientId, String method, JWSAlgorithm alg) {
        Optional<StoredClient> found = cached(clientId);
        if (found.isEmpty() || !found.get().client().isEnabled()) {
            return new Candidate(decoys.standIn(method, alg), "unknown or disabled client " + clientId);
        }
        String registered = found.get().client().tokenEndpointAuthMethod();
        if (!method.equals(registered)) {
            return new Candidate(decoys.standIn(method, alg), "client " + clientId + " is registered for " + registered + ", not " + method);
        }
        return new Candidate(found.get(), null);
    }

    private StoredClient checkSecret(Candidate c, String secret, boolean basic) {
        boolean matches = check.secretMatches(secret, c.stored().secretDigest());
        if (c.refusal() != null) {
            throw failed(c.refusal(), basic);
        }
        if (!matches) {
            throw failed("wrong secret for " + c.stored().clientId(), basic);
        }
        return c.stored();
    }

    private static OAuthError failed(String reason, boolean basic) {
        OAuthError e = OAuthError.invalidClient(FAILED).withDetail(reason);
        return basic ? e.withBasicChallenge() : e;
    }

    /**
     * True when the client exists, is enabled and was registered no later than {@code issuedAt} (so a
     * client removed and registered again under the same id does not inherit the old one's tokens).
     * Looked up through the same short-lived cache as authentication.
     */
    public boolean isActive(String clientId, long issuedAt) {
        if (clientId == null) return false;
        Optional<StoredClient> found = cached(clientId);
        return found.isPresent() && found.get().client().isEnabled() && found.get().createdAt() <= issuedAt;
    }

    /**
     * The client through the short-lived cache, read outside the cache's lock: with {@code get(key, loader)}
     * every request naming a client waits for the one reading it, and while the database is unreachable
     * each read fails after the connection timeout, so those requests would be refused one timeout after
     * another instead of all within one.
     */
    private Optional<StoredClient> cached(String clientId) {
        Optional<StoredClient> found = clients.getIfPresent(clientId);
        if (found == null) {
            long generation = forgotten.get();
            Optional<StoredClient> read = registry.find(clientId);
            // kept only when no client was forgotten meanwhile: a read from before a change is not cached after it
            clients.asMap().compute(clientId, (id, current) -> forgotten.get() == generation ? read : current);
            found = read;
        }
        return found;
    }

    /** Drops cached clients (after a change made in this process). */
    public void forget(String clientId) {
        forgotten.incrementAndGet();
        clients.invalidate(clientId);
    }
}
