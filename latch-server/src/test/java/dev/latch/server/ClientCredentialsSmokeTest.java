package dev.latch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import dev.latch.server.client.ClientRegistry;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ClientCredentialsSmokeTest {

    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String basic(String id, String secret) {
        String raw = URLEncoder.encode(id, StandardCharsets.UTF_8) + ":" + URLEncoder.encode(secret, StandardCharsets.UTF_8);
        return "Basic " + Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void clientCredentialsWithBasicThenSignedAtJwt() throws Exception {
        ClientRegistry.Registered c = server.basicClient("smoke", "read write");
        HttpResponse<String> r = server.postForm("/token", "grant_type=client_credentials&scope=read",
                "Authorization", basic("smoke", c.clientSecret()));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        String token = com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readTree(r.body()).get("access_token").asText();
        SignedJWT jwt = SignedJWT.parse(token);
        assertThat(jwt.getHeader().getType().getType()).isEqualTo("at+jwt");
        assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo("smoke");
        assertThat(jwt.getJWTClaimsSet().getStringClaim("scope")).isEqualTo("read");
    }

    @Test
    void clientCredentialsWhenSecretWrongThenInvalidClientWithChallenge() {
        server.basicClient("smoke-wrong", "read");
        HttpResponse<String> r = server.postForm("/token", "grant_type=client_credentials",
                "Authorization", basic("smoke-wrong", "nope"));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("\"error\":\"invalid_client\"");
        assertThat(r.headers().firstValue("WWW-Authenticate")).get().asString().startsWith("Basic");
    }
}
