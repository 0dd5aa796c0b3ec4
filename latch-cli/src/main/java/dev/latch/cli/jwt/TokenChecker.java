package dev.latch.cli.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
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
 * Every reason a verifier would reject a signed JWT (RFC 7519 §7.2, RFC 9068 §4, OIDC Core §3.1.3.7),
 * in a fixed order: its form (JWS, not JWE; {@code none} never), {@code alg} against the allow-list (and
 * the issuer's advertised algorithms), the key (by {@code kid}, fitting type and curve), the signature,
 * {@code exp}/{@code nbf}/{@code iat} with a leeway, {@code iss}, {@code aud}. {@code latch jwt verify}
 * reports the first failure as one line ({@link Check#reason()}); {@code latch doctor token} reports every
 * check with its explanation and fix ({@link Check#message()}, {@link Check#fix()}).
 */
public final class TokenChecker {

    /** OK: as it should be. WARN: accepted, but only just (within the leeway). FAIL: the token is rejected. */
    public enum Severity { OK, WARN, FAIL }

    /**
     * One check.
     *
     * @param reason  one line saying why the token is rejected (FAIL only), as {@code jwt verify} prints it
     * @param message what was seen, in plain language, as {@code doctor token} prints it
     * @param fix     what to do about it; null when nothing needs doing
     */
    public record Check(String subject, Severity severity, String reason, String message, String fix) {
        public boolean failed() {
            return severity == Severity.FAIL;
        }
    }

    /**
     * What the token must satisfy besides its signature.
     *
     * @param allowed     algorithms accepted at all
     * @param advertised  algorithms the issuer's metadata advertises (empty: not checked)
     * @param issuer      required iss (null: not checked)
     * @param audiences   aud must contain one of these (empty: not checked)
     * @param expRequired whether a token without exp is rejected
     */
    public record Policy(Set<JWSAlgorithm> allowed, Collection<String> advertised, String issuer, List<String> audiences,
                         Duration leeway, boolean expRequired) {}

    /**
     * What to verify the signature with: a key set (the token's kid must name one of its keys), one key
     * given on purpose, an HMAC secret, or nothing because the keys could not be had.
     */
    public record Keys(List<JWK> keys, boolean matchKid, String secret, boolean available) {
        public static Keys set(List<JWK> keys) {
            return new Keys(publicKeys(keys), true, null, true);
        }

        public static Keys single(JWK key) {
            return new Keys(publicKeys(List.of(key)), false, null, true);
        }

        /** HMAC with a shared secret (its UTF-8 bytes are the key). */
        public static Keys secret(String secret) {
            return new Keys(List.of(), false, secret, true);
        }

        public static Keys unavailable() {
            return new Keys(List.of(), true, null, false);
        }

        private static List<JWK> publicKeys(List<JWK> keys) {
            return keys.stream().map(JWK::toPublicJWK).toList();
        }
    }

    private static final String COPIED_WHOLE = "check the token was copied whole";

    private final CompactToken token;
    private final JWSObject jws;
    private final Check form;
    private final List<Check> checks = new ArrayList<>();
    private String verifiedWith;

    private TokenChecker(CompactToken token, JWSObject jws, Check form) {
        this.token = token;
        this.jws = jws;
        this.form = form;
    }

    /** Decodes the token; {@link #form()} says whether it is a signed JWT at all (nothing else is checked when it is not). */
    public static TokenChecker read(String text) {
        CompactToken parsed;
        try {
            parsed = CompactToken.parse(text);
        } catch (CompactToken.Malformed e) {
            int parts = text == null ? 0 : text.strip().split("\\.", -1).length;
            if (parts != 3 && parts != 5 && e.getMessage().startsWith("a JWT has")) {
                return failed(text, "token", "malformed token: " + e.getMessage(), "is not a JWT: it has " + parts + " dot-separated part"
                                + (parts == 1 ? "" : "s") + " instead of 3 (an opaque token can only be checked by introspection, RFC 7662)",
                        "pass the whole compact JWT (header.payload.signature), or introspect opaque tokens at the issuer");
            }
            return failed(text, "token", "malformed token: " + e.getMessage(), e.getMessage(), COPIED_WHOLE + ", without spaces or quotes");
        }
        if (parsed.encrypted()) {
            return failed(text, "token", "malformed token: it is encrypted (JWE, 5 parts); only signed tokens (JWS) can be verified",
                    "is an encrypted JWT (JWE, 5 parts): only the holder of the decryption key can read or check it",
                    "check it where it is decrypted, or ask for a signed (JWS) token");
        }
        Object alg = parsed.header().get("alg");
        if (alg == null) {
            return failed(text, "token", "malformed token: the header has no alg", "the header has no alg", COPIED_WHOLE);
        }
        if (!(alg instanceof String algName)) {
            return failed(text, "token", "malformed token: alg is not a string", "alg is not a string", COPIED_WHOLE);
        }
        if ("none".equalsIgnoreCase(algName)) {
            return failed(text, "alg", "alg none refused: the token is unsigned", "none: the token is unsigned, and verifiers refuse it",
                    "have the issuer sign its tokens");
        }
        if (parsed.claims() == null) {
            return failed(text, "token", "malformed token: the payload is not a JSON object of claims",
                    "the payload is not a JSON object of claims", COPIED_WHOLE);
        }
        if (parsed.parts()[2].isEmpty()) {
            return failed(text, "token", "malformed token: the signature is empty", "the signature is empty", COPIED_WHOLE);
        }
        JWSObject jws;
        try {
            jws = dev.latch.core.jose.JwtParsing.jws(parsed.parts()[0] + "." + parsed.parts()[1] + "." + parsed.parts()[2]);
        } catch (java.text.ParseException e) {
            return failed(text, "token", "malformed token: " + e.getMessage(), "cannot be parsed as a signed JWT: " + e.getMessage(), COPIED_WHOLE);
        }
        return new TokenChecker(parsed, jws, new Check("token", Severity.OK, null,
                "decodes: header " + JsonText.compact(parsed.header()) + ", " + parsed.claims().size() + " claims", null));
    }

    private static TokenChecker failed(String text, String subject, String reason, String message, String fix) {
        return new TokenChecker(null, null, new Check(subject, Severity.FAIL, reason, message, fix));
    }

    /** Whether the token decodes as a signed JWT; when FAIL, {@link #check} finds nothing more. */
    public Check form() {
        return form;
    }

    public Map<String, Object> header() {
        return token.header();
    }

    public Map<String, Object> claims() {
        return token.claims();
    }

    /** The key the signature verified with ({@code kid=…}, or a description); null when it did not. */
    public String verifiedWith() {
        return verifiedWith;
    }

    /** The checks after {@link #form()}, in order; empty when the form failed. */
    public List<Check> check(Keys keys, Policy policy, Clock clock) {
        checks.clear();
        verifiedWith = null;
        if (form.failed()) {
            return List.of();
        }
        JWSAlgorithm alg = checkAlgorithm(keys, policy);
        if (alg != null) {
            checkSignature(keys, alg);
        }
        checkTimes(clock.instant(), policy);
        checkIssuer(policy.issuer());
        checkAudience(policy.audiences());
        return List.copyOf(checks);
    }

    /** The form, then every other check: the first FAIL is why the token is rejected. */
    public List<Check> all(Keys keys, Policy policy, Clock clock) {
        List<Check> out = new ArrayList<>();
        out.add(form);
        out.addAll(check(keys, policy, clock));
        return out;
    }

    private void ok(String subject, String message) {
        checks.add(new Check(subject, Severity.OK, null, message, null));
    }

    private void warn(String subject, String message, String fix) {
        checks.add(new Check(subject, Severity.WARN, null, message, fix));
    }

    private void fail(String subject, String reason, String message, String fix) {
        checks.add(new Check(subject, Severity.FAIL, reason, message, fix));
    }

    /** The alg when a signature can be checked with it; null when not. */
    private JWSAlgorithm checkAlgorithm(Keys keys, Policy policy) {
        JWSAlgorithm alg = jws.getHeader().getAlgorithm();
        String name = alg.getName();
        boolean hmac = JwsAlgorithms.isHmac(alg);
        if (!policy.allowed().contains(alg)) {
            if (hmac && keys.secret() == null) {
                fail("alg", "alg " + alg + " refused: HMAC tokens are verified only with a shared secret (--secret), never with a public key",
                        name + " is an HMAC: the token is not verifiable with the issuer's public keys, only with a shared secret",
                        "have the issuer sign with an asymmetric algorithm (RS256, ES256…)");
            } else if (!hmac && JwsAlgorithms.isSupported(alg) && keys.secret() != null) {
                String reason = "alg " + alg + " refused: --secret verifies HMAC tokens only; give --key, --jwks or --issuer";
                fail("alg", reason, reason, "verify it with the issuer's public keys");
            } else {
                String reason = "alg " + alg + " not allowed (allowed: "
                        + String.join(", ", policy.allowed().stream().map(JWSAlgorithm::getName).toList()) + ")";
                fail("alg", reason, JwsAlgorithms.isSupported(alg) ? reason : "\"" + name + "\" is not a signature algorithm verifiers accept",
                        "have the issuer sign with RS256, PS256, ES256 or another JWS algorithm");
            }
            return null;
        }
        if (header().containsKey("crit")) {
            String reason = "header crit " + JsonText.compact(header().get("crit"))
                    + " names extensions this verifier does not implement (RFC 7515 §4.1.11)";
            fail("crit", reason, reason, "have the issuer leave out crit, or verify where its extensions are understood");
            return null;
        }
        if (!policy.advertised().isEmpty() && !policy.advertised().contains(name)) {
            String message = name + " is not among the algorithms the issuer's metadata advertises (" + String.join(", ", policy.advertised())
                    + "); verifiers that take their allow-list from the metadata refuse it";
            fail("alg", "alg " + name + " not advertised by the issuer (" + String.join(", ", policy.advertised()) + ")", message,
                    "check --issuer is the token's issuer; otherwise have the issuer advertise " + name + " or sign with an advertised one");
            return alg;
        }
        ok("alg", name);
        return alg;
    }

    private void checkSignature(Keys keys, JWSAlgorithm alg) {
        if (!keys.available()) {
            fail("signature", "signature cannot be checked: the issuer's JWKS is not available",
                    "cannot be checked: the issuer's JWKS is not available (see above)", "fix the JWKS first");
            return;
        }
        if (keys.secret() != null) {
            checkMac(keys.secret(), alg);
            return;
        }
        String kid = jws.getHeader().getKeyID();
        List<JWK> candidates = keys.keys();
        if (keys.matchKid() && kid != null) {
            candidates = candidates.stream().filter(k -> kid.equals(k.getKeyID())).toList();
            if (candidates.isEmpty()) {
                List<String> kids = keys.keys().stream().map(k -> k.getKeyID() == null ? "(no kid)" : k.getKeyID()).toList();
                fail("kid", "no key with kid " + kid + " (the key set has " + names(keys.keys()) + ")",
                        "\"" + kid + "\" is not in the issuer's JWKS (it has " + (kids.isEmpty() ? "no usable keys" : String.join(", ", kids))
                                + "): the token comes from another issuer or environment, or its key was rotated out",
                        "check --issuer is the one that issued the token (its iss claim); otherwise get a new token");
                return;
            }
            ok("kid", "\"" + kid + "\" is in the JWKS");
        }
        List<JWK> forSigning = candidates.stream().filter(k -> !KeyUse.ENCRYPTION.equals(k.getKeyUse())).toList();
        List<JWK> fitting = forSigning.stream().filter(k -> JwsAlgorithms.fits(k, alg) && algMatches(k, alg)).toList();
        if (fitting.isEmpty()) {
            String reason = unfitReason(alg, forSigning, candidates);
            if (kid == null && keys.matchKid()) {
                fail("kid", reason, "the token names no kid and no key in the JWKS fits " + alg.getName(),
                        "have the issuer publish its key and name it in kid");
            } else {
                fail("signature", reason, reason + ": the key type, curve or size does not fit", "the issuer must sign with an algorithm its key fits");
            }
            return;
        }
        if (kid == null && keys.matchKid() && fitting.size() > 1) {
            warn("kid", "the token names no kid and " + fitting.size() + " keys fit " + alg.getName() + ": many verifiers refuse to guess",
                    "have the issuer put kid in the header");
        }
        for (JWK k : fitting) {
            try {
                if (jws.verify(JwsAlgorithms.verifier(k, alg))) {
                    verifiedWith = name(k);
                    ok("signature", "verifies with key " + (k.getKeyID() == null ? "(no kid)" : k.getKeyID()) + " (" + alg.getName() + ")");
                    return;
                }
            } catch (JOSEException e) {
                String reason = "signature cannot be checked with key " + name(k) + ": " + e.getMessage();
                fail("signature", reason, reason, "check the key");
                return;
            }
        }
        fail("signature", fitting.size() == 1 ? "signature does not verify with key " + name(fitting.get(0))
                        : "signature does not verify with any of the keys " + names(fitting),
                "does not verify with the issuer's key " + String.join(", ", fitting.stream().map(JWK::getKeyID).toList())
                        + ": the token was altered, or signed by another key that carries the same kid",
                "get a fresh token from the issuer; if it still fails, the issuer signs with a key it does not publish");
    }

    private static String unfitReason(JWSAlgorithm alg, List<JWK> forSigning, List<JWK> candidates) {
        if (forSigning.isEmpty()) {
            return "no signing key: " + names(candidates) + " is for encryption (use enc)";
        }
        if (forSigning.size() == 1) {
            JWK k = forSigning.get(0);
            if (JwsAlgorithms.fits(k, alg)) {
                return "alg " + alg + " not allowed for key " + name(k) + ": the key is for alg " + k.getAlgorithm();
            }
            return "alg " + alg + " not allowed for key type " + KeyGeneration.describe(k)
                    + (k.getKeyID() == null ? "" : " (kid=" + k.getKeyID() + ")") + tooSmall(k);
        }
        return "no key fits alg " + alg + " (keys: " + describeAll(forSigning) + ")";
    }

    private void checkMac(String secret, JWSAlgorithm alg) {
        try {
            JwsAlgorithms.requireMacLength(alg, secret);
            if (jws.verify(JwsAlgorithms.macVerifier(secret))) {
                verifiedWith = "the shared secret";
                ok("signature", "verifies with the shared secret (" + alg.getName() + ")");
            } else {
                String reason = "signature does not verify with the given secret";
                fail("signature", reason, reason, "check the secret");
            }
        } catch (JOSEException e) {
            String reason = "signature cannot be checked: " + e.getMessage();
            fail("signature", reason, reason, "check the secret");
        }
    }

    private void checkTimes(Instant now, Policy policy) {
        Duration leeway = policy.leeway();
        Instant exp = time("exp");
        if (exp == null) {
            if (policy.expRequired() && !claims().containsKey("exp")) {
                fail("exp", "the token has no exp", "the token has no exp: it would never expire, and verifiers refuse it (RFC 9068 §2.2, OIDC Core §2)",
                        "have the issuer set exp");
            }
        } else if (!now.minus(leeway).isBefore(exp)) {
            fail("exp", "expired at " + JsonText.time(exp, now), "the token expired " + JsonText.spelled(Duration.between(exp, now)) + " ago (exp " + exp + ")",
                    "get a new token (if it was just issued, compare the clocks: latch doctor ISSUER)");
        } else if (!now.isBefore(exp)) {
            warn("exp", "the token expired " + JsonText.spelled(Duration.between(exp, now)) + " ago (exp " + exp
                    + "), accepted only within the " + leeway.toSeconds() + " s leeway", "get a new token");
        } else {
            ok("exp", exp + " (in " + JsonText.spelled(Duration.between(now, exp)) + ")");
        }
        Instant nbf = time("nbf");
        if (nbf != null && now.plus(leeway).isBefore(nbf)) {
            fail("nbf", "not yet valid: nbf is " + JsonText.time(nbf, now),
                    "the token is not valid before " + nbf + " (in " + JsonText.spelled(Duration.between(now, nbf)) + ")",
                    "wait, or compare the clocks of this machine and the issuer (latch doctor ISSUER)");
        } else if (nbf != null && now.isBefore(nbf)) {
            warn("nbf", "the token becomes valid at " + nbf + ", in " + JsonText.spelled(Duration.between(now, nbf))
                    + "; accepted only within the leeway", "compare the clocks of this machine and the issuer (latch doctor ISSUER)");
        }
        Instant iat = time("iat");
        if (iat != null && now.plus(leeway).isBefore(iat)) {
            fail("iat", "not yet valid: issued in the future, iat is " + JsonText.time(iat, now),
                    "the token was issued in the future (" + iat + ", in " + JsonText.spelled(Duration.between(now, iat))
                            + "): the issuer's clock is ahead of this machine's", "synchronise the clocks with NTP");
        }
    }

    /** A NumericDate claim, or null when absent; a FAIL when it is not a number. */
    private Instant time(String name) {
        try {
            return numericDate(claims(), name);
        } catch (IllegalArgumentException e) {
            fail(name, "malformed token: " + e.getMessage(), e.getMessage(), "have the issuer set " + name + " to seconds since the epoch");
            return null;
        }
    }

    private void checkIssuer(String issuer) {
        if (issuer == null) {
            return;
        }
        Object iss = claims().get("iss");
        if (iss == null) {
            fail("iss", "iss mismatch: expected " + issuer + ", the token has no iss", "the token has no iss claim",
                    "have the issuer set iss to \"" + issuer + "\"");
        } else if (issuer.equals(iss)) {
            ok("iss", issuer);
        } else {
            String why = stripSlash(iss.toString()).equals(stripSlash(issuer)) ? " (they differ by a trailing slash)" : "";
            fail("iss", "iss mismatch: expected " + issuer + ", the token has " + iss,
                    "the token was issued by \"" + iss + "\", not by \"" + issuer + "\"" + why + "; issuers are compared exactly",
                    "use --issuer \"" + iss + "\" if that issuer is trusted, or get a token from " + issuer);
        }
    }

    private void checkAudience(List<String> audiences) {
        Object aud = claims().get("aud");
        List<Object> values = aud instanceof List<?> l ? new ArrayList<>(l) : aud == null ? List.of() : List.of(aud);
        if (audiences.isEmpty()) {
            ok("aud", (values.isEmpty() ? "none" : values.toString()) + " (pass --aud to check it against yours)");
            return;
        }
        String expected = String.join(" or ", audiences);
        if (values.stream().anyMatch(audiences::contains)) {
            ok("aud", "includes " + values.stream().filter(audiences::contains).findFirst().orElseThrow());
        } else if (values.isEmpty()) {
            fail("aud", "aud mismatch: expected " + expected + ", the token has no aud",
                    "the token has no aud, so it is not meant for \"" + expected + "\"", "request the token with resource/audience \"" + expected + "\"");
        } else {
            fail("aud", "aud mismatch: expected " + expected + ", the token has " + (aud instanceof List<?> ? values.toString() : aud),
                    "the token is meant for " + values + ", not for \"" + expected + "\"",
                    "request the token for \"" + expected + "\" (resource or audience parameter, or the client's configuration at the issuer)");
        }
    }

    /** A NumericDate claim (RFC 7519 §2): seconds since the epoch, possibly fractional; null when absent. */
    public static Instant numericDate(Map<String, Object> claims, String name) {
        Object value = claims.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Number n)) {
            throw new IllegalArgumentException(name + " is not a number (" + value + ")");
        }
        double seconds = n.doubleValue();
        if (Double.isNaN(seconds) || Math.abs(seconds) > 1e15) {
            throw new IllegalArgumentException(name + " is out of range (" + value + ")");
        }
        return Instant.ofEpochSecond((long) Math.floor(seconds));
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
        return keys.isEmpty() ? "no keys" : String.join(", ", keys.stream().map(TokenChecker::name).toList());
    }

    private static String describeAll(Collection<JWK> keys) {
        return String.join(", ", keys.stream()
                .map(k -> name(k) + " " + KeyGeneration.describe(k) + (k.getAlgorithm() == null ? "" : " " + k.getAlgorithm())).toList());
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
