package dev.latch.server.smart;

import static dev.latch.server.OAuthResponses.assertError;
import static dev.latch.server.OAuthResponses.assertNoStoreJson;
import static dev.latch.server.OAuthResponses.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.as.AuthorizationServerMetadata;
import com.nimbusds.oauth2.sdk.auth.PrivateKeyJWT;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.core.jose.KeyGeneration;
import dev.latch.server.OAuthResponses;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import dev.latch.server.client.JwksHost;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SMART Backend Services ("Epic-style"): {@code client_credentials} with {@code private_key_jwt} (RS384 and
 * ES384, keys by {@code jwks_uri} or inline), each refusal with its exact error and status, and the
 * independent Nimbus OAuth SDK as the client, discovering the server through {@code smart-configuration}.
 */
class BackendServicesTest {

    static final String FHIR = "https://fhir.example.org/r4";
    static TestServer server;
    static JwksHost host;
    static JWK rs384;
    static JWK es384;

    @BeforeAll
    static void start() {
        host = new JwksHost();
        server = TestServer.start(Map.of("outbound.allow", "127.0.0.1", "smart.fhir-servers.0.base", FHIR));
        rs384 = KeyGeneration.generate(JWSAlgorithm.RS384);
        es384 = KeyGeneration.generate(JWSAlgorithm.ES384);
        host.serve("/rs384.json", JwksHost.Answer.json(new JWKSet(rs384.toPublicJWK()).toString(), null));
        host.serve("/es384.json", JwksHost.Answer.json(new JWKSet(es384.toPublicJWK()).toString(), null));
        // a long default lifetime, which system/ tokens must not get
        server.register(backendClient("bulk-rs384", "/rs384.json").accessTokenLifetime(3600L).build());
        server.register(backendClient("bulk-es384", "/es384.json").build());
        JWK second = KeyGeneration.generate(JWSAlgorithm.RS384);
        server.register(new Client.Builder().clientId("inline-two-keys").tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                .jwks(Map.of("keys", List.of(rs384.toPublicJWK().toJSONObject(), second.toPublicJWK().toJSONObject())))
                .scope("system/*.rs").grantTypes(List.of("client_credentials")).build());
    }

    static Client.Builder backendClient(String clientId, String jwksPath) {
        return new Client.Builder().clientId(clientId).tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                .jwksUri(host.url(jwksPath)).scope("system/Observation.rs system/Patient.read").grantTypes(List.of("client_credentials"));
    }

    @AfterAll
    static void stop() {
        server.close();
        host.close();
    }

