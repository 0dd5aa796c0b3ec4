package dev.latch.server.signin;

import static dev.latch.server.OAuthResponses.assertNoStoreJson;
import static dev.latch.server.OAuthResponses.basic;
import static dev.latch.server.OAuthResponses.form;
import static dev.latch.server.signin.TokenGrantFixture.REDIRECT;
import static dev.latch.server.signin.TokenGrantFixture.VERIFIER;
import static dev.latch.server.signin.TokenGrantFixture.grant;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.validators.AccessTokenValidator;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.server.client.Client;
import dev.latch.server.config.ConfigLoader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ID tokens per client algorithm (OIDC Core §2, §3.1.3.6) and configured claim mappings. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdTokenAndClaimsTest {

    private TokenGrantFixture f;

    @BeforeAll
    void start() {
        f = new TokenGrantFixture(Map.of(
                "claims.0.claim", "roles", "claims.0.source", "roles", "claims.0.in", "id_token,access_token,userinfo",
                "claims.1.claim", "username", "claims.1.source", "username", "claims.1.in", "access_token",
                "claims.2.claim", "email", "claims.2.source", "email", "claims.2.in", "id_token", "claims.2.scope", "email"));
    }

    @AfterAll
    void stop() {
        f.close();
    }

    private JsonNode signIn(String clientId, String secret, String scope) {
        return assertNoStoreJson(f.server.postForm("/token", "grant_type=authorization_code&code=" + form(f.code(grant(clientId, scope, false)))
                + "&redirect_uri=" + form(REDIRECT) + "&code_verifier=" + VERIFIER, "Authorization", basic(clientId, secret)), 200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"RS256", "RS384", "PS256", "PS512", "ES256", "ES384", "ES512", "Ed25519", "EdDSA"})
    void idTokenIsSignedWithTheClientsAlgorithmByItsOwnKeyWithTheMatchingAtHash(String alg) throws Exception {
        String clientId = "alg-" + alg;
        String secret = f.server.register(new Client.Builder().clientId(clientId).scope("openid").idTokenSignedResponseAlg(alg)
                .grantTypes(List.of("authorization_code")).redirectUris(List.of(REDIRECT)).build()).clientSecret();
        JsonNode body = signIn(clientId, secret, "openid");
        SignedJWT idToken = SignedJWT.parse(body.path("id_token").asText());
        assertThat(idToken.getHeader().getAlgorithm().getName()).isEqualTo(alg);
        JWKSet jwks = JWKSet.parse(f.server.get(f.server.url("/jwks")).body());
        JWK key = jwks.getKeyByKeyId(idToken.getHeader().getKeyID());
        assertThat(JwsAlgorithms.fits(key, JWSAlgorithm.parse(alg))).as("key %s fits %s", key.getKeyID(), alg).isTrue();
        assertThat(idToken.verify(JwsAlgorithms.verifier(key, JWSAlgorithm.parse(alg)))).isTrue();

        // at_hash written from OIDC Core §3.1.3.6 here, independently of the server
        String hash = alg.endsWith("384") ? "SHA-384" : alg.endsWith("512") || alg.startsWith("Ed") ? "SHA-512" : "SHA-256";
        byte[] digest = MessageDigest.getInstance(hash).digest(body.path("access_token").asText().getBytes(StandardCharsets.US_ASCII));
        assertThat(idToken.getJWTClaimsSet().getStringClaim("at_hash"))
                .isEqualTo(Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, digest.length / 2)));

        if (!alg.startsWith("Ed")) {
            IDTokenClaimsSet claims = new IDTokenValidator(new Issuer(f.server.issuer()), new ClientID(clientId), JWSAlgorithm.parse(alg), jwks)
                    .validate(JWTParser.parse(body.path("id_token").asText()), new Nonce("n-0S6_WzA2Mj"));
            AccessTokenValidator.validate(new BearerAccessToken(body.path("access_token").asText()), JWSAlgorithm.parse(alg),
                    claims.getAccessTokenHash());
        }
    }

    @Test
    void mappedClaimsGoWhereTheyAreConfigured() throws Exception {
        JsonNode tokens = assertNoStoreJson(f.exchangeAsWeb(f.code(grant("web", "openid email", false)), ""), 200);
        var id = SignedJWT.parse(tokens.path("id_token").asText()).getJWTClaimsSet();
        var at = SignedJWT.parse(tokens.path("access_token").asText()).getJWTClaimsSet();
        assertThat(id.getStringListClaim("roles")).containsExactly("admin", "nurse");
        assertThat(id.getStringClaim("email")).isEqualTo("alice@example.com");
        assertThat(id.getClaim("username")).isNull();
        assertThat(at.getStringListClaim("roles")).containsExactly("admin", "nurse");
        assertThat(at.getStringClaim("username")).isEqualTo("alice");
        assertThat(at.getClaim("email")).isNull();
        JsonNode info = assertNoStoreJson(f.userinfo(tokens.path("access_token").asText()), 200);
        assertThat(info.path("roles").get(1).asText()).isEqualTo("nurse");
    }

    @Test
    void mappingWithAScopeAppliesOnlyWhenThatScopeIsGranted() throws Exception {
        JsonNode tokens = assertNoStoreJson(f.exchangeAsWeb(f.code(grant("web", "openid", false)), ""), 200);
        var id = SignedJWT.parse(tokens.path("id_token").asText()).getJWTClaimsSet();
        assertThat(id.getClaim("email")).isNull();
        assertThat(id.getStringListClaim("roles")).containsExactly("admin", "nurse");
    }

    @ParameterizedTest
    @ValueSource(strings = {"iss", "sub", "aud", "exp", "iat", "client_id", "scope", "nonce", "auth_time", "jti"})
    void protectedClaimCannotBeMappedAndTheSettingIsNamed(String claim) {
        assertThatThrownBy(() -> new ConfigLoader(n -> null, dev.latch.core.secret.SecretReference.system())
                .load(null, Map.of("claims.0.claim", claim, "claims.0.source", "username")))
                .isInstanceOf(ConfigLoader.ConfigException.class)
                .hasMessageStartingWith("claims[0].claim: '" + claim + "'");
    }

    @Test
    void unknownTargetIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> new ConfigLoader(n -> null, dev.latch.core.secret.SecretReference.system())
                .load(null, Map.of("claims.0.claim", "roles", "claims.0.in", "id_token,cookie")))
                .isInstanceOf(ConfigLoader.ConfigException.class).hasMessageContaining("claims[0].in: 'cookie'");
    }
}
