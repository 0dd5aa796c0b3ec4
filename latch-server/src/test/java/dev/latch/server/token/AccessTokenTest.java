package dev.latch.server.token;

import static dev.latch.server.OAuthResponses.assertNoStoreJson;
import static dev.latch.server.OAuthResponses.basic;
import static dev.latch.server.OAuthResponses.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Access tokens as a resource server sees them: RFC 9068 JWTs verified with Nimbus against the
 * published JWKS, per-client lifetime and signing algorithm, and opaque reference tokens.
 */
class AccessTokenTest {

    static final Set<JWSAlgorithm> ALL = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384,
            JWSAlgorithm.ES512, JWSAlgorithm.Ed25519, JWSAlgorithm.EdDSA);
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static final java.util.Map<String, String> SECRETS = new java.util.concurrent.ConcurrentHashMap<>();

    private static JsonNode issue(Client client, String extra) {
        SECRETS.put(client.clientId(), server.register(client).clientSecret());
        return again(client.clientId(), extra);
    }

    private static JsonNode again(String clientId, String extra) {
        return assertNoStoreJson(server.postForm("/token", "grant_type=client_credentials" + extra,
                "Authorization", basic(clientId, SECRETS.get(clientId))), 200);
    }

    private static JWKSet publishedKeys() throws Exception {
        return JWKSet.parse(server.get(server.url("/jwks")).body());
    }

    /** What an RFC 9068 resource server does: at+jwt type, a published key, our issuer, required claims. */
    private static JWTClaimsSet verifyAsResourceServer(String token, String audience) throws Exception {
        DefaultJWTClaimsVerifier<SecurityContext> claimsVerifier = new DefaultJWTClaimsVerifier<>(audience,
                new JWTClaimsSet.Builder().issuer(server.issuer()).build(),
                Set.of("iss", "sub", "aud", "client_id", "jti", "iat", "exp"));
        SignedJWT jwt = SignedJWT.parse(token);
        if (JWSAlgorithm.Family.ED.contains(jwt.getHeader().getAlgorithm())) {
            // Nimbus's key selector turns JWKs into JCA keys and has none for OKP, so check Ed25519 by hand.
            assertThat(jwt.getHeader().getType()).isEqualTo(new JOSEObjectType("at+jwt"));
            JWK key = publishedKeys().getKeyByKeyId(jwt.getHeader().getKeyID());
            assertThat(jwt.verify(new Ed25519Verifier(key.toOctetKeyPair()))).as("Ed25519 signature").isTrue();
            claimsVerifier.verify(jwt.getJWTClaimsSet(), null);
            return jwt.getJWTClaimsSet();
        }
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType("at+jwt")));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALL, new ImmutableJWKSet<>(publishedKeys())));
        processor.setJWTClaimsSetVerifier(claimsVerifier);
        return processor.process(token, null);
    }

    @Test
    void accessTokenIsAnRfc9068JwtVerifiableWithThePublishedKeys() throws Exception {
        JsonNode body = issue(new Client.Builder().clientId("shape").scope("read write").build(), "&scope=read%20write");
        String token = body.get("access_token").asText();

        SignedJWT jwt = SignedJWT.parse(token);
        assertThat(jwt.getHeader().getType()).isEqualTo(new JOSEObjectType("at+jwt"));
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
        assertThat(jwt.getHeader().getKeyID()).isNotBlank();
        assertThat(jwt.getHeader().getJWK()).as("no key in the header").isNull();

        JWTClaimsSet claims = verifyAsResourceServer(token, server.issuer());
        assertThat(claims.getIssuer()).isEqualTo(server.issuer());
        assertThat(claims.getSubject()).isEqualTo("shape");
        assertThat(claims.getStringClaim("client_id")).isEqualTo("shape");
        assertThat(claims.getStringClaim("scope")).isEqualTo("read write");
        assertThat(claims.getAudience()).containsExactly(server.issuer());
        assertThat(claims.getJWTID()).hasSizeGreaterThanOrEqualTo(16);
        long lifetime = (claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()) / 1000;
        assertThat(lifetime).isEqualTo(3600).isEqualTo(body.get("expires_in").asLong());
        assertThat(claims.getIssueTime().getTime()).isBetween(System.currentTimeMillis() - 60_000, System.currentTimeMillis() + 5_000);
    }

    @Test
    void everyTokenHasItsOwnJti() throws Exception {
        String secret = server.register(new Client.Builder().clientId("jti").build()).clientSecret();
        String a = server.postForm("/token", "grant_type=client_credentials", "Authorization", basic("jti", secret)).body();
        String b = server.postForm("/token", "grant_type=client_credentials", "Authorization", basic("jti", secret)).body();
        String jtiA = SignedJWT.parse(new com.fasterxml.jackson.databind.ObjectMapper().readTree(a).get("access_token").asText()).getJWTClaimsSet().getJWTID();
        String jtiB = SignedJWT.parse(new com.fasterxml.jackson.databind.ObjectMapper().readTree(b).get("access_token").asText()).getJWTClaimsSet().getJWTID();
        assertThat(jtiA).isNotEqualTo(jtiB);
    }

    @Test
    void resourceServerVerifiesAudienceFromResourceIndicator() throws Exception {
        String api = "https://api.example.com";
        JsonNode body = issue(new Client.Builder().clientId("aud").allowedResources(List.of(api)).build(), "&resource=" + form(api));
        assertThat(verifyAsResourceServer(body.get("access_token").asText(), api).getAudience()).containsExactly(api);
    }

    @Test
    void perClientLifetimeIsUsed() throws Exception {
        JsonNode body = issue(new Client.Builder().clientId("short-lived").accessTokenLifetime(120L).build(), "");
        assertThat(body.get("expires_in").asLong()).isEqualTo(120);
        JWTClaimsSet claims = SignedJWT.parse(body.get("access_token").asText()).getJWTClaimsSet();
        assertThat(claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()).isEqualTo(120_000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "Ed25519", "EdDSA"})
    void perClientSigningAlgorithmCreatesAndPublishesItsKeyOnFirstUse(String algName) throws Exception {
        JWSAlgorithm alg = JWSAlgorithm.parse(algName);
        boolean before = publishedKeys().getKeys().stream().anyMatch(k -> alg.equals(k.getAlgorithm()));
        assertThat(before).as("no %s key before a client needs one", algName).isEqualTo(alg.equals(JWSAlgorithm.RS256));

        JsonNode body = issue(new Client.Builder().clientId("alg-" + algName).accessTokenSignedResponseAlg(algName).build(), "");
        String token = body.get("access_token").asText();
        SignedJWT jwt = SignedJWT.parse(token);
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(alg);

        JWK published = publishedKeys().getKeyByKeyId(jwt.getHeader().getKeyID());
        assertThat(published).as("the signing key is in the JWKS").isNotNull();
        assertThat(published.getAlgorithm()).isEqualTo(alg);
        assertThat(published.getKeyUse()).isEqualTo(KeyUse.SIGNATURE);
        assertThat(published.isPrivate()).isFalse();
        assertThat(verifyAsResourceServer(token, server.issuer()).getSubject()).isEqualTo("alg-" + algName);

        // a second token reuses the same key
        JsonNode second = again("alg-" + algName, "");
        assertThat(SignedJWT.parse(second.get("access_token").asText()).getHeader().getKeyID()).isEqualTo(jwt.getHeader().getKeyID());
    }

    @Test
    void opaqueTokensAreRandomReferencesStoredOnlyAsDigests() {
        JsonNode body = issue(new Client.Builder().clientId("opaque").scope("read").accessTokenFormat("opaque").build(), "");
        String token = body.get("access_token").asText();
        assertThat(token).doesNotContain(".").hasSizeGreaterThanOrEqualTo(43);
        assertThat(body.get("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.get("expires_in").asLong()).isEqualTo(3600);

        List<String> stored = server.sql().query("SELECT token_digest || ' ' || claims FROM opaque_tokens WHERE client_id = ?",
                rs -> rs.getString(1), "opaque");
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0)).doesNotContain(token);
    }
}
