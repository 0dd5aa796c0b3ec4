package dev.latch.resource;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.core.jose.KeyGeneration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Crafted access tokens for tests: keys from core's KeyGeneration, claims as RFC 9068 §2.2 lists them. */
final class Tokens {

    static final String ISSUER = "https://issuer.example.test";
    static final String AUDIENCE = "https://api.example.test/";
    static final JOSEObjectType AT_JWT = new JOSEObjectType("at+jwt");

    private Tokens() {}

    static JWK key(JWSAlgorithm alg, String kid) {
        return KeyGeneration.withKeyId(KeyGeneration.generate(alg), kid);
    }

    /** Valid RFC 9068 claims for a client-credentials token issued at {@code now}, for five minutes. */
    static Map<String, Object> claims(Instant now) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("iss", ISSUER);
        c.put("sub", "client-1");
        c.put("aud", AUDIENCE);
        c.put("client_id", "client-1");
        c.put("scope", "read write");
        c.put("iat", now.getEpochSecond());
        c.put("exp", now.getEpochSecond() + 300);
        c.put("jti", UUID.randomUUID().toString());
        return c;
    }

    static Map<String, Object> claims(Instant now, String name, Object value) {
        Map<String, Object> c = claims(now);
        if (value == null) {
            c.remove(name);
        } else {
            c.put(name, value);
        }
        return c;
    }

    /** {@code claims} signed by {@code key} with {@code alg}, typ at+jwt and the key's kid. */
    static String sign(JWK key, Map<String, Object> claims) {
        return sign(key, key.getAlgorithm() == null ? JWSAlgorithm.RS256 : JWSAlgorithm.parse(key.getAlgorithm().getName()), AT_JWT, claims);
    }

    static String sign(JWK key, JWSAlgorithm alg, JOSEObjectType typ, Map<String, Object> claims) {
        try {
            return sign(new JWSHeader.Builder(alg).type(typ).keyID(key.getKeyID()).build(), JwsAlgorithms.signer(key, alg), claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sign(JWSHeader header, JWSSigner signer, Map<String, Object> claims) {
        try {
            JWSObject jws = new JWSObject(header, new Payload(claims));
            jws.sign(signer);
            return jws.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An unsecured JWT (RFC 7519 §6): {@code alg: none}, empty signature. */
    static String unsigned(Map<String, Object> claims) {
        return Base64URL.encode("{\"alg\":\"none\",\"typ\":\"at+jwt\"}") + "." + Base64URL.encode(JSONObjectUtils.toJSONString(claims)) + ".";
    }

    /** {@code token} with its payload replaced by {@code claims}, the signature kept. */
    static String withPayload(String token, Map<String, Object> claims) {
        String[] parts = token.split("\\.");
        return parts[0] + "." + Base64URL.encode(JSONObjectUtils.toJSONString(claims)) + "." + parts[2];
    }
}
