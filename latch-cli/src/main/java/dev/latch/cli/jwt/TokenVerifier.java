package dev.latch.cli.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.core.jose.KeyGeneration;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Verifies a signed JWT (RFC 7519 §7.2) and says exactly why one fails, in the order a verifier must
 * decide: structure, algorithm policy ({@code none} never, HMAC only with a secret, an allow-list),
 * the key (by {@code kid}, fitting type and curve), the signature, and only then the claims
 * ({@code exp}, {@code nbf}, {@code iat} with a clock skew; {@code iss}; {@code aud}).
 */
final class TokenVerifier {

    /** Why a token was rejected, as one line. */
    static final class InvalidTokenException extends Exception {
        InvalidTokenException(String reason) {
            super(reason);
        }
    }

    /** What a valid token was verified with. */
    record Verified(Map<String, Object> header, Map<String, Object> claims, JWSAlgorithm alg, String key) {}

    /** What the token must satisfy besides its signature. */
    record Policy(Set<JWSAlgorithm> allowed, String issuer, List<String> audiences, Duration skew) {}

    private final List<JWK> keys;
    private final boolean matchKid;
    private final String secret;
    private final Policy policy;
    private final Clock clock;

    /**
     * @param keys     public keys to verify with
     * @param matchKid true for a key set (a token's kid must name one of its keys); false for one key given on purpose
     */
    static TokenVerifier withKeys(List<JWK> keys, boolean matchKid, Policy policy, Clock clock) {
        return new TokenVerifier(keys.stream().map(JWK::toPublicJWK).toList(), matchKid, null, policy, clock);
    }

    /** HMAC with a shared secret (its UTF-8 bytes are the key). */
    static TokenVerifier withSecret(String secret, Policy policy, Clock clock) {
        return new TokenVerifier(List.of(), false, secret, policy, clock);
    }

    private TokenVerifier(List<JWK> keys, boolean matchKid, String secret, Policy policy, Clock clock) {
        this.keys = keys;
        this.matchKid = matchKid;
        this.secret = secret;
        this.policy = policy;
        this.clock = clock;
    }

    Verified verify(String token) throws InvalidTokenException {
        CompactToken parsed;
        try {
            parsed = CompactToken.parse(token);
        } catch (CompactToken.Malformed e) {
            throw new InvalidTokenException("malformed token: " + e.getMessage());
        }
        if (parsed.encrypted()) {
            throw new InvalidTokenException("malformed token: it is encrypted (JWE, 5 parts); only signed tokens (JWS) can be verified");
        }
        Object algValue = parsed.header().get("alg");
        if (algValue == null) {
            throw new InvalidTokenException("malformed token: the header has no alg");
        }
        if (!(algValue instanceof String algName)) {
            throw new InvalidTokenException("malformed token: alg is not a string");
        }
        if ("none".equalsIgnoreCase(algName)) {
            throw new InvalidTokenException("alg none refused: the token is unsigned");
        }
        if (parsed.claims() == null) {
            throw new InvalidTokenException("malformed token: the payload is not a JSON object of claims");
        }
        if (parsed.parts()[2].isEmpty()) {
            throw new InvalidTokenException("malformed token: the signature is empty");
        }
        JWSAlgorithm alg = JWSAlgorithm.parse(algName);
        checkAlgorithm(alg);
        if (parsed.header().containsKey("crit")) {
            throw new InvalidTokenException("header crit " + JsonText.compact(parsed.header().get("crit"))
                    + " names extensions this verifier does not implement (RFC 7515 §4.1.11)");
        }
        JWSObject jws;
        try {
            jws = JWSObject.parse(parsed.parts()[0] + "." + parsed.parts()[1] + "." + parsed.parts()[2]);
        } catch (java.text.ParseException e) {
            throw new InvalidTokenException("malformed token: " + e.getMessage());
        }
        String key = secret != null ? verifyWithSecret(jws, alg) : verifyWithKeys(jws, alg, (String) parsed.header().get("kid"));
        checkClaims(parsed.claims());
        return new Verified(parsed.header(), parsed.claims(), alg, key);
    }

    private void checkAlgorithm(JWSAlgorithm alg) throws InvalidTokenException {
        if (policy.allowed().contains(alg)) {
            return;
        }
        if (JwsAlgorithms.isHmac(alg) && secret == null) {
            throw new InvalidTokenException("alg " + alg + " refused: HMAC tokens are verified only with a shared secret (--secret), "
                    + "never with a public key");
        }
        if (!JwsAlgorithms.isHmac(alg) && JwsAlgorithms.isSupported(alg) && secret != null) {
            throw new InvalidTokenException("alg " + alg + " refused: --secret verifies HMAC tokens only; give --key, --jwks or --issuer");
        }
        throw new InvalidTokenException("alg " + alg + " not allowed (allowed: "
                + String.join(", ", policy.allowed().stream().map(JWSAlgorithm::getName).toList()) + ")");
    }

    private String verifyWithSecret(JWSObject jws, JWSAlgorithm alg) throws InvalidTokenException {
        try {
            JwsAlgorithms.requireMacLength(alg, secret);
            if (!jws.verify(JwsAlgorithms.macVerifier(secret))) {
                throw new InvalidTokenException("signature does not verify with the given secret");
            }
        } catch (JOSEException e) {
            throw new InvalidTokenException("signature cannot be checked: " + e.getMessage());
        }
        return "the shared secret";
    }

