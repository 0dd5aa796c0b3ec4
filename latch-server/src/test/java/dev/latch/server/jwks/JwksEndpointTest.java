package dev.latch.server.jwks;

import static dev.latch.server.OAuthResponses.basic;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The published JWK Set (RFC 7517 §5): cacheable with {@code Cache-Control: max-age} and an
 * {@code ETag} that answers conditional requests with 304 (RFC 9110 §13.1.2), public keys only,
 * each with kid, alg and use.
 */
class JwksEndpointTest {

    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> jwks(String... headers) {
        return server.get(server.url("/jwks"), headers);
    }

    @Test
    void jwksIsCacheableWithMaxAgeAndETag() {
        HttpResponse<String> r = jwks();
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("application/jwk-set+json");
        assertThat(r.headers().firstValue("Cache-Control")).get().asString().contains("max-age=600").doesNotContain("no-store");
        assertThat(r.headers().firstValue("ETag")).get().asString().matches("(W/)?\"[^\"]+\"");
    }

    @Test
    void ifNoneMatchWithCurrentETagThen304WithoutBody() {
        String etag = jwks().headers().firstValue("ETag").orElseThrow();
        for (String condition : List.of(etag, "W/" + etag, "*", "\"stale\", " + etag)) {
            HttpResponse<String> r = jwks("If-None-Match", condition);
            assertThat(r.statusCode()).as(condition).isEqualTo(304);
            assertThat(r.body()).isEmpty();
            assertThat(r.headers().firstValue("ETag")).hasValue(etag);
            assertThat(r.headers().firstValue("Cache-Control")).get().asString().contains("max-age=600");
        }
    }

    @Test
    void ifNoneMatchWithOtherETagThenFullResponse() {
        HttpResponse<String> r = jwks("If-None-Match", "\"something-else\"");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"keys\"");
    }

    @Test
    void everyPublishedKeyIsPublicWithKidAlgAndUse() throws Exception {
        // make sure more than one key type is published
        String secret = server.register(new Client.Builder().clientId("ec-tokens").accessTokenSignedResponseAlg("ES384").build()).clientSecret();
        server.postForm("/token", "grant_type=client_credentials", "Authorization", basic("ec-tokens", secret));

        HttpResponse<String> r = jwks();
        JWKSet set = JWKSet.parse(r.body());
        assertThat(set.getKeys()).hasSizeGreaterThanOrEqualTo(2);
        for (JWK key : set.getKeys()) {
            assertThat(key.getKeyID()).as("kid").isNotBlank();
            assertThat(key.getAlgorithm()).as("alg of %s", key.getKeyID()).isNotNull();
            assertThat(key.getKeyUse()).as("use of %s", key.getKeyID()).isEqualTo(KeyUse.SIGNATURE);
            assertThat(key.isPrivate()).as("%s is public", key.getKeyID()).isFalse();
        }
        Map<String, Object> raw = JWKSet.parse(r.body()).toJSONObject(false);
        assertThat(r.body()).doesNotContain("\"d\"").doesNotContain("\"p\"").doesNotContain("\"q\"").doesNotContain("\"k\"");
        assertThat(raw).containsKey("keys");
    }

    @Test
    void eTagChangesWhenTheKeySetChanges() {
        String before = jwks().headers().firstValue("ETag").orElseThrow();
        String secret = server.register(new Client.Builder().clientId("ps-tokens").accessTokenSignedResponseAlg("PS512").build()).clientSecret();
        server.postForm("/token", "grant_type=client_credentials", "Authorization", basic("ps-tokens", secret));

        HttpResponse<String> r = jwks("If-None-Match", before);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("ETag")).get().isNotEqualTo(before);
        assertThat(r.body()).contains("PS512");
    }

    @Test
    void nimbusLoadsTheSet() throws Exception {
        JWKSet set = JWKSet.load(URI.create(server.url("/jwks")).toURL());
        assertThat(set.getKeys()).isNotEmpty();
    }
}