    /** An assertion for {@code clientId} signed with {@code key}, its header and claims adjustable. */
    static String assertion(JWK key, String clientId, UnaryOperator<JWSHeader.Builder> header, UnaryOperator<JWTClaimsSet.Builder> claims) {
        JWSAlgorithm alg = JWSAlgorithm.parse(key.getAlgorithm().getName());
        Instant now = Instant.now();
        JWTClaimsSet.Builder c = new JWTClaimsSet.Builder().issuer(clientId).subject(clientId).audience(server.url("/token"))
                .jwtID(UUID.randomUUID().toString()).expirationTime(Date.from(now.plusSeconds(240)));
        SignedJWT jwt = new SignedJWT(header.apply(new JWSHeader.Builder(alg).keyID(key.getKeyID())).build(), claims.apply(c).build());
        try {
            jwt.sign(JwsAlgorithms.signer(key, alg));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    static java.net.http.HttpResponse<String> token(String assertion, String scope) {
        return server.postForm("/token", "grant_type=client_credentials&scope=" + form(scope)
                + "&client_assertion_type=" + form("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
                + "&client_assertion=" + assertion);
    }

    // --- the independent peer -------------------------------------------------------------------------

    static AccessTokenResponse nimbusToken(String clientId, JWSAlgorithm alg, PrivateKey key, String kid) throws Exception {
        HTTPResponse discovery = new HTTPRequest(HTTPRequest.Method.GET, URI.create(server.url("/.well-known/smart-configuration"))).send();
        assertThat(discovery.getStatusCode()).isEqualTo(200);
        AuthorizationServerMetadata metadata = AuthorizationServerMetadata.parse(discovery.getBodyAsJSONObject());
        assertThat(metadata.getTokenEndpointJWSAlgs()).contains(alg);
        PrivateKeyJWT auth = new PrivateKeyJWT(new ClientID(clientId), metadata.getTokenEndpointURI(), alg, key, kid, null);
        TokenResponse response = TokenResponse.parse(new TokenRequest(metadata.getTokenEndpointURI(), auth, new ClientCredentialsGrant(),
                new Scope("system/Observation.rs", "system/Patient.read")).toHTTPRequest().send());
        assertThat(response.indicatesSuccess()).as(() -> response.toErrorResponse().getErrorObject().toString()).isTrue();
        return response.toSuccessResponse();
    }

    static void assertBackendToken(AccessTokenResponse r) throws Exception {
        assertThat(r.getTokens().getAccessToken().getLifetime()).isPositive().isLessThanOrEqualTo(300);
        assertThat(r.getTokens().getRefreshToken()).isNull();
        assertThat(r.getTokens().getAccessToken().getScope().toStringList()).containsExactly("system/Observation.rs", "system/Patient.read");
        JWTClaimsSet claims = SignedJWT.parse(r.getTokens().getAccessToken().getValue()).getJWTClaimsSet();
        assertThat(claims.getAudience()).containsExactly(FHIR);
        assertThat(claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()).isLessThanOrEqualTo(300_000);
    }

    @Test
    void nimbusRs384ClientWithJwksUrlThenShortLivedSystemTokenForTheFhirServer() throws Exception {
        assertBackendToken(nimbusToken("bulk-rs384", JWSAlgorithm.RS384, rs384.toRSAKey().toPrivateKey(), rs384.getKeyID()));
    }

    @Test
    void nimbusEs384ClientWithJwksUrlThenShortLivedSystemTokenForTheFhirServer() throws Exception {
        assertBackendToken(nimbusToken("bulk-es384", JWSAlgorithm.ES384, es384.toECKey().toPrivateKey(), es384.getKeyID()));
    }

    @Test
    void wildcardAllowedThenNarrowerSystemScopesGrantedAsAsked() {
        java.net.http.HttpResponse<String> response = token(assertion(rs384, "inline-two-keys", h -> h, c -> c),
                "system/Observation.r system/Encounter.rs?status=finished");
        JsonNode ok = assertNoStoreJson(response, 200);
        assertThat(response.headers().firstValue("Pragma")).hasValue("no-cache");
        assertThat(ok.get("scope").asText()).isEqualTo("system/Observation.r system/Encounter.rs?status=finished");
        assertThat(ok.get("expires_in").asLong()).isLessThanOrEqualTo(300);
        assertThat(ok.has("refresh_token")).isFalse();
    }

    @Test
    void assertionWithoutKidThenInvalidClient() {
        // one key registered: Latch could pick it, but SMART requires kid of backend clients
        assertError(token(assertion(rs384, "bulk-rs384", h -> h.keyID(null), c -> c), "system/Observation.rs"), 401, "invalid_client");
        // two keys and no kid: which one is meant cannot be known
        assertError(token(assertion(rs384, "inline-two-keys", h -> h.keyID(null), c -> c), "system/Observation.rs"), 401, "invalid_client");
    }

    @Test
    void jkuOnlyWhenItIsTheRegisteredJwksUri() {
        String registered = host.url("/rs384.json");
        assertNoStoreJson(token(assertion(rs384, "bulk-rs384", h -> h.jwkURL(URI.create(registered)), c -> c), "system/Observation.rs"), 200);
        assertError(token(assertion(rs384, "bulk-rs384", h -> h.jwkURL(URI.create(host.url("/es384.json"))), c -> c),
                "system/Observation.rs"), 401, "invalid_client");
        assertError(token(assertion(rs384, "bulk-rs384", h -> h.jwkURL(URI.create("https://attacker.example/jwks.json")), c -> c),
                "system/Observation.rs"), 401, "invalid_client");
    }

    @Test
    void replayedJtiThenInvalidClient() {
        String once = assertion(es384, "bulk-es384", h -> h, c -> c);
        assertNoStoreJson(token(once, "system/Observation.rs"), 200);
        java.net.http.HttpResponse<String> replay = token(once, "system/Observation.rs");
        JsonNode e = assertError(replay, 401, "invalid_client");
        assertThat(replay.headers().firstValue("Pragma")).hasValue("no-cache");
        assertThat(e.get("error_description").asText()).contains("already used");
    }

    @Test
    void expMoreThanFiveMinutesAheadThenInvalidClient() {
        JsonNode e = assertError(token(assertion(es384, "bulk-es384", h -> h,
                c -> c.expirationTime(Date.from(Instant.now().plusSeconds(6 * 60)))), "system/Observation.rs"), 401, "invalid_client");
        assertThat(e.get("error_description").asText()).contains("5 minutes");
    }

    @Test
    void systemScopeBeyondTheClientsThenInvalidScope() {
        JsonNode e = assertError(token(assertion(es384, "bulk-es384", h -> h, c -> c), "system/Observation.rs system/Condition.rs"),
                400, "invalid_scope");
        assertThat(e.get("error_description").asText()).contains("system/Condition.rs").doesNotContain("system/Observation.rs");
        assertError(token(assertion(es384, "bulk-es384", h -> h, c -> c), "system/Observation.cruds"), 400, "invalid_scope");
        assertError(token(assertion(es384, "bulk-es384", h -> h, c -> c), "patient/Observation.rs"), 400, "invalid_scope");
    }

    @Test
    void malformedSystemScopeThenInvalidScopeNamingIt() {
        JsonNode e = assertError(token(assertion(es384, "bulk-es384", h -> h, c -> c), "system/Observation.sr"), 400, "invalid_scope");
        assertThat(e.get("error_description").asText()).contains("system/Observation.sr");
    }

    @Test
    void clientWithMalformedClinicalScopeIsRefusedAtRegistration() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> server.register(new Client.Builder().clientId("bad-scope")
                        .tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT).jwksUri(host.url("/rs384.json")).scope("system/observation.rs").build()))
                .isInstanceOf(dev.latch.core.error.OAuthError.class)
                .hasMessageContaining("system/observation.rs")
                .satisfies(t -> assertThat(((dev.latch.core.error.OAuthError) t).code()).isEqualTo("invalid_client_metadata"));
    }

