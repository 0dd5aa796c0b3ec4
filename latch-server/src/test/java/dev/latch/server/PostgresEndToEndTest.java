package dev.latch.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenIntrospectionRequest;
import com.nimbusds.oauth2.sdk.TokenIntrospectionResponse;
import com.nimbusds.oauth2.sdk.TokenIntrospectionSuccessResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.TokenRevocationRequest;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretJWT;
import com.nimbusds.oauth2.sdk.auth.PrivateKeyJWT;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import dev.latch.core.secret.SecretReference;
import dev.latch.server.client.Client;
import dev.latch.server.client.ClientRegistry;
import dev.latch.server.config.ConfigLoader;
import dev.latch.server.config.ServerConfig;
import dev.latch.server.storage.TestDatabase;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server end to end on PostgreSQL (a fresh schema), driven by the Nimbus OAuth 2.0 SDK as an
 * independent client: client credentials with basic, private_key_jwt and client_secret_jwt,
 * introspection, revocation, opaque tokens. Skipped when PostgreSQL does not answer.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PostgresEndToEndTest {

    static TestDatabase db;
    static TestServer server;

    @BeforeAll
    static void start() {
        if (!TestDatabase.postgresReachable()) {
            return;
        }
        db = TestDatabase.postgres();
        Map<String, String> settings = new HashMap<>(db.settings());
        server = TestServer.start(settings);
    }

    @AfterAll
    static void stop() {
        try {
            if (server != null) server.close();
        } finally {
            if (db != null) db.close();
        }
    }

    @BeforeEach
    void requirePostgres() {
        TestDatabase.assumePostgresReachable();
    }

    static URI uri(String path) {
        return URI.create(server.url(path));
    }

    static AccessTokenResponse token(ClientAuthentication auth, String scope) throws Exception {
        TokenResponse r = TokenResponse.parse(new TokenRequest(uri("/token"), auth, new ClientCredentialsGrant(), new Scope(scope))
                .toHTTPRequest().send());
        assertThat(r.indicatesSuccess()).as(() -> r.toErrorResponse().getErrorObject().toString()).isTrue();
        return r.toSuccessResponse();
    }

    static TokenIntrospectionResponse introspect(ClientAuthentication auth, AccessToken token) throws Exception {
        return TokenIntrospectionResponse.parse(new TokenIntrospectionRequest(uri("/introspect"), auth, token).toHTTPRequest().send());
    }

    static PrivateKeyJWT privateKeyJwt(String clientId, JWK key) throws Exception {
        // aud = the issuer, which the server accepts at every endpoint
        return new PrivateKeyJWT(new ClientID(clientId), URI.create(server.issuer()), JWSAlgorithm.ES256,
                key.toECKey().toECPrivateKey(), key.getKeyID(), null);
    }

    @Test
    void serverRunsOnPostgres() {
        assertThat(server.server().instance().database().isPostgres()).isTrue();
        assertThat(server.managementUrl("/healthz")).satisfies(u -> assertThat(server.get(u).body()).contains("reachable"));
    }

    @Test
    void anotherNodeWithADifferentMasterKeyThenRefusesToOpenTheDatabase() {
        Map<String, String> settings = new HashMap<>(db.settings());
        settings.put("data", server.data().toString());
        settings.put("master-key", Base64.getEncoder().encodeToString(new byte[32]));
        ServerConfig config = new ConfigLoader(name -> null, SecretReference.system()).load(null, settings);

        assertThatThrownBy(() -> LatchInstance.open(config, Clock.systemUTC()).close())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("master key").hasMessageContaining("not the one");
    }

    @Test
    void clientCredentialsWithBasicThenJwtVerifiesAgainstJwks() throws Exception {
        ClientRegistry.Registered c = server.basicClient("pg-basic", "read write");
        ClientSecretBasic basic = new ClientSecretBasic(new ClientID("pg-basic"), new Secret(c.clientSecret()));

        AccessTokenResponse r = token(basic, "read");

        SignedJWT jwt = SignedJWT.parse(r.getTokens().getAccessToken().getValue());
        JWKSet jwks = JWKSet.parse(server.get(server.url("/jwks")).body());
        JWK signingKey = jwks.getKeyByKeyId(jwt.getHeader().getKeyID());
        assertThat(signingKey).isNotNull();
        assertThat(jwt.verify(new DefaultJWSVerifierFactory().createJWSVerifier(jwt.getHeader(), signingKey.toRSAKey().toPublicKey()))).isTrue();
        assertThat(jwt.getJWTClaimsSet().getStringClaim("client_id")).isEqualTo("pg-basic");
        assertThat(r.getTokens().getAccessToken().getScope()).isEqualTo(new Scope("read"));
    }

    @Test
    void resourceTokenProfilesAreKeptOnPostgresAndTypeTheToken() throws Exception {
        String api = "https://pg-api.example";
        ClientRegistry.Registered c = server.register(new Client.Builder().clientId("pg-profile").allowedResources(java.util.List.of(api)).build());
        var profiles = server.instance().resources();
        assertThat(profiles.put(api, dev.latch.server.resource.TokenProfile.RFC9068)).isTrue();
        assertThat(profiles.put(api, dev.latch.server.resource.TokenProfile.JWT)).as("the second put updates").isFalse();
        assertThat(profiles.list()).containsEntry(api, dev.latch.server.resource.TokenProfile.JWT);

        TokenResponse r = TokenResponse.parse(new TokenRequest(uri("/token"), new ClientSecretBasic(new ClientID("pg-profile"),
                new Secret(c.clientSecret())), new ClientCredentialsGrant(), null, null, java.util.List.of(URI.create(api)), null)
                .toHTTPRequest().send());
        assertThat(r.indicatesSuccess()).isTrue();
        assertThat(SignedJWT.parse(r.toSuccessResponse().getTokens().getAccessToken().getValue()).getHeader().getType())
                .isEqualTo(com.nimbusds.jose.JOSEObjectType.JWT);
        assertThat(profiles.remove(api)).isTrue();
    }

    @Test
    void clientCredentialsWhenBasicSecretWrongThenInvalidClient() throws Exception {
        server.basicClient("pg-wrong", "read");
        ClientSecretBasic wrong = new ClientSecretBasic(new ClientID("pg-wrong"), new Secret("x".repeat(40)));

        HTTPResponse http = new TokenRequest(uri("/token"), wrong, new ClientCredentialsGrant(), null).toHTTPRequest().send();

        assertThat(http.getStatusCode()).isEqualTo(401);
        assertThat(TokenErrorResponse.parse(http).getErrorObject().getCode()).isEqualTo("invalid_client");
    }

    @Test
    void clientCredentialsWithPrivateKeyJwtThenTokenAndReplayRefused() throws Exception {
        JWK key = ClientAssertions.newKey();
        server.register(ClientAssertions.privateKeyJwtClient("pg-pkjwt", key, "read"));
        PrivateKeyJWT auth = privateKeyJwt("pg-pkjwt", key);

        AccessTokenResponse first = token(auth, "read");
        HTTPResponse replay = new TokenRequest(uri("/token"), auth, new ClientCredentialsGrant(), new Scope("read")).toHTTPRequest().send();

        assertThat(SignedJWT.parse(first.getTokens().getAccessToken().getValue()).getJWTClaimsSet().getSubject()).isEqualTo("pg-pkjwt");
        assertThat(replay.getStatusCode()).isEqualTo(401);
        assertThat(TokenErrorResponse.parse(replay).getErrorObject().getCode()).isEqualTo("invalid_client");
    }

    @Test
    void privateKeyJwtWithVeryLongJtiThenAcceptedOnceAndNeverAServerError() throws Exception {
        JWK key = ClientAssertions.newKey();
        server.register(ClientAssertions.privateKeyJwtClient("pg-longjti", key, "read"));
        String assertion = ClientAssertions.sign(key, "pg-longjti", server.issuer(), "j".repeat(2_000) + UUID.randomUUID());

        HttpResponse<String> first = server.postForm("/token", ClientAssertions.tokenRequest(assertion));
        HttpResponse<String> again = server.postForm("/token", ClientAssertions.tokenRequest(assertion));

        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(401);
        assertThat(again.body()).contains("\"invalid_client\"");
    }

    @Test
    void clientCredentialsWithClientSecretJwtThenToken() throws Exception {
        ClientRegistry.Registered c = server.register(new Client.Builder().clientId("pg-hmac")
                .tokenEndpointAuthMethod(Client.SECRET_JWT).scope("read").build());
        ClientSecretJWT auth = new ClientSecretJWT(new ClientID("pg-hmac"), URI.create(server.issuer()), JWSAlgorithm.HS256,
                new Secret(c.clientSecret()));

        AccessTokenResponse r = token(auth, "read");

        assertThat(SignedJWT.parse(r.getTokens().getAccessToken().getValue()).getJWTClaimsSet().getSubject()).isEqualTo("pg-hmac");
    }

    @Test
    void introspectionThenRevocationThenInactive() throws Exception {
        JWK key = ClientAssertions.newKey();
        server.register(ClientAssertions.privateKeyJwtClient("pg-revoke", key, "read"));
        AccessToken at = token(privateKeyJwt("pg-revoke", key), "read").getTokens().getAccessToken();

        TokenIntrospectionResponse before = introspect(privateKeyJwt("pg-revoke", key), at);
        HTTPResponse revoked = new TokenRevocationRequest(uri("/revoke"), privateKeyJwt("pg-revoke", key), at).toHTTPRequest().send();
        TokenIntrospectionResponse after = introspect(privateKeyJwt("pg-revoke", key), at);

        TokenIntrospectionSuccessResponse active = before.toSuccessResponse();
        assertThat(active.isActive()).isTrue();
        assertThat(active.getClientID()).isEqualTo(new ClientID("pg-revoke"));
        assertThat(active.getScope()).isEqualTo(new Scope("read"));
        assertThat(revoked.getStatusCode()).isEqualTo(200);
        assertThat(after.toSuccessResponse().isActive()).isFalse();
    }

    @Test
    void opaqueTokenIssuedIntrospectedRevoked() throws Exception {
        ClientRegistry.Registered c = server.register(new Client.Builder().clientId("pg-opaque").scope("read")
                .accessTokenFormat("opaque").build());
        ClientSecretBasic basic = new ClientSecretBasic(new ClientID("pg-opaque"), new Secret(c.clientSecret()));
        AccessToken at = token(basic, "read").getTokens().getAccessToken();

        TokenIntrospectionSuccessResponse before = introspect(basic, at).toSuccessResponse();
        HTTPResponse revoked = new TokenRevocationRequest(uri("/revoke"), basic, at).toHTTPRequest().send();
        TokenIntrospectionSuccessResponse after = introspect(basic, at).toSuccessResponse();

        assertThat(at.getValue()).doesNotContain(".");
        assertThat(before.isActive()).isTrue();
        assertThat(before.getSubject().getValue()).isEqualTo("pg-opaque");
        assertThat(revoked.getStatusCode()).isEqualTo(200);
        assertThat(after.isActive()).isFalse();
    }

    @Test
    void introspectionByAnotherClientThenInactive() throws Exception {
        ClientRegistry.Registered owner = server.basicClient("pg-owner", "read");
        ClientRegistry.Registered other = server.basicClient("pg-other", "read");
        AccessToken at = token(new ClientSecretBasic(new ClientID("pg-owner"), new Secret(owner.clientSecret())), "read")
                .getTokens().getAccessToken();

        TokenIntrospectionResponse r = introspect(new ClientSecretBasic(new ClientID("pg-other"), new Secret(other.clientSecret())), at);

        assertThat(r.toSuccessResponse().isActive()).isFalse();
    }
}
