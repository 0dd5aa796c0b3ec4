package dev.latch.cli.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import dev.latch.core.jose.JwsAlgorithms;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each key of a published JWK Set (RFC 7517): no private parts, parseable, {@code kid} present and
 * unique, {@code alg} fitting the key type and curve ({@link JwsAlgorithms#fits}), RSA of 2048 bits
 * or more, {@code use}/{@code key_ops} allowing signature verification.
 */
final class KeyChecks {

    /** Members that only a private or symmetric key has (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2). */
    private static final List<String> PRIVATE_MEMBERS = List.of("d", "p", "q", "dp", "dq", "qi", "oth", "k");

    private final Report report;

    KeyChecks(Report report) {
        this.report = report;
    }

    /** Checks every key; returns the public keys usable to verify signatures. */
    List<JWK> check(JsonNode keys) {
        Map<String, Integer> kids = new HashMap<>();
        for (JsonNode k : keys) {
            JsonNode kid = k.get("kid");
            if (kid != null && kid.isTextual()) kids.merge(kid.asText(), 1, Integer::sum);
        }
        List<JWK> usable = new ArrayList<>();
        java.util.Set<String> reportedDuplicates = new java.util.HashSet<>();
        int index = 0;
        for (JsonNode raw : keys) {
            index++;
            JWK key = checkOne(raw, index, kids, reportedDuplicates);
            if (key != null) usable.add(key);
        }
        return usable;
    }

    private JWK checkOne(JsonNode raw, int index, Map<String, Integer> kids, java.util.Set<String> reportedDuplicates) {
        String kid = raw.hasNonNull("kid") ? raw.get("kid").asText() : null;
        String name = kid == null ? "key #" + index : "key " + kid;
        if (!raw.isObject()) {
            report.fail(name, "is not a JSON object", "publish each key as a JWK object (RFC 7517 §4)");
            return null;
        }
        int problems = 0;

        List<String> privateMembers = PRIVATE_MEMBERS.stream().filter(raw::has).toList();
        if (!privateMembers.isEmpty()) {
            boolean symmetric = "oct".equals(raw.path("kty").asText());
            report.fail(name, "CRITICAL: the public JWK Set contains " + (symmetric ? "a symmetric secret" : "the PRIVATE key")
                            + " (members " + String.join(", ", privateMembers) + "): anyone who fetched it can sign tokens as this server",
                    "remove the key from the JWK Set now, treat it as compromised and replace it; publish only public members"
                            + " (Nimbus: JWK.toPublicJWK(), Latch publishes public parts only)");
            problems++;
        }

        JWK key;
        try {
            key = JWK.parse(ProviderChecks.JSON.writeValueAsString(raw));
        } catch (java.text.ParseException | java.io.IOException e) {
            report.fail(name, "cannot be parsed as a JWK: " + e.getMessage(), "publish a valid JWK (RFC 7517 §4, RFC 7518 §6)");
            return null;
        }
        if (KeyType.OCT.equals(key.getKeyType())) {
            return null; // reported above: a symmetric key in a public JWKS is never usable
        }

        if (kid == null) {
            report.warn(name, "has no kid: verifiers cannot pick it by the token's kid, which breaks once a second key appears (rotation)",
                    "give every key a kid (its RFC 7638 thumbprint is a good choice)");
            problems++;
        } else if (kids.getOrDefault(kid, 0) > 1) {
            if (reportedDuplicates.add(kid)) {
                report.fail(name, "kid \"" + kid + "\" is used by " + kids.get(kid) + " keys: a verifier cannot tell which one signed a token",
                        "give each key its own kid (e.g. its RFC 7638 thumbprint)");
            }
            problems++;
        }

        if (key instanceof RSAKey rsa && rsa.size() < 2048) {
            report.fail(name, "is an RSA key of " + rsa.size() + " bits: too short (RFC 7518 §3.3 requires 2048 or more; libraries refuse it)",
                    "replace it with a key of at least 2048 bits and rotate");
            problems++;
        }

        KeyUse use = key.getKeyUse();
        if (use != null && !KeyUse.SIGNATURE.equals(use)) {
            report.warn(name, "has use \"" + use.identifier() + "\", not \"sig\": verifiers skip it for token signatures",
                    "publish signing keys with \"use\": \"sig\" (and encryption keys only where clients encrypt to the server)");
            problems++;
        }
        if (key.getKeyOperations() != null && !key.getKeyOperations().contains(KeyOperation.VERIFY)) {
            report.warn(name, "has key_ops " + key.getKeyOperations() + " without \"verify\": verifiers will not use it",
                    "add \"verify\" to key_ops, or drop key_ops");
            problems++;
        }

        if (key.getAlgorithm() != null) {
            problems += checkAlgorithm(name, key, key.getAlgorithm().getName(), use);
        }

        if (problems == 0) {
            report.ok(name, describe(key));
        }
        boolean forSignatures = (use == null || KeyUse.SIGNATURE.equals(use))
                && (key.getKeyOperations() == null || key.getKeyOperations().contains(KeyOperation.VERIFY));
        return forSignatures ? key.toPublicJWK() : null;
    }

    private int checkAlgorithm(String name, JWK key, String algName, KeyUse use) {
        if ("none".equals(algName)) {
            report.fail(name, "says alg \"none\", which is not a signature", "set alg to the algorithm the key signs with");
            return 1;
        }
        JWSAlgorithm alg = JWSAlgorithm.parse(algName);
        if (JwsAlgorithms.isHmac(alg)) {
            report.fail(name, "says alg " + algName + ", an HMAC algorithm, on a " + key.getKeyType() + " key",
                    "set alg to a signature algorithm for this key (" + suggestion(key) + ")");
            return 1;
        }
        if (!JwsAlgorithms.isSupported(alg)) {
            if (use != null && !KeyUse.SIGNATURE.equals(use)) return 0; // an encryption algorithm on an encryption key
            report.warn(name, "says alg \"" + algName + "\", which is not a JWS signature algorithm", "set alg to " + suggestion(key));
            return 1;
        }
        if (!JwsAlgorithms.keyType(alg).equals(key.getKeyType())) {
            report.fail(name, "says alg " + algName + ", which needs a " + JwsAlgorithms.keyType(alg) + " key, but the key is " + key.getKeyType(),
                    "set alg to " + suggestion(key) + ", or publish a " + JwsAlgorithms.keyType(alg) + " key for " + algName);
            return 1;
        }
        Curve wanted = JwsAlgorithms.curve(alg);
        Curve actual = key instanceof ECKey ec ? ec.getCurve() : key instanceof OctetKeyPair okp ? okp.getCurve() : null;
        if (wanted != null && !wanted.equals(actual)) {
            report.fail(name, "says alg " + algName + ", which needs curve " + wanted + ", but the key is on " + actual
                            + ": signatures will not verify",
                    "set alg to " + suggestion(key) + " (what a " + actual + " key signs with), or replace the key with one on " + wanted);
            return 1;
        }
        if (!JwsAlgorithms.fits(key, alg) && !(key instanceof RSAKey)) {
            report.fail(name, "cannot be used with alg " + algName, "publish a key that fits " + algName);
            return 1;
        }
        return 0;
    }

    /** The algorithms a key of this type and curve can sign with. */
    private static String suggestion(JWK key) {
        List<String> fitting = JwsAlgorithms.ASYMMETRIC.stream()
                .filter(a -> JwsAlgorithms.keyType(a).equals(key.getKeyType()))
                .filter(a -> JwsAlgorithms.curve(a) == null || (key instanceof ECKey ec && JwsAlgorithms.curve(a).equals(ec.getCurve()))
                        || (key instanceof OctetKeyPair okp && JwsAlgorithms.curve(a).equals(okp.getCurve())))
                .map(JWSAlgorithm::getName).toList();
        return fitting.isEmpty() ? "an algorithm this key fits" : String.join(" or ", fitting);
    }

    static String describe(JWK key) {
        StringBuilder b = new StringBuilder().append(key.getKeyType());
        if (key instanceof RSAKey rsa) b.append(' ').append(rsa.size()).append(" bits");
        if (key instanceof ECKey ec) b.append(' ').append(ec.getCurve());
        if (key instanceof OctetKeyPair okp) b.append(' ').append(okp.getCurve());
        b.append(", alg ").append(key.getAlgorithm() == null ? "(not given)" : key.getAlgorithm().getName());
        b.append(", use ").append(key.getKeyUse() == null ? "(not given)" : key.getKeyUse().identifier());
        return b.toString();
    }
}
