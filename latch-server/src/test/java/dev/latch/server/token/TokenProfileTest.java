package dev.latch.server.token;

import static dev.latch.server.OAuthResponses.assertNoStoreJson;
import static dev.latch.server.OAuthResponses.basic;
import static dev.latch.server.OAuthResponses.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import dev.latch.server.resource.TokenProfile;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Access-token profiles by audience: {@code typ: JWT} for resources configured {@code jwt},
 * {@code at+jwt} otherwise; several audiences get {@code JWT} only when every one of them is {@code jwt};
 * the claims are the same; introspection and revocation read both.
 */
class TokenProfileTest {

    static final String SPRING = "https://spring.example";
    static final String STRICT = "https://strict.example";
    static final String OTHER = "https://other.example";
    static final JOSEObjectType AT_JWT = new JOSEObjectType("at+jwt");

    static TestServer rfc9068ByDefault;
    static TestServer jwtByDefault;
    static String secret;
    static String secretOfJwtDefault;

    @BeforeAll
    static void start() {
        Map<String, String> resources = Map.of("resources.0.uri", SPRING, "resources.0.token-profile", "jwt",
                "resources.1.uri", STRICT, "resources.1.token-profile", "rfc9068");
        rfc9068ByDefault = TestServer.start(resources);
        secret = rfc9068ByDefault.register(client()).clientSecret();
        java.util.Map<String, String> withDefault = new java.util.HashMap<>(resources);
        withDefault.put("tokens.default-profile", "jwt");
        jwtByDefault = TestServer.start(withDefault);
        secretOfJwtDefault = jwtByDefault.register(client()).clientSecret();
    }

    @AfterAll
    static void stop() {
        rfc9068ByDefault.close();
        jwtByDefault.close();
    }

    private static Client client() {
        return new Client.Builder().clientId("api-caller").scope("read").allowedResources(List.of(SPRING, STRICT, OTHER)).build();
    }

    private static SignedJWT token(TestServer server, String secret, String... resources) throws Exception {
        StringBuilder body = new StringBuilder("grant_type=client_credentials&scope=read");
        for (String r : resources) body.append("&resource=").append(form(r));
        JsonNode json = assertNoStoreJson(server.postForm("/token", body.toString(), "Authorization", basic("api-caller", secret)), 200);
        return SignedJWT.parse(json.get("access_token").asText());
    }

    private static JsonNode introspect(TestServer server, String secret, String token) {
        return assertNoStoreJson(server.postForm("/introspect", "token=" + form(token), "Authorization", basic("api-caller", secret)), 200);
    }

    @Test
    void aResourceWithTheJwtProfileGetsTypJwtWithTheSameClaims() throws Exception {
        SignedJWT jwt = token(rfc9068ByDefault, secret, SPRING);
        SignedJWT rfc = token(rfc9068ByDefault, secret, STRICT);
        assertThat(jwt.getHeader().getType()).isEqualTo(JOSEObjectType.JWT);
        assertThat(rfc.getHeader().getType()).isEqualTo(AT_JWT);
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(rfc.getHeader().getKeyID());
        assertThat(jwt.getJWTClaimsSet().getClaims().keySet()).isEqualTo(rfc.getJWTClaimsSet().getClaims().keySet())
                .containsExactlyInAnyOrder("iss", "sub", "aud", "client_id", "scope", "jti", "iat", "exp");
        assertThat(jwt.getJWTClaimsSet().getAudience()).containsExactly(SPRING);
    }

    @Test
    void withoutAProfileOfTheirOwnAudiencesTakeTheDefault() throws Exception {
        assertThat(token(rfc9068ByDefault, secret).getHeader().getType()).as("the issuer as audience").isEqualTo(AT_JWT);
        assertThat(token(rfc9068ByDefault, secret, OTHER).getHeader().getType()).isEqualTo(AT_JWT);
        assertThat(token(jwtByDefault, secretOfJwtDefault).getHeader().getType()).isEqualTo(JOSEObjectType.JWT);
        assertThat(token(jwtByDefault, secretOfJwtDefault, OTHER).getHeader().getType()).isEqualTo(JOSEObjectType.JWT);
        assertThat(token(jwtByDefault, secretOfJwtDefault, STRICT).getHeader().getType()).as("its own profile wins").isEqualTo(AT_JWT);
    }

