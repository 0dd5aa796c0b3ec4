package dev.latch.server.http;

import static dev.latch.server.OAuthResponses.basic;
import static dev.latch.server.OAuthResponses.form;
import static dev.latch.server.OAuthResponses.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import dev.latch.server.ClientAssertion;
import dev.latch.server.LogCapture;
import dev.latch.server.TestKeys;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Nothing secret reaches the logs: with Latch's own loggers at TRACE, a full round of successful
 * and failed requests (every client-authentication method, token issue, introspection,
 * revocation, registration) logs none of the secrets, tokens or assertions involved.
 */
class LogSecrecyTest {

    static final String INITIAL = "log-test-initial-access-token-0123456789abcdef";

    @Test
    void noSecretOrTokenIsEverLogged() throws Exception {
        List<String> sensitive = new ArrayList<>(List.of(INITIAL));
        try (LogCapture log = LogCapture.atTrace("dev.latch", "latch.audit");
             TestServer server = TestServer.start(Map.of("registration.initial-access-token", INITIAL))) {

            String basicSecret = server.basicClient("log-basic", "read").clientSecret();
            String postSecret = server.register(new Client.Builder().clientId("log-post").tokenEndpointAuthMethod(Client.POST).build()).clientSecret();
            String jwtSecret = server.register(new Client.Builder().clientId("log-csj").tokenEndpointAuthMethod(Client.SECRET_JWT).build()).clientSecret();
            String opaqueSecret = server.register(new Client.Builder().clientId("log-opaque").accessTokenFormat("opaque").build()).clientSecret();
            JWK key = TestKeys.rsa("log-key");
            server.register(new Client.Builder().clientId("log-pkj").tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                    .jwks(TestKeys.publicJwks(key)).build());
            String wrongSecret = "wrong-" + basicSecret.substring(6);
            sensitive.addAll(List.of(basicSecret, postSecret, jwtSecret, opaqueSecret, wrongSecret,
                    Files.readString(server.data().resolve("master.key")).trim()));

            // successes
            String jwtToken = token(server, "grant_type=client_credentials", basic("log-basic", basicSecret));
            String postToken = token(server, "grant_type=client_credentials&client_id=log-post&client_secret=" + form(postSecret), null);
            String hmacAssertion = ClientAssertion.of("log-csj", server.issuer()).signHmac(jwtSecret, JWSAlgorithm.HS256);
            String hmacToken = token(server, "grant_type=client_credentials&" + ClientAssertion.form(hmacAssertion), null);
            String keyAssertion = ClientAssertion.of("log-pkj", server.issuer()).kid("log-key").sign(key, JWSAlgorithm.RS256);
            String keyToken = token(server, "grant_type=client_credentials&" + ClientAssertion.form(keyAssertion), null);
            String opaqueToken = token(server, "grant_type=client_credentials", basic("log-opaque", opaqueSecret));
            sensitive.addAll(List.of(jwtToken, postToken, hmacAssertion, hmacToken, keyAssertion, keyToken, opaqueToken));
            sensitive.add(jwtToken.substring(jwtToken.lastIndexOf('.') + 1)); // the signature alone

            // failures that carry credentials
            server.postForm("/token", "grant_type=client_credentials", "Authorization", basic("log-basic", wrongSecret));
            server.postForm("/token", "grant_type=client_credentials&client_id=log-post&client_secret=" + form(wrongSecret));
            server.postForm("/token", "grant_type=client_credentials&" + ClientAssertion.form(keyAssertion)); // replay
            String badAssertion = ClientAssertion.of("log-csj", server.issuer()).signHmac(wrongSecret, JWSAlgorithm.HS256);
            server.postForm("/token", "grant_type=client_credentials&" + ClientAssertion.form(badAssertion));
            server.postForm("/token", "grant_type=client_credentials&scope=nope", "Authorization", basic("log-basic", basicSecret));
            server.postForm("/token", "grant_type=password&password=" + form(wrongSecret), "Authorization", basic("log-basic", basicSecret));
            sensitive.add(badAssertion);

            // introspection and revocation
            server.postForm("/introspect", "token=" + form(jwtToken), "Authorization", basic("log-basic", basicSecret));
            server.postForm("/introspect", "token=" + form(opaqueToken), "Authorization", basic("log-basic", basicSecret));
            server.postForm("/introspect", "token=" + form(jwtToken), "Authorization", basic("log-basic", wrongSecret));
            server.postForm("/revoke", "token=" + form(jwtToken), "Authorization", basic("log-basic", basicSecret));
            server.postForm("/revoke", "token=" + form(opaqueToken), "Authorization", basic("log-opaque", opaqueSecret));

            // registration, read with right and wrong tokens
            HttpResponse<String> registered = TestServer.send(HttpRequest.newBuilder(URI.create(server.url("/register")))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + INITIAL)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"client_name\":\"logged\"}")).build());
            JsonNode info = json(registered);
            String registrationToken = info.get("registration_access_token").asText();
            String registeredSecret = info.get("client_secret").asText();
            sensitive.addAll(List.of(registrationToken, registeredSecret));
            server.get(info.get("registration_client_uri").asText(), "Authorization", "Bearer " + registrationToken);
            server.get(info.get("registration_client_uri").asText(), "Authorization", "Bearer " + wrongSecret);
            TestServer.send(HttpRequest.newBuilder(URI.create(server.url("/register"))).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + wrongSecret).POST(HttpRequest.BodyPublishers.ofString("{}")).build());
            token(server, "grant_type=client_credentials", basic(info.get("client_id").asText(), registeredSecret));

            String logged = log.text();
            assertThat(logged).as("the capture works: audit and debug lines are there")
                    .contains("\"event\":\"token.issue\"").contains("invalid_client").contains("\"event\":\"client.create\"");
            for (String secret : sensitive) {
                assertThat(logged).as("logs must not contain a secret or token").doesNotContain(secret);
            }
        }
    }

    private static String token(TestServer server, String body, String authorization) {
        HttpResponse<String> r = authorization == null ? server.postForm("/token", body)
                : server.postForm("/token", body, "Authorization", authorization);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r).get("access_token").asText();
    }
}
