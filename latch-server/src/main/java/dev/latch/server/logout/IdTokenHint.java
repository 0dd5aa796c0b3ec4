package dev.latch.server.logout;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.server.keys.KeyRing;
import java.text.ParseException;
import java.util.List;
import java.util.Optional;

/**
 * An {@code id_token_hint} (OIDC RP-Initiated Logout 1.0 §2): an ID token this server issued, checked
 * for signature (any stored key, so a token signed by a since-retired key still counts), {@code iss}
 * and the {@code JWT} type; its expiry is deliberately not checked, since the RP sends the token it
 * holds, which has often expired by logout time.
 *
 * @param audience the {@code aud} values; {@code azp} when present names the one client
 */
record IdTokenHint(String subject, String sid, List<String> audience, String authorizedParty) {

    /** The verified hint, or empty when it is not a valid ID token of this issuer. */
    static Optional<IdTokenHint> verify(String token, KeyRing keys, String issuer) {
        Optional<SignedJWT> verified = keys.verifiedJwt(token);
        if (verified.isEmpty()) {
            return Optional.empty();
        }
        SignedJWT jwt = verified.get();
        // an access token (typ at+jwt, RFC 9068) is signed by the same keys but is no ID token
        if (jwt.getHeader().getType() != null && !"JWT".equalsIgnoreCase(jwt.getHeader().getType().getType())) {
            return Optional.empty();
        }
        try {
            JWTClaimsSet c = jwt.getJWTClaimsSet();
            if (!issuer.equals(c.getIssuer()) || c.getSubject() == null || c.getAudience() == null || c.getAudience().isEmpty()) {
                return Optional.empty();
            }
            // an access token under the jwt profile is typed JWT too; its client_id (never in an ID token) tells it apart
            if (c.getClaim("client_id") != null) {
                return Optional.empty();
            }
            return Optional.of(new IdTokenHint(c.getSubject(), c.getStringClaim("sid"), c.getAudience(), c.getStringClaim("azp")));
        } catch (ParseException e) {
            return Optional.empty();
        }
    }

    /** The client the token was issued to: {@code azp}, or the single audience. */
    Optional<String> clientId() {
        if (authorizedParty != null) return Optional.of(authorizedParty);
        return audience.size() == 1 ? Optional.of(audience.get(0)) : Optional.empty();
    }
}