    @Test
    void severalAudiencesGetTypJwtOnlyWhenEveryOneIsJwt() throws Exception {
        assertThat(token(rfc9068ByDefault, secret, SPRING, OTHER).getHeader().getType()).isEqualTo(AT_JWT);
        assertThat(token(rfc9068ByDefault, secret, OTHER, SPRING).getHeader().getType()).isEqualTo(AT_JWT);
        assertThat(token(jwtByDefault, secretOfJwtDefault, SPRING, OTHER).getHeader().getType()).isEqualTo(JOSEObjectType.JWT);
        assertThat(token(jwtByDefault, secretOfJwtDefault, SPRING, STRICT).getHeader().getType()).isEqualTo(AT_JWT);
    }

    @Test
    void aProfileSetWhileTheServerRunsAppliesToTheNextToken() throws Exception {
        String uri = "https://changed.example";
        TestServer server = rfc9068ByDefault;
        String s = server.register(new Client.Builder().clientId("changer").allowedResources(List.of(uri)).build()).clientSecret();
        java.util.function.Supplier<JOSEObjectType> typ = () -> {
            JsonNode json = assertNoStoreJson(server.postForm("/token", "grant_type=client_credentials&resource=" + form(uri),
                    "Authorization", basic("changer", s)), 200);
            try {
                return SignedJWT.parse(json.get("access_token").asText()).getHeader().getType();
            } catch (java.text.ParseException e) {
                throw new AssertionError(e);
            }
        };
        assertThat(typ.get()).isEqualTo(AT_JWT);
        server.instance().resources().put(uri, TokenProfile.JWT);
        assertThat(typ.get()).isEqualTo(JOSEObjectType.JWT);
        assertThat(server.instance().resources().remove(uri)).isTrue();
        assertThat(typ.get()).isEqualTo(AT_JWT);
    }

    @Test
    void introspectionAndRevocationReadJwtProfileTokensAsBefore() throws Exception {
        String jwt = token(rfc9068ByDefault, secret, SPRING).serialize();
        String rfc = token(rfc9068ByDefault, secret, STRICT).serialize();
        JsonNode a = introspect(rfc9068ByDefault, secret, jwt);
        JsonNode b = introspect(rfc9068ByDefault, secret, rfc);
        assertThat(a.get("active").asBoolean()).isTrue();
        assertThat(b.get("active").asBoolean()).isTrue();
        assertThat(a.get("aud").asText()).isEqualTo(SPRING);
        assertThat(a.get("client_id").asText()).isEqualTo(b.get("client_id").asText()).isEqualTo("api-caller");
        assertThat(a.get("scope").asText()).isEqualTo("read");

        assertThat(rfc9068ByDefault.postForm("/revoke", "token=" + form(jwt), "Authorization", basic("api-caller", secret)).statusCode())
                .isEqualTo(200);
        assertThat(introspect(rfc9068ByDefault, secret, jwt).get("active").asBoolean()).isFalse();
        assertThat(introspect(rfc9068ByDefault, secret, rfc).get("active").asBoolean()).isTrue();
    }

    @Test
    void aTypJwtTokenWithoutClientIdIsNoAccessToken() throws Exception {
        // what an ID token looks like to the reader: our key, our issuer, a jti, typ JWT, but no client_id
        var key = rfc9068ByDefault.instance().keyRing().active(com.nimbusds.jose.JWSAlgorithm.RS256);
        long now = System.currentTimeMillis() / 1000;
        SignedJWT forged = new SignedJWT(new com.nimbusds.jose.JWSHeader.Builder(com.nimbusds.jose.JWSAlgorithm.RS256)
                .type(JOSEObjectType.JWT).keyID(key.key().kid()).build(),
                new com.nimbusds.jwt.JWTClaimsSet.Builder().issuer(rfc9068ByDefault.issuer()).subject("someone").audience("api-caller")
                        .jwtID("id-token-like").issueTime(new java.util.Date(now * 1000)).expirationTime(new java.util.Date((now + 300) * 1000))
                        .build());
        forged.sign(key.signer());
        assertThat(introspect(rfc9068ByDefault, secret, forged.serialize()).get("active").asBoolean()).isFalse();
    }
}
