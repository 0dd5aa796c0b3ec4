package dev.latch.gateway.realparts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSObject;
import dev.latch.server.OAuthResponses;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Clients of a real Latch ({@link TestServer}) and the tokens they get over HTTP, as an application
 * would: {@code client_credentials} at {@code /token}, {@code /revoke}, with {@code client_secret_basic}.
 */
final class LatchClients {

    private final TestServer latch;
    private final Map<String, String> secrets = new ConcurrentHashMap<>();

    LatchClients(TestServer latch) {
        this.latch = latch;
    }

    /** Registers {@code client} as an operator would; returns its secret. */
    String add(Client client) {
        String secret = latch.register(client).clientSecret();
        secrets.put(client.clientId(), secret);
        return secret;
    }

    String secret(String clientId) {
        return secrets.get(clientId);
    }

    /** A client-credentials access token; {@code form} adds parameters ({@code &scope=…&resource=…}). */
    String token(String clientId, String form) {
        HttpResponse<String> r = latch.postForm("/token", "grant_type=client_credentials" + form,
                "Authorization", OAuthResponses.basic(clientId, secrets.get(clientId)));
        JsonNode body = OAuthResponses.assertNoStoreJson(r, 200);
        return body.get("access_token").asText();
    }

    /** RFC 7009 revocation by the token's own client. */
    void revoke(String clientId, String token) {
        HttpResponse<String> r = latch.postForm("/revoke", "token=" + OAuthResponses.form(token) + "&token_type_hint=access_token",
                "Authorization", OAuthResponses.basic(clientId, secrets.get(clientId)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    /** The {@code kid} of a JWT's header. */
    static String kid(String jwt) {
        try {
            return JWSObject.parse(jwt).getHeader().getKeyID();
        } catch (java.text.ParseException e) {
            throw new AssertionError("not a JWS: " + jwt, e);
        }
    }

    /** The {@code typ} of a JWT's header. */
    static String typ(String jwt) {
        try {
            var type = JWSObject.parse(jwt).getHeader().getType();
            return type == null ? null : type.getType();
        } catch (java.text.ParseException e) {
            throw new AssertionError("not a JWS: " + jwt, e);
        }
    }
}
