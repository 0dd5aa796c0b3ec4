package dev.latch.core.jose;

import com.nimbusds.jose.JWSObject;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;

/**
 * Nimbus's compact JWS and JWT parsing with one way to fail: {@link ParseException}. Nimbus throws
 * {@code NullPointerException} (and may throw other runtime exceptions) for some malformed input — a header
 * or claims set that is the JSON {@code null}, for one — which a caller catching only {@code ParseException}
 * turns into a 500. Every place that parses a token it was sent parses it here.
 */
public final class JwtParsing {

    private JwtParsing() {}

    /** A signed JWT with its claims set already read (so later {@code getJWTClaimsSet()} calls cannot fail differently). */
    public static SignedJWT signedJwt(String token) throws ParseException {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (jwt.getJWTClaimsSet() == null) {
                throw new ParseException("the payload is not a JSON object", 0);
            }
            return jwt;
        } catch (RuntimeException e) {
            throw malformed(e);
        }
    }

    /** A JWS in compact serialization (the payload not read). */
    public static JWSObject jws(String token) throws ParseException {
        try {
            return JWSObject.parse(token);
        } catch (RuntimeException e) {
            throw malformed(e);
        }
    }

    /** Any JWT (plain, signed or encrypted) with its claims set already read when it is not encrypted. */
    public static JWT jwt(String token) throws ParseException {
        try {
            JWT jwt = JWTParser.parse(token);
            if (!(jwt instanceof com.nimbusds.jwt.EncryptedJWT) && jwt.getJWTClaimsSet() == null) {
                throw new ParseException("the payload is not a JSON object", 0);
            }
            return jwt;
        } catch (RuntimeException e) {
            throw malformed(e);
        }
    }

    private static ParseException malformed(RuntimeException e) {
        ParseException p = new ParseException("malformed JWT: " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"), 0);
        p.initCause(e);
        return p;
    }
}
