package dev.latch.server.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.JWSObject;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.core.smart.SmartScopes;
import dev.latch.server.client.Client;
import dev.latch.server.cpu.CpuPool;
import dev.latch.server.secret.Secrets;
import dev.latch.server.http.Json;
import dev.latch.server.keys.KeyRing;
import dev.latch.server.resource.TokenProfile;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Issues access tokens: JWTs per RFC 9068 signed by the active key of the client's algorithm, or opaque
 * reference tokens (256 random bits, stored as a digest). A JWT costs one signature, made on the
 * server's signing {@link CpuPool}, and no database write. Its header {@code typ} is that of the
 * audience's {@link TokenProfile}: {@code at+jwt}, or {@code JWT} for verifiers that accept nothing else.
 */
public final class AccessTokenIssuer {

    /**
     * The longest life of a token with SMART {@code system/} scopes, in seconds: SMART Backend Services
     * (2.0.0, "Issue access token") says such tokens SHOULD NOT live longer than five minutes.
     */
    public static final long SYSTEM_SCOPE_LIFETIME = 300;

    private final KeyRing keys;
    private final CpuPool cpu;
    private final OpaqueTokenStore opaqueTokens;
    private final Clock clock;
    private final String issuer;
    private final Duration defaultLifetime;
    private final JWSAlgorithm defaultAlg;
    private final Function<List<String>, TokenProfile> profiles;
    private final Map<String, JWSHeader> headers = new ConcurrentHashMap<>();

    /** The token as sent and what it says. */
    public record Issued(String token, AccessToken content) {}

    /**
     * @param cpu      where the signatures are made (the request's virtual thread waits for them)
     * @param profiles the profile of a JWT for its audience ({@link dev.latch.server.resource.ResourceProfiles#profileFor})
     */
    public AccessTokenIssuer(KeyRing keys, CpuPool cpu, OpaqueTokenStore opaqueTokens, Clock clock, String issuer,
                             Duration defaultLifetime, JWSAlgorithm defaultAlg, Function<List<String>, TokenProfile> profiles) {
        this.keys = keys;
        this.cpu = cpu;
        this.opaqueTokens = opaqueTokens;
        this.clock = clock;
        this.issuer = issuer;
        this.defaultLifetime = defaultLifetime;
        this.defaultAlg = defaultAlg;
        this.profiles = profiles;
    }

    public Issued issue(Client client, String subject, List<String> audience, String scope) {
        return issue(client, subject, audience, scope, Map.of());
    }

    /**
     * @param extraClaims mapped claims for a JWT access token; the token's own claims are written after
     *                    them and win. Opaque tokens do not carry them (introspection shows the RFC 7662 set).
     */
    public Issued issue(Client client, String subject, List<String> audience, String scope, Map<String, Object> extraClaims) {
        return issue(client, subject, audience, scope, extraClaims, dev.latch.core.smart.LaunchContext.NONE);
    }

    /** As above, carrying a SMART launch context ({@code patient}, {@code encounter}, …) as claims of the token. */
    public Issued issue(Client client, String subject, List<String> audience, String scope, Map<String, Object> extraClaims,
                        dev.latch.core.smart.LaunchContext launch) {
        long now = clock.instant().getEpochSecond();
        long lifetime = client.accessTokenLifetime() != null ? client.accessTokenLifetime() : defaultLifetime.toSeconds();
        if (lifetime > SYSTEM_SCOPE_LIFETIME && SmartScopes.hasSystemScope(scope)) {
            lifetime = SYSTEM_SCOPE_LIFETIME;
        }
        // SMART fhirUser (a mapped claim of user tokens) is part of the content, so introspection reports it too
        String fhirUser = extraClaims.get("fhirUser") instanceof String f ? f : null;
        AccessToken content = new AccessToken(issuer, subject, audience, client.clientId(), scope, Secrets.generate(128), now, now + lifetime,
                launch, fhirUser);
        if (client.opaqueTokens()) {
            String token = Secrets.generate(256);
            opaqueTokens.save(token, content);
            return new Issued(token, content);
        }
        JWSAlgorithm alg = client.accessTokenSignedResponseAlg() != null
                ? JwsAlgorithms.asymmetric(client.accessTokenSignedResponseAlg()) : defaultAlg;
        KeyRing.ActiveKey key = keys.active(alg);
        TokenProfile profile = profiles.apply(audience);
        JWSHeader header = headers.computeIfAbsent(profile.configName() + " " + key.key().kid(), k -> header(alg, profile, key.key().kid()));
        Map<String, Object> claims = content.claims();
        if (!extraClaims.isEmpty()) {
            Map<String, Object> merged = new java.util.LinkedHashMap<>(extraClaims);
            merged.putAll(claims);
            claims = merged;
        }
        return new Issued(key.sign(new JWSObject(header, new Payload(Json.write(claims))), cpu), content);
    }

    /**
     * The RFC 9068 §2.1 header for one key and profile. It is parsed back from its own encoding because
     * Nimbus then keeps that encoding, where a built header is serialized to JSON again for every token.
     */
    private static JWSHeader header(JWSAlgorithm alg, TokenProfile profile, String kid) {
        JWSHeader built = new JWSHeader.Builder(alg).type(profile.type()).keyID(kid).build();
        try {
            return JWSHeader.parse(built.toBase64URL());
        } catch (ParseException e) {
            throw new IllegalStateException("cannot read back the header of key " + kid, e);
        }
    }

    public String issuer() {
        return issuer;
    }
}
