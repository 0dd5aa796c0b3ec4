package dev.latch.server.token;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.server.cpu.CpuPool;
import dev.latch.server.keys.KeyRing;
import dev.latch.server.resource.TokenProfile;
import java.text.ParseException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Reads an access token this server issued, JWT or opaque, and says whether it is still good:
 * signature by one of our keys, our issuer, the {@code typ} of a {@link TokenProfile} ({@code at+jwt},
 * or {@code JWT} with a {@code client_id}, which no ID token carries), not expired, not revoked.
 * Every profile is read whatever the configuration says now, so tokens issued before a change still
 * introspect and revoke.
 */
public final class AccessTokenReader {

    private final KeyRing keys;
    private final CpuPool cpu;
    private final OpaqueTokenStore opaqueTokens;
    private final RevokedTokens revoked;
    private final Clock clock;
    private final String issuer;

    /** @param cpu where JWT signatures are checked (the request's virtual thread waits; see {@link CpuPool}) */
    public AccessTokenReader(KeyRing keys, CpuPool cpu, OpaqueTokenStore opaqueTokens, RevokedTokens revoked, Clock clock, String issuer) {
        this.keys = keys;
        this.cpu = cpu;
        this.opaqueTokens = opaqueTokens;
        this.revoked = revoked;
        this.clock = clock;
        this.issuer = issuer;
    }

    /** The token's content when it is one of ours, whatever its state (for revocation). */
    public Optional<AccessToken> parse(String token) {
        if (isJwt(token)) {
            return verifiedJwt(token);
        }
        return opaqueTokens.find(token);
    }

    /** The token's content when it is one of ours and currently valid (for introspection). */
    public Optional<AccessToken> active(String token) {
        long now = clock.instant().getEpochSecond();
        return parse(token).filter(at -> at.expiresAt() > now && !revoked.isRevoked(at.jti()) && clientActive.test(at.clientId(), at.issuedAt()));
    }

    /**
     * Also requires the token's client to still exist and be enabled (RFC 7592 §2.3: a deleted client's
     * tokens SHOULD stop working; a client re-registered under the same id must not inherit them).
     */
    public AccessTokenReader requiringActiveClient(java.util.function.BiPredicate<String, Long> clientActive) {
        AccessTokenReader r = new AccessTokenReader(keys, cpu, opaqueTokens, revoked, clock, issuer);
        r.clientActive = clientActive;
        return r;
    }

    private java.util.function.BiPredicate<String, Long> clientActive = (id, issuedAt) -> true;

    public boolean isJwt(String token) {
        return token.chars().filter(ch -> ch == '.').count() == 2;
    }

    private Optional<AccessToken> verifiedJwt(String token) {
        Optional<SignedJWT> verified = keys.verifiedJwt(token, cpu);
        if (verified.isEmpty()) {
            return Optional.empty();
        }
        SignedJWT jwt = verified.get();
        TokenProfile profile = TokenProfile.ofType(jwt.getHeader().getType());
        if (profile == null) {
            return Optional.empty();
        }
        try {
            JWTClaimsSet c = jwt.getJWTClaimsSet();
            if (!issuer.equals(c.getIssuer()) || c.getExpirationTime() == null || c.getJWTID() == null) {
                return Optional.empty();
            }
            // typed JWT like an ID token (signed by the same keys): only the access token has a client_id
            if (profile == TokenProfile.JWT && c.getStringClaim("client_id") == null) {
                return Optional.empty();
            }
            List<String> aud = c.getAudience();
            return Optional.of(new AccessToken(c.getIssuer(), c.getSubject(), aud, c.getStringClaim("client_id"),
                    c.getStringClaim("scope"), c.getJWTID(),
                    c.getIssueTime() == null ? 0 : c.getIssueTime().toInstant().getEpochSecond(),
                    c.getExpirationTime().toInstant().getEpochSecond(), dev.latch.core.smart.LaunchContext.fromClaims(c.getClaims()),
                    c.getClaim("fhirUser") instanceof String fhirUser ? fhirUser : null));
        } catch (ParseException e) {
            return Optional.empty();
        }
    }

    public void revoke(String token, AccessToken content) {
        if (isJwt(token)) {
            revoked.revoke(content.jti(), content.clientId(), content.expiresAt());
        } else {
            opaqueTokens.revoke(token);
        }
    }
}
