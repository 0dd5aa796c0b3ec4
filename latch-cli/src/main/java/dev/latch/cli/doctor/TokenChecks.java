package dev.latch.cli.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.core.jose.JwsAlgorithms;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Why a JWT would be rejected by a careful verifier (RFC 7519 §7.2, RFC 9068 §4, OIDC Core §3.1.3.7),
 * every reason at once: its form, {@code alg} against the issuer's metadata, {@code kid} against the
 * JWKS, the signature, {@code iss}, {@code aud}, and {@code exp}/{@code nbf}/{@code iat} with leeway.
 */
final class TokenChecks {

    /** The metadata lists that name algorithms the server signs with (not those clients sign with). */
    private static final List<String> SERVER_SIGNING_ALGS = List.of("id_token_signing_alg_values_supported",
            "access_token_signing_alg_values_supported", "userinfo_signing_alg_values_supported",
            "introspection_signing_alg_values_supported", "authorization_signing_alg_values_supported");

    private final Report report;
    private final Clock clock;
    private final Duration leeway;

    TokenChecks(Report report, Clock clock, Duration leeway) {
        this.report = report;
        this.clock = clock;
        this.leeway = leeway;
    }

    /** Decodes the token, reporting why it cannot be; null when it is not a signed JWT. */
    SignedJWT decode(String token) {
        String t = token.strip();
        String[] parts = t.split("\\.", -1);
        if (parts.length == 5) {
            report.fail("token", "is an encrypted JWT (JWE, 5 parts): only the holder of the decryption key can read or check it",
                    "check it where it is decrypted, or ask for a signed (JWS) token");
            return null;
        }
        if (parts.length != 3) {
            report.fail("token", "is not a JWT: it has " + parts.length + " dot-separated part" + (parts.length == 1 ? "" : "s")
                            + " instead of 3 (an opaque token can only be checked by introspection, RFC 7662)",
                    "pass the whole compact JWT (header.payload.signature), or introspect opaque tokens at the issuer");
            return null;
        }
        JsonNode header = part(parts[0], "header");
        JsonNode claims = part(parts[1], "claims");
        if (header == null || claims == null) {
            return null;
        }
        try {
            SignedJWT jwt = SignedJWT.parse(t);
            jwt.getJWTClaimsSet();
            report.ok("token", "decodes: header " + header + ", " + claims.size() + " claims");
            return jwt;
        } catch (java.text.ParseException e) {
            report.fail("token", "cannot be parsed as a signed JWT: " + e.getMessage(), "check the token was copied whole");
            return null;
        }
    }

