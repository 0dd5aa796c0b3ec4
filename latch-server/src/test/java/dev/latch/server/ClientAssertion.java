package dev.latch.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Builds RFC 7523 client assertions with full control over every header parameter and claim, so
 * tests can craft hostile ones (wrong audience, missing claims, embedded keys, {@code alg: none}…).
 * Signing uses Nimbus JOSE directly, not Latch's own helpers.
 */
public final class ClientAssertion {

    public static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Object> header = new LinkedHashMap<>();
    private final Map<String, Object> claims = new LinkedHashMap<>();

    private ClientAssertion() {}

    /** iss = sub = {@code clientId}, the given aud, a fresh jti, iat now, exp one minute ahead. */
    public static ClientAssertion of(String clientId, Object audience, Instant now) {
        ClientAssertion a = new ClientAssertion();
        a.claims.put("iss", clientId);
        a.claims.put("sub", clientId);
        a.claims.put("aud", audience);
        a.claims.put("jti", UUID.randomUUID().toString());
        a.claims.put("iat", now.getEpochSecond());
        a.claims.put("exp", now.plus(Duration.ofMinutes(1)).getEpochSecond());
        return a;
    }

    public static ClientAssertion of(String clientId, Object audience) {
        return of(clientId, audience, Instant.now());
    }

    public ClientAssertion claim(String name, Object value) {
        claims.put(name, value);
        return this;
    }

    public ClientAssertion without(String claim) {
        claims.remove(claim);
        return this;
    }

    /** Sets a JOSE header parameter (kid, typ, jku, jwk, x5c, x5t#S256…). */
    public ClientAssertion header(String name, Object value) {
        header.put(name, value);
        return this;
    }

    public ClientAssertion kid(String kid) {
        return header("kid", kid);
    }

    public ClientAssertion typ(String typ) {
        return header("typ", typ);
    }

    /** Signs with a private asymmetric key. */
    public String sign(JWK key, JWSAlgorithm alg) {
        try {
            JWSSigner signer;
            if (key instanceof RSAKey rsa) {
                signer = new RSASSASigner(rsa);
            } else if (key instanceof ECKey ec) {
                signer = new ECDSASigner(ec);
            } else if (key instanceof OctetKeyPair okp) {
                signer = new Ed25519Signer(okp);
            } else {
                throw new IllegalArgumentException("no signer for " + key.getKeyType());
            }
            return sign(signer, alg);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Signs with an HMAC key given as bytes. */
    public String signHmac(byte[] secret, JWSAlgorithm alg) {
        try {
            return sign(new MACSigner(secret), alg);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Signs with an HMAC key given as a client secret (its UTF-8 bytes, RFC 7518 §3.2). */
    public String signHmac(String secret, JWSAlgorithm alg) {
        return signHmac(secret.getBytes(StandardCharsets.UTF_8), alg);
    }

    /** An unsecured JWS ({@code alg: none}, empty signature; RFC 7515 Appendix A.5). */
    public String unsecured() {
        Map<String, Object> h = new LinkedHashMap<>(header);
        h.put("alg", "none");
        return Base64URL.encode(write(h)) + "." + Base64URL.encode(write(claims)) + ".";
    }

    private String sign(JWSSigner signer, JWSAlgorithm alg) throws JOSEException {
        Map<String, Object> h = new LinkedHashMap<>(header);
        h.put("alg", alg.getName());
        JWSHeader jwsHeader;
        try {
            jwsHeader = JWSHeader.parse(h);
        } catch (ParseException e) {
            throw new IllegalArgumentException("bad test header " + h, e);
        }
        JWSObject jws = new JWSObject(jwsHeader, new Payload(write(claims)));
        jws.sign(signer);
        return jws.serialize();
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The two form parameters that carry an assertion (RFC 7521 §4.2), form-encoded. */
    public static String form(String assertion) {
        return "client_assertion_type=" + URLEncoder.encode(JWT_BEARER, StandardCharsets.UTF_8)
                + "&client_assertion=" + URLEncoder.encode(assertion, StandardCharsets.UTF_8);
    }
}