    private String verifyWithKeys(JWSObject jws, JWSAlgorithm alg, String kid) throws InvalidTokenException {
        List<JWK> candidates = keys;
        if (matchKid && kid != null) {
            candidates = keys.stream().filter(k -> kid.equals(k.getKeyID())).toList();
            if (candidates.isEmpty()) {
                throw new InvalidTokenException("no key with kid " + kid + " (the key set has " + names(keys) + ")");
            }
        }
        List<JWK> forSigning = candidates.stream().filter(k -> !KeyUse.ENCRYPTION.equals(k.getKeyUse())).toList();
        if (forSigning.isEmpty()) {
            throw new InvalidTokenException("no signing key: " + names(candidates) + " is for encryption (use enc)");
        }
        List<JWK> fitting = forSigning.stream().filter(k -> JwsAlgorithms.fits(k, alg) && algMatches(k, alg)).toList();
        if (fitting.isEmpty()) {
            if (forSigning.size() == 1) {
                JWK k = forSigning.get(0);
                if (JwsAlgorithms.fits(k, alg)) {
                    throw new InvalidTokenException("alg " + alg + " not allowed for key " + name(k) + ": the key is for alg " + k.getAlgorithm());
                }
                throw new InvalidTokenException("alg " + alg + " not allowed for key type " + KeyGeneration.describe(k)
                        + (k.getKeyID() == null ? "" : " (kid=" + k.getKeyID() + ")") + tooSmall(k));
            }
            throw new InvalidTokenException("no key fits alg " + alg + " (keys: " + describeAll(forSigning) + ")");
        }
        for (JWK k : fitting) {
            try {
                JWSVerifier verifier = JwsAlgorithms.verifier(k, alg);
                if (jws.verify(verifier)) {
                    return name(k);
                }
            } catch (JOSEException e) {
                throw new InvalidTokenException("signature cannot be checked with key " + name(k) + ": " + e.getMessage());
            }
        }
        throw new InvalidTokenException(fitting.size() == 1 ? "signature does not verify with key " + name(fitting.get(0))
                : "signature does not verify with any of the keys " + names(fitting));
    }

    private static boolean algMatches(JWK key, JWSAlgorithm alg) {
        if (key.getAlgorithm() == null) {
            return true;
        }
        JWSAlgorithm keyAlg = JWSAlgorithm.parse(key.getAlgorithm().getName());
        return keyAlg.equals(alg) || (JwsAlgorithms.isEd25519(keyAlg) && JwsAlgorithms.isEd25519(alg));
    }

    private static String tooSmall(JWK key) {
        return key instanceof RSAKey rsa && rsa.size() < 2048 ? "; RSA keys need at least 2048 bits" : "";
    }

    private static String name(JWK key) {
        return key.getKeyID() != null ? "kid=" + key.getKeyID() : "(" + KeyGeneration.describe(key) + ", no kid)";
    }

    private static String names(Collection<JWK> keys) {
        if (keys.isEmpty()) {
            return "no keys";
        }
        List<String> out = new ArrayList<>();
        for (JWK k : keys) {
            out.add(name(k));
        }
        return String.join(", ", out);
    }

    private static String describeAll(Collection<JWK> keys) {
        List<String> out = new ArrayList<>();
        for (JWK k : keys) {
            out.add(name(k) + " " + KeyGeneration.describe(k) + (k.getAlgorithm() == null ? "" : " " + k.getAlgorithm()));
        }
        return String.join(", ", out);
    }

    private void checkClaims(Map<String, Object> claims) throws InvalidTokenException {
        Instant now = clock.instant();
        Duration skew = policy.skew();
        Instant exp = numericDate(claims, "exp");
        if (exp != null && !now.minus(skew).isBefore(exp)) {
            throw new InvalidTokenException("expired at " + JsonText.time(exp, now));
        }
        Instant nbf = numericDate(claims, "nbf");
        if (nbf != null && now.plus(skew).isBefore(nbf)) {
            throw new InvalidTokenException("not yet valid: nbf is " + JsonText.time(nbf, now));
        }
        Instant iat = numericDate(claims, "iat");
        if (iat != null && now.plus(skew).isBefore(iat)) {
            throw new InvalidTokenException("not yet valid: issued in the future, iat is " + JsonText.time(iat, now));
        }
        if (policy.issuer() != null) {
            Object iss = claims.get("iss");
            if (iss == null) {
                throw new InvalidTokenException("iss mismatch: expected " + policy.issuer() + ", the token has no iss");
            }
            if (!policy.issuer().equals(iss)) {
                throw new InvalidTokenException("iss mismatch: expected " + policy.issuer() + ", the token has " + iss);
            }
        }
        if (!policy.audiences().isEmpty()) {
            Object aud = claims.get("aud");
            List<Object> values = aud instanceof List<?> l ? new ArrayList<>(l) : aud == null ? List.of() : List.of(aud);
            if (values.stream().noneMatch(policy.audiences()::contains)) {
                throw new InvalidTokenException("aud mismatch: expected " + String.join(" or ", policy.audiences())
                        + ", the token has " + (aud == null ? "no aud" : aud instanceof List<?> ? values.toString() : aud));
            }
        }
    }

    /** A NumericDate claim (RFC 7519 §2): seconds since the epoch, possibly fractional. */
    static Instant numericDate(Map<String, Object> claims, String name) throws InvalidTokenException {
        Object value = claims.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Number n)) {
            throw new InvalidTokenException("malformed token: " + name + " is not a number (" + value + ")");
        }
        double seconds = n.doubleValue();
        if (Double.isNaN(seconds) || Math.abs(seconds) > 1e15) {
            throw new InvalidTokenException("malformed token: " + name + " is out of range (" + value + ")");
        }
        return Instant.ofEpochSecond((long) Math.floor(seconds));
    }
}
