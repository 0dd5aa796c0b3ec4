package dev.latch.server.token;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.server.client.Client;
import dev.latch.server.cpu.CpuPool;
import dev.latch.server.http.Json;
import dev.latch.server.keys.KeyRing;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Issues ID tokens (OIDC Core §2, §3.1.3.6): signed with the client's {@code id_token_signed_response_alg}
 * (RS256 by default, OIDC Registration §2), each algorithm by its own active key.
 */
public final class IdTokenIssuer {

    private final KeyRing keys;
    private final Clock clock;
    private final String issuer;
    private final Duration lifetime;
    private final CpuPool cpu;

    /**
     * What the ID token says about the sign-in.
     *
     * @param nonce  the authorization request's nonce, or null (always null on refresh, OIDC Core §12.2)
     * @param extra  mapped claims; the ID token's own claims are written after them and win
     */
    public record Content(String subject, long authTime, String nonce, String sessionId, List<String> amr, Map<String, Object> extra) {}

    /** @param cpu where the signatures are made (the request's virtual thread waits for them) */
    public IdTokenIssuer(KeyRing keys, CpuPool cpu, Clock clock, String issuer, Duration lifetime) {
        this.keys = keys;
        this.cpu = cpu;
        this.clock = clock;
        this.issuer = issuer;
        this.lifetime = lifetime;
    }

    public String issue(Client client, Content content, String accessToken) {
        JWSAlgorithm alg = client.idTokenSignedResponseAlg() != null
                ? JwsAlgorithms.asymmetric(client.idTokenSignedResponseAlg()) : JWSAlgorithm.RS256;
        long now = clock.instant().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>(content.extra() == null ? Map.of() : content.extra());
        claims.put("iss", issuer);
        claims.put("sub", content.subject());
        claims.put("aud", client.clientId());
        // aud is this client alone, so azp repeats it; sent anyway so that it stays the same on refresh
        claims.put("azp", client.clientId());
        claims.put("exp", now + lifetime.toSeconds());
        claims.put("iat", now);
        claims.put("auth_time", content.authTime());
        putOrRemove(claims, "nonce", content.nonce());
        putOrRemove(claims, "sid", content.sessionId());
        if (content.amr() != null && !content.amr().isEmpty()) claims.put("amr", content.amr());
        else claims.remove("amr");
        if (accessToken != null) claims.put("at_hash", JwsAlgorithms.accessTokenHash(accessToken, alg));
        else claims.remove("at_hash");
        KeyRing.ActiveKey key = keys.active(alg);
        JWSObject jws = new JWSObject(new JWSHeader.Builder(alg).type(JOSEObjectType.JWT).keyID(key.key().kid()).build(),
                new Payload(Json.write(claims)));
        return key.sign(jws, cpu);
    }

    private static void putOrRemove(Map<String, Object> claims, String name, Object value) {
        if (value != null) claims.put(name, value);
        else claims.remove(name);
    }
}