    private JsonNode part(String encoded, String what) {
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            report.fail("token", "the " + what + " is not base64url: " + e.getMessage(), "check the token was copied whole, without spaces or quotes");
            return null;
        }
        try {
            JsonNode n = ProviderChecks.JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
            if (n != null && n.isObject()) return n;
        } catch (java.io.IOException ignored) {
            // reported below
        }
        report.fail("token", "the " + what + " is not a JSON object", "check the token was copied whole");
        return null;
    }

    /** The header: alg usable and advertised. Returns the alg, or null when it cannot be verified at all. */
    JWSAlgorithm checkAlgorithm(SignedJWT jwt, ProviderChecks.Discovered d) {
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        String name = alg.getName();
        if (JwsAlgorithms.isHmac(alg)) {
            report.fail("alg", name + " is an HMAC: the token is not verifiable with the issuer's public keys, only with a shared secret",
                    "have the issuer sign with an asymmetric algorithm (RS256, ES256…)");
            return null;
        }
        if (!JwsAlgorithms.isSupported(alg)) {
            report.fail("alg", "\"" + name + "\" is not a signature algorithm verifiers accept", "have the issuer sign with RS256, PS256, ES256 or another JWS algorithm");
            return null;
        }
        if (d != null) {
            Set<String> advertised = new LinkedHashSet<>();
            for (String member : SERVER_SIGNING_ALGS) {
                List<String> l = d.list(member);
                if (l != null) advertised.addAll(l);
            }
            if (!advertised.isEmpty() && !advertised.contains(name)) {
                report.fail("alg", name + " is not among the algorithms the issuer's metadata advertises (" + String.join(", ", advertised)
                                + "); verifiers that take their allow-list from the metadata refuse it",
                        "check --issuer is the token's issuer; otherwise have the issuer advertise " + name + " or sign with an advertised one");
                return alg;
            }
        }
        report.ok("alg", name);
        return alg;
    }

    /** kid against the JWKS, then the signature. */
    void checkSignature(SignedJWT jwt, JWSAlgorithm alg, List<JWK> keys, boolean jwksAvailable) {
        if (alg == null) {
            return;
        }
        if (!jwksAvailable) {
            report.fail("signature", "cannot be checked: the issuer's JWKS is not available (see above)", "fix the JWKS first");
            return;
        }
        String kid = jwt.getHeader().getKeyID();
        List<JWK> candidates;
        if (kid != null) {
            candidates = keys.stream().filter(k -> kid.equals(k.getKeyID())).toList();
            if (candidates.isEmpty()) {
                List<String> kids = keys.stream().map(k -> k.getKeyID() == null ? "(no kid)" : k.getKeyID()).toList();
                report.fail("kid", "\"" + kid + "\" is not in the issuer's JWKS (it has " + (kids.isEmpty() ? "no usable keys" : String.join(", ", kids))
                                + "): the token comes from another issuer or environment, or its key was rotated out",
                        "check --issuer is the one that issued the token (its iss claim); otherwise get a new token");
                return;
            }
            report.ok("kid", "\"" + kid + "\" is in the JWKS");
        } else {
            candidates = keys.stream().filter(k -> JwsAlgorithms.fits(k, alg)).toList();
            if (candidates.size() > 1) {
                report.warn("kid", "the token names no kid and " + candidates.size() + " keys fit " + alg.getName()
                        + ": many verifiers refuse to guess", "have the issuer put kid in the header");
            } else if (candidates.isEmpty()) {
                report.fail("kid", "the token names no kid and no key in the JWKS fits " + alg.getName(), "have the issuer publish its key and name it in kid");
                return;
            }
        }
        List<JWK> fitting = candidates.stream().filter(k -> JwsAlgorithms.fits(k, alg)).toList();
        if (fitting.isEmpty()) {
            JWK k = candidates.get(0);
            report.fail("signature", "key " + k.getKeyID() + " (" + KeyChecks.describe(k) + ") cannot verify " + alg.getName()
                    + ": the key type, curve or size does not fit", "the issuer must sign with an algorithm its key fits");
            return;
        }
        List<String> tried = new ArrayList<>();
        for (JWK k : fitting) {
            try {
                if (jwt.verify(JwsAlgorithms.verifier(k, alg))) {
                    report.ok("signature", "verifies with key " + (k.getKeyID() == null ? "(no kid)" : k.getKeyID()) + " (" + alg.getName() + ")");
                    return;
                }
            } catch (JOSEException e) {
                tried.add(e.getMessage());
                continue;
            }
            tried.add(k.getKeyID());
        }
        report.fail("signature", "does not verify with the issuer's key " + String.join(", ", tried)
                        + ": the token was altered, or signed by another key that carries the same kid",
                "get a fresh token from the issuer; if it still fails, the issuer signs with a key it does not publish");
    }

    /** iss, aud, exp, nbf, iat. */
    void checkClaims(SignedJWT jwt, String issuer, String audience) {
        JWTClaimsSet c;
        try {
            c = jwt.getJWTClaimsSet();
        } catch (java.text.ParseException e) {
            report.fail("claims", "cannot be read: " + e.getMessage(), "check the token was copied whole");
            return;
        }
        String iss = c.getIssuer();
        if (iss == null) {
            report.fail("iss", "the token has no iss claim", "have the issuer set iss to \"" + issuer + "\"");
        } else if (iss.equals(issuer)) {
            report.ok("iss", iss);
        } else {
            String why = stripSlash(iss).equals(stripSlash(issuer)) ? " (they differ by a trailing slash)" : "";
            report.fail("iss", "the token was issued by \"" + iss + "\", not by \"" + issuer + "\"" + why + "; issuers are compared exactly",
                    "use --issuer \"" + iss + "\" if that issuer is trusted, or get a token from " + issuer);
        }

        List<String> aud = c.getAudience();
        if (audience != null) {
            if (aud == null || aud.isEmpty()) {
                report.fail("aud", "the token has no aud, so it is not meant for \"" + audience + "\"", "request the token with resource/audience \"" + audience + "\"");
            } else if (aud.contains(audience)) {
                report.ok("aud", "includes " + audience);
            } else {
                report.fail("aud", "the token is meant for " + aud + ", not for \"" + audience + "\"",
                        "request the token for \"" + audience + "\" (resource or audience parameter, or the client's configuration at the issuer)");
            }
        } else {
            report.ok("aud", (aud == null || aud.isEmpty() ? "none" : aud.toString()) + " (pass --aud to check it against yours)");
        }

        Instant now = clock.instant();
        Instant exp = c.getExpirationTime() == null ? null : c.getExpirationTime().toInstant();
        if (exp == null) {
            report.fail("exp", "the token has no exp: it would never expire, and verifiers refuse it (RFC 9068 §2.2, OIDC Core §2)",
                    "have the issuer set exp");
        } else if (now.isAfter(exp.plus(leeway))) {
            report.fail("exp", "the token expired " + ProviderChecks.human(Duration.between(exp, now)) + " ago (exp " + exp + ")",
                    "get a new token (if it was just issued, compare the clocks: latch doctor ISSUER)");
        } else if (now.isAfter(exp)) {
            report.warn("exp", "the token expired " + ProviderChecks.human(Duration.between(exp, now)) + " ago (exp " + exp
                    + "), accepted only within the " + leeway.toSeconds() + " s leeway", "get a new token");
        } else {
            report.ok("exp", exp + " (in " + ProviderChecks.human(Duration.between(now, exp)) + ")");
        }

        Instant nbf = c.getNotBeforeTime() == null ? null : c.getNotBeforeTime().toInstant();
        if (nbf != null && now.isBefore(nbf.minus(leeway))) {
            report.fail("nbf", "the token is not valid before " + nbf + " (in " + ProviderChecks.human(Duration.between(now, nbf)) + ")",
                    "wait, or compare the clocks of this machine and the issuer (latch doctor ISSUER)");
        } else if (nbf != null && now.isBefore(nbf)) {
            report.warn("nbf", "the token becomes valid at " + nbf + ", in " + ProviderChecks.human(Duration.between(now, nbf))
                    + "; accepted only within the leeway", "compare the clocks of this machine and the issuer (latch doctor ISSUER)");
        }
        Instant iat = c.getIssueTime() == null ? null : c.getIssueTime().toInstant();
        if (iat != null && now.isBefore(iat.minus(leeway))) {
            report.fail("iat", "the token was issued in the future (" + iat + ", in " + ProviderChecks.human(Duration.between(now, iat))
                    + "): the issuer's clock is ahead of this machine's", "synchronise the clocks with NTP");
        }
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
