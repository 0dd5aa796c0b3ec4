package dev.latch.client.peers;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.core.jose.JwsAlgorithms;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fixture itself: the oidc-provider peer is configured as its javadoc says, checked with plain
 * HTTP and assertions signed directly with Nimbus (so a failure here is the peer's set-up, not the library).
 */
class OidcProviderPeerTest {

    static final HttpClient HTTP = HttpClient.newHttpClient();
    static OidcProviderPeer peer;

    @BeforeAll
    static void start() {
        peer = OidcProviderPeer.start();
    }

    @AfterAll
    static void stop() {
        if (peer != null) peer.close();
    }

    static HttpResponse<String> post(String url, String form, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String basic(String id, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((enc(id) + ":" + enc(secret)).getBytes(StandardCharsets.UTF_8));
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static Map<String, Object> json(HttpResponse<String> r) throws Exception {
        return JSONObjectUtils.parse(r.body());
    }

    static Map<String, Object> metadata() throws Exception {
        return json(HTTP.send(HttpRequest.newBuilder(URI.create(peer.issuer() + "/.well-known/openid-configuration")).build(),
                HttpResponse.BodyHandlers.ofString()));
    }

    static void assertAccessTokenFromPeer(String accessToken, String clientId) throws Exception {
        SignedJWT jwt = SignedJWT.parse(accessToken);
        JWKSet jwks = JWKSet.load(URI.create(metadata().get("jwks_uri").toString()).toURL());
        JWK key = jwks.getKeyByKeyId(jwt.getHeader().getKeyID());
        assertThat(jwt.verify(JwsAlgorithms.verifier(key, jwt.getHeader().getAlgorithm()))).isTrue();
        assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo(peer.issuer());
        assertThat(jwt.getJWTClaimsSet().getAudience()).containsExactly(OidcProviderPeer.RESOURCE);
        assertThat(jwt.getJWTClaimsSet().getStringClaim("client_id")).isEqualTo(clientId);
    }

    @Test
    void discoveryNamesTheLoopbackIssuerAndRfc9207() throws Exception {
        Map<String, Object> m = metadata();
        assertThat(m.get("issuer")).isEqualTo(peer.issuer());
        assertThat(peer.issuer()).matches("http://127\\.0\\.0\\.1:\\d+");
        assertThat(m.get("authorization_response_iss_parameter_supported")).isEqualTo(true);
        assertThat((java.util.List<Object>) m.get("grant_types_supported")).contains("client_credentials");
    }

    @Test
    void clientSecretBasicThenJwtAccessTokenForTheResource() throws Exception {
        HttpResponse<String> r = post(peer.issuer() + "/token", "grant_type=client_credentials&scope=read",
                "Authorization", basic(OidcProviderPeer.BASIC, peer.secret()));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertAccessTokenFromPeer(json(r).get("access_token").toString(), OidcProviderPeer.BASIC);
    }

    @Test
    void clientSecretBasicWhenSecretWrongThenInvalidClient() throws Exception {
        HttpResponse<String> r = post(peer.issuer() + "/token", "grant_type=client_credentials",
                "Authorization", basic(OidcProviderPeer.BASIC, peer.secret() + "x"));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(json(r).get("error")).isEqualTo("invalid_client");
    }

    @ParameterizedTest
    @ValueSource(strings = {"RS384", "ES384", "PS256"})
    void privateKeyJwtWithAssertionSignedByNimbusThenToken(String algName) throws Exception {
        JWSAlgorithm alg = JWSAlgorithm.parse(algName);
        String clientId = OidcProviderPeer.keyClientId(alg);
        JWK key = peer.key(alg);
        SignedJWT assertion = new SignedJWT(new JWSHeader.Builder(alg).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(),
                new JWTClaimsSet.Builder().issuer(clientId).subject(clientId).audience(peer.issuer())
                        .jwtID(UUID.randomUUID().toString()).issueTime(new Date())
                        .expirationTime(new Date(System.currentTimeMillis() + 60_000)).build());
        assertion.sign(JwsAlgorithms.signer(key, alg));
        HttpResponse<String> r = post(peer.issuer() + "/token", "grant_type=client_credentials&client_id=" + enc(clientId)
                + "&client_assertion_type=" + enc("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
                + "&client_assertion=" + assertion.serialize());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertAccessTokenFromPeer(json(r).get("access_token").toString(), clientId);
    }

    @Test
    void signInThroughTheDevelopmentLoginThenCodeWithStateAndIss() throws Exception {
        String verifier = "v".repeat(43) + UUID.randomUUID().toString().replace("-", "");
        String challenge = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        String redirect = "http://127.0.0.1:45678/callback";
        String url = peer.issuer() + "/auth?response_type=code&client_id=" + OidcProviderPeer.CODE + "&redirect_uri=" + enc(redirect)
                + "&scope=" + enc("openid read") + "&state=st-1&nonce=n-1&code_challenge=" + challenge + "&code_challenge_method=S256";

        URI back = peer.signIn(url, "alice");

        assertThat(back.toString()).startsWith(redirect + "?");
        Map<String, String> q = new LinkedHashMap<>();
        for (String pair : back.getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            q.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        assertThat(q).containsEntry("state", "st-1").containsEntry("iss", peer.issuer()).containsKey("code");
        HttpResponse<String> r = post(peer.issuer() + "/token", "grant_type=authorization_code&code=" + enc(q.get("code"))
                + "&redirect_uri=" + enc(redirect) + "&code_verifier=" + verifier, "Authorization", basic(OidcProviderPeer.CODE, peer.secret()));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        SignedJWT id = SignedJWT.parse(json(r).get("id_token").toString());
        assertThat(id.getJWTClaimsSet().getSubject()).isEqualTo("alice");
        assertThat(id.getJWTClaimsSet().getStringClaim("nonce")).isEqualTo("n-1");
    }
}