    @Test
    void severalFhirServersThenTheClientNamesOneWithResourceOrAud() {
        try (TestServer two = TestServer.start(Map.of("smart.fhir-servers.0.base", FHIR, "smart.fhir-servers.1.base", "https://fhir2.example.org/r4"))) {
            JWK key = KeyGeneration.generate(JWSAlgorithm.ES384);
            two.register(new Client.Builder().clientId("bulk").tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                    .jwks(Map.of("keys", List.of(key.toPublicJWK().toJSONObject()))).scope("system/*.rs").build());
            java.util.function.Function<String, java.net.http.HttpResponse<String>> ask = extra -> {
                String a = dev.latch.server.ClientAssertions.sign(key, "bulk", two.url("/token"), UUID.randomUUID().toString());
                return two.postForm("/token", dev.latch.server.ClientAssertions.tokenRequest(a) + "&scope=" + form("system/Patient.rs") + extra);
            };
            JsonNode missing = assertError(ask.apply(""), 400, "invalid_target");
            assertThat(missing.get("error_description").asText()).contains(FHIR).contains("https://fhir2.example.org/r4");
            for (String extra : List.of("&resource=" + form("https://fhir2.example.org/r4/"), "&aud=" + form("https://fhir2.example.org/r4"))) {
                JsonNode ok = assertNoStoreJson(ask.apply(extra), 200);
                assertThat(audience(ok)).as(extra).containsExactly("https://fhir2.example.org/r4");
            }
            assertError(ask.apply("&aud=" + form("https://elsewhere.example/fhir")), 400, "invalid_target");
        }
    }

    @Test
    void withoutSmartConfiguredAudIsNoTokenParameterAndIsIgnored() {
        try (TestServer plain = TestServer.start()) {
            dev.latch.server.client.ClientRegistry.Registered c = plain.basicClient("plain", "read");
            JsonNode ok = assertNoStoreJson(plain.postForm("/token", "grant_type=client_credentials&aud=" + form("https://anything.example/x"),
                    "Authorization", OAuthResponses.basic("plain", c.clientSecret())), 200);
            assertThat(audience(ok)).containsExactly(plain.issuer());
        }
    }

    static List<String> audience(JsonNode tokenResponse) {
        try {
            return SignedJWT.parse(tokenResponse.get("access_token").asText()).getJWTClaimsSet().getAudience();
        } catch (java.text.ParseException e) {
            throw new AssertionError(e);
        }
    }
}
