package dev.latch.server.discovery;

import static dev.latch.server.OAuthResponses.assertInvalidClientWithoutChallenge;
import static dev.latch.server.OAuthResponses.assertNoStoreJson;
import static dev.latch.server.OAuthResponses.basic;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.as.AuthorizationServerMetadata;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import dev.latch.server.ClientAssertion;
import dev.latch.server.LatchServer;
import dev.latch.server.TestKeys;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An issuer with a path ({@code http://localhost:PORT/tenant}): metadata at the RFC 8414 §3
 * location (well-known part inserted before the path), every endpoint under the path, and the
 * path part of the issuer in tokens and assertion audiences.
 */
class PathIssuerTest {

    static TestServer server;
    static String host;
    static String issuer;
    static String secret;

    @BeforeAll
    static void start() {
        int port = LatchServer.freePort();
        host = "http://localhost:" + port;
        issuer = host + "/tenant";
        server = TestServer.start(Map.of("port", Integer.toString(port), "issuer", issuer));
        secret = server.basicClient("tenant-client", "read").clientSecret();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static AuthorizationServerMetadata metadata() throws Exception {
        HttpResponse<String> r = server.get(host + "/.well-known/oauth-authorization-server/tenant");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return AuthorizationServerMetadata.parse(r.body());
    }

    @Test
    void metadataIsAtTheRfc8414LocationWithEndpointsUnderThePath() throws Exception {
        AuthorizationServerMetadata m = metadata();
        assertThat(m.getIssuer().getValue()).isEqualTo(issuer);
        assertThat(m.getTokenEndpointURI()).isEqualTo(URI.create(issuer + "/token"));
        assertThat(m.getJWKSetURI()).isEqualTo(URI.create(issuer + "/jwks"));
        assertThat(m.getIntrospectionEndpointURI()).isEqualTo(URI.create(issuer + "/introspect"));
        assertThat(m.getRevocationEndpointURI()).isEqualTo(URI.create(issuer + "/revoke"));
    }

    @Test
    void nothingIsServedOutsideTheIssuerPath() {
        assertThat(server.get(host + "/.well-known/oauth-authorization-server").statusCode()).isEqualTo(404);
        assertThat(server.get(host + "/jwks").statusCode()).isEqualTo(404);
        HttpResponse<String> r = TestServer.send(java.net.http.HttpRequest.newBuilder(URI.create(host + "/token"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Authorization", basic("tenant-client", secret))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build());
        assertThat(r.statusCode()).isEqualTo(404);
    }

    @Test
    void tokenFromTheAdvertisedEndpointCarriesThePathIssuerAndVerifiesAgainstItsJwks() throws Exception {
        AuthorizationServerMetadata m = metadata();
        HTTPResponse http = new TokenRequest(m.getTokenEndpointURI(), new ClientSecretBasic(new ClientID("tenant-client"), new Secret(secret)),
                new ClientCredentialsGrant()).toHTTPRequest().send();
        TokenResponse response = TokenResponse.parse(http);
        assertThat(response.indicatesSuccess()).as(http.getBody()).isTrue();

        SignedJWT jwt = SignedJWT.parse(response.toSuccessResponse().getTokens().getAccessToken().getValue());
        assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo(issuer);
        assertThat(jwt.getJWTClaimsSet().getAudience()).containsExactly(issuer);
        JWK key = JWKSet.parse(server.get(m.getJWKSetURI().toString()).body()).getKeyByKeyId(jwt.getHeader().getKeyID());
        assertThat(jwt.verify(new RSASSAVerifier(key.toRSAKey()))).isTrue();

        HttpResponse<String> introspection = server.postForm("/introspect", "token=" + jwt.serialize(),
                "Authorization", basic("tenant-client", secret));
        assertThat(assertNoStoreJson(introspection, 200).get("active").asBoolean()).isTrue();
    }

    @Test
    void assertionAudienceIsTheIssuerWithItsPath() {
        JWK key = TestKeys.rsa("t1");
        server.register(new Client.Builder().clientId("tenant-pkj").tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                .jwks(TestKeys.publicJwks(key)).build());
        String ok = ClientAssertion.of("tenant-pkj", issuer).typ("client-authentication+jwt").sign(key, JWSAlgorithm.RS256);
        assertNoStoreJson(server.postForm("/token", "grant_type=client_credentials&" + ClientAssertion.form(ok)), 200);
        String viaTokenUrl = ClientAssertion.of("tenant-pkj", issuer + "/token").sign(key, JWSAlgorithm.RS256);
        assertNoStoreJson(server.postForm("/token", "grant_type=client_credentials&" + ClientAssertion.form(viaTokenUrl)), 200);

        String hostOnly = ClientAssertion.of("tenant-pkj", host).sign(key, JWSAlgorithm.RS256);
        assertInvalidClientWithoutChallenge(server.postForm("/token", "grant_type=client_credentials&" + ClientAssertion.form(hostOnly)));
        String rootTokenUrl = ClientAssertion.of("tenant-pkj", host + "/token").sign(key, JWSAlgorithm.RS256);
        assertInvalidClientWithoutChallenge(server.postForm("/token", "grant_type=client_credentials&" + ClientAssertion.form(rootTokenUrl)));
    }
}
