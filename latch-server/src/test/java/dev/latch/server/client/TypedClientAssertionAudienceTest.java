package dev.latch.server.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWK;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.core.jose.KeyGeneration;
import dev.latch.server.TestServer;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * draft-ietf-oauth-rfc7523bis: an assertion typed {@code client-authentication+jwt} carries the
 * issuer as a single string {@code aud}. The parsed claims set shows a string {@code aud} as a list,
 * so the string form must be read from the payload as sent.
 */
class TypedClientAssertionAudienceTest {

    static TestServer server;
    static JWK key;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        key = KeyGeneration.generate(JWSAlgorithm.ES256);
        server.register(new Client.Builder().clientId("typed").tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                .jwks(Map.of("keys", List.of(key.toPublicJWK().toJSONObject()))).build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void typedAssertionWhenAudIsIssuerStringThenToken() throws Exception {
        HttpResponse<String> r = tokenWith(Map.of("aud", server.issuer()));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void typedAssertionWhenAudIsOneElementArrayThenInvalidClient() throws Exception {
        HttpResponse<String> r = tokenWith(Map.of("aud", List.of(server.issuer())));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("\"error\":\"invalid_client\"");
    }

    private HttpResponse<String> tokenWith(Map<String, Object> aud) throws Exception {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> claims = new java.util.LinkedHashMap<>(Map.of("iss", "typed", "sub", "typed",
                "jti", UUID.randomUUID().toString(), "iat", now, "exp", now + 60));
        claims.putAll(aud);
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
                .type(new JOSEObjectType("client-authentication+jwt")).build();
        // Signed over the exact JSON so aud keeps its string-or-array form.
        com.nimbusds.jose.JWSObject jws = new com.nimbusds.jose.JWSObject(header, new com.nimbusds.jose.Payload(claims));
        jws.sign(JwsAlgorithms.signer(key, JWSAlgorithm.ES256));
        String body = "grant_type=client_credentials&client_assertion_type="
                + URLEncoder.encode(ClientAuthentication.JWT_BEARER_ASSERTION, StandardCharsets.UTF_8)
                + "&client_assertion=" + jws.serialize();
        return server.postForm("/token", body);
    }
}
