package dev.latch.server.registration;

import dev.latch.server.LogCapture;
import dev.latch.server.SuiteSecrets;
import static dev.latch.server.OAuthResponses.assertError;
import static dev.latch.server.OAuthResponses.assertInvalidClientWithBasicChallenge;
import static dev.latch.server.OAuthResponses.assertNoStoreJson;
import static dev.latch.server.OAuthResponses.basic;
import static dev.latch.server.OAuthResponses.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.GrantType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.PrivateKeyJWT;
import com.nimbusds.oauth2.sdk.client.ClientDeleteRequest;
import com.nimbusds.oauth2.sdk.client.ClientInformation;
import com.nimbusds.oauth2.sdk.client.ClientMetadata;
import com.nimbusds.oauth2.sdk.client.ClientReadRequest;
import com.nimbusds.oauth2.sdk.client.ClientRegistrationRequest;
import com.nimbusds.oauth2.sdk.client.ClientRegistrationResponse;
import com.nimbusds.oauth2.sdk.client.ClientUpdateRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import dev.latch.server.TestKeys;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import dev.latch.server.client.StoredClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Dynamic client registration (RFC 7591) behind an initial access token, and RFC 7592 client
 * configuration with the registration access token, driven by the Nimbus SDK. Policy: scopes
 * {@code read} and {@code write} only, grant {@code client_credentials} only.
 */
class RegistrationTest {

    static final String INITIAL = "initial-access-token-for-tests-0123456789abcdef";
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("registration.initial-access-token", INITIAL, "registration.allowed-scopes", "read,write"));
        for (String scope : List.of("read", "write", "admin")) {
            server.instance().scopes().put(scope, null);
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static URI endpoint() {
        return URI.create(server.url("/register"));
    }

    private static ClientMetadata metadata(String scope) {
        ClientMetadata m = new ClientMetadata();
        m.setName("Reporting job");
        m.setGrantTypes(Set.of(GrantType.CLIENT_CREDENTIALS));
        m.setScope(new Scope(scope.split(" ")));
        m.setTokenEndpointAuthMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC);
        return m;
    }

    private static ClientInformation register(ClientMetadata metadata) throws Exception {
        HTTPResponse http = new ClientRegistrationRequest(endpoint(), metadata, new BearerAccessToken(INITIAL)).toHTTPRequest().send();
        assertThat(http.getStatusCode()).as(http.getBody()).isEqualTo(201);
        assertThat(http.getHeaderValue("Cache-Control")).isEqualTo("no-store");
        ClientRegistrationResponse response = ClientRegistrationResponse.parse(http);
        ClientInformation info = response.toSuccessResponse().getClientInformation();
        SuiteSecrets.record(info.getRegistrationAccessToken().getValue());
        SuiteSecrets.record(info.getSecret() == null ? null : info.getSecret().getValue());
        return info;
    }

    private static HttpResponse<String> postJson(String json, String bearer) {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (bearer != null) b.header("Authorization", "Bearer " + bearer);
        return TestServer.send(b.build());
    }

    private static HttpResponse<String> configuration(String method, URI uri, String bearer, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + bearer);
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) b.header("Content-Type", "application/json");
        return TestServer.send(b.build());
    }

    private static void assertInvalidTokenChallenge(HttpResponse<String> r) {
        assertError(r, 401, "invalid_token");
        assertThat(r.headers().firstValue("WWW-Authenticate")).get().asString().startsWith("Bearer ").contains("error=\"invalid_token\"");
    }

    private static HTTPResponse clientCredentials(com.nimbusds.oauth2.sdk.auth.ClientAuthentication auth, String scope) throws Exception {
        return new TokenRequest(URI.create(server.url("/token")), auth, new ClientCredentialsGrant(), scope == null ? null : new Scope(scope))
                .toHTTPRequest().send();
    }

    private static String sha256(String value) throws Exception {
        return "sha256:" + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void metadataAdvertisesTheRegistrationEndpoint() {
        assertThat(json(server.get(server.url("/.well-known/oauth-authorization-server"))).get("registration_endpoint").asText())
                .isEqualTo(server.url("/register"));
    }

    @Test
    void registeredClientGetsTokens() throws Exception {
        ClientInformation info = register(metadata("read"));

        assertThat(info.getID().getValue()).isNotBlank();
        assertThat(info.getSecret().getValue()).hasSizeGreaterThanOrEqualTo(86); // 512 bits, base64url
        assertThat(info.getSecret().getExpirationDate()).isNull(); // client_secret_expires_at = 0: never
        assertThat(info.getRegistrationAccessToken()).isNotNull();
        assertThat(info.getRegistrationURI()).isEqualTo(URI.create(server.url("/register/" + info.getID().getValue())));
        assertThat(info.getIDIssueDate()).isNotNull();
        assertThat(info.getMetadata().getName()).isEqualTo("Reporting job");

        HTTPResponse token = clientCredentials(new ClientSecretBasic(info.getID(), info.getSecret()), "read");
        assertThat(TokenResponse.parse(token).indicatesSuccess()).as(token.getBody()).isTrue();
    }

    @Test
    void clientCannotChooseItsClientId() throws Exception {
        HttpResponse<String> r = postJson("{\"client_id\":\"chosen-by-me\",\"scope\":\"read\"}", INITIAL);
        JsonNode body = assertNoStoreJson(r, 201);
        assertThat(body.get("client_id").asText()).isNotEqualTo("chosen-by-me");
        assertThat(server.clients().find("chosen-by-me")).isEmpty();
    }

    @Test
    void secretIsShownOnceAndStoredOnlyAsDigest() throws Exception {
        ClientInformation info = register(metadata("read"));
        String id = info.getID().getValue();
        String secret = info.getSecret().getValue();
        String registrationToken = info.getRegistrationAccessToken().getValue();

        Map<String, String> row = server.sql().queryOne(
                "SELECT secret_digest, secret_encrypted, registration_token_digest, metadata FROM clients WHERE client_id = ?",
                rs -> Map.of("secret_digest", rs.getString(1), "secret_encrypted", String.valueOf(rs.getString(2)),
                        "registration_token_digest", rs.getString(3), "metadata", rs.getString(4)), id).orElseThrow();
        assertThat(row.get("secret_digest")).isEqualTo(sha256(secret));
        assertThat(row.get("registration_token_digest")).isEqualTo(sha256(registrationToken));
        assertThat(row.get("secret_encrypted")).isEqualTo("null");
        assertThat(String.join(" ", row.values())).doesNotContain(secret).doesNotContain(registrationToken);

        HttpResponse<String> read = configuration("GET", info.getRegistrationURI(), registrationToken, null);
        JsonNode body = assertNoStoreJson(read, 200);
        assertThat(body.has("client_secret")).as("the secret is not shown again").isFalse();
        assertThat(read.body()).doesNotContain(secret);
        assertThat(body.get("client_id").asText()).isEqualTo(id);
    }

    @Test
    void readUpdateAndDeleteWithTheRegistrationAccessToken() throws Exception {
        LogCapture log = LogCapture.start();
        ClientInformation info = register(metadata("read"));
        BearerAccessToken rat = info.getRegistrationAccessToken();

        HTTPResponse read = new ClientReadRequest(info.getRegistrationURI(), rat).toHTTPRequest().send();
        assertThat(read.getStatusCode()).as(read.getBody()).isEqualTo(200);
        assertThat(read.getHeaderValue("Cache-Control")).isEqualTo("no-store");
        ClientInformation current = ClientRegistrationResponse.parse(read).toSuccessResponse().getClientInformation();
        assertThat(current.getMetadata().getScope()).isEqualTo(new Scope("read"));

        ClientMetadata changed = metadata("read write");
        changed.setName("Renamed job");
        HTTPResponse update = new ClientUpdateRequest(info.getRegistrationURI(), info.getID(), rat, changed, info.getSecret())
                .toHTTPRequest().send();
        assertThat(update.getStatusCode()).as(update.getBody()).isEqualTo(200);
        ClientInformation updated = ClientRegistrationResponse.parse(update).toSuccessResponse().getClientInformation();
        assertThat(updated.getMetadata().getName()).isEqualTo("Renamed job");
        assertThat(updated.getMetadata().getScope()).isEqualTo(new Scope("read", "write"));

        HTTPResponse token = clientCredentials(new ClientSecretBasic(info.getID(), info.getSecret()), "write");
        assertThat(TokenResponse.parse(token).indicatesSuccess()).as("the old secret still works, the new scope too: " + token.getBody()).isTrue();

        HTTPResponse delete = new ClientDeleteRequest(info.getRegistrationURI(), rat).toHTTPRequest().send();
        assertThat(delete.getStatusCode()).isEqualTo(204);

        assertInvalidTokenChallenge(configuration("GET", info.getRegistrationURI(), rat.getValue(), null));
        assertInvalidClientWithBasicChallenge(server.postForm("/token", "grant_type=client_credentials",
                "Authorization", basic(info.getID().getValue(), info.getSecret().getValue())));

        try (log) {
            String id = info.getID().getValue();
            JsonNode created = log.audit("client.create").getFirst();
            assertThat(created.path("outcome").asText()).isEqualTo("success");
            assertThat(created.path("client_id").asText()).isEqualTo(id);
            assertThat(created.path("actor").asText()).isEqualTo("registration");
            assertThat(created.path("scope").asText()).isEqualTo("read");
            assertThat(created.path("ip").asText()).isEqualTo("127.0.0.1");
            JsonNode updatedEvent = log.audit("client.update").getFirst();
            assertThat(updatedEvent.path("client_id").asText()).isEqualTo(id);
            assertThat(updatedEvent.path("actor").asText()).isEqualTo("client:" + id);
            assertThat(updatedEvent.path("scope").asText()).isEqualTo("read write");
            assertThat(log.audit("client.delete")).singleElement().satisfies(e -> {
                assertThat(e.path("outcome").asText()).isEqualTo("success");
                assertThat(e.path("client_id").asText()).isEqualTo(id);
            });
            assertThat(log.text()).doesNotContain(rat.getValue()).doesNotContain(info.getSecret().getValue());
        }
    }

    @Test
    void wrongRegistrationAccessTokenThen401InvalidToken() throws Exception {
        ClientInformation mine = register(metadata("read"));
        ClientInformation theirs = register(metadata("read"));
        URI uri = mine.getRegistrationURI();
        String body = "{\"client_id\":\"" + mine.getID().getValue() + "\",\"scope\":\"read\"}";
        for (String wrong : List.of("wrong", theirs.getRegistrationAccessToken().getValue(), INITIAL, mine.getSecret().getValue())) {
            assertInvalidTokenChallenge(configuration("GET", uri, wrong, null));
            assertInvalidTokenChallenge(configuration("PUT", uri, wrong, body));
            assertInvalidTokenChallenge(configuration("DELETE", uri, wrong, null));
        }
        assertThat(server.clients().find(mine.getID().getValue())).as("still there").isPresent();
        // an unknown client looks the same as a wrong token
        assertInvalidTokenChallenge(configuration("GET", URI.create(server.url("/register/no-such-client")),
                mine.getRegistrationAccessToken().getValue(), null));
    }

    @Test
    void registrationWithoutInitialAccessTokenThen401InvalidToken() {
        assertInvalidTokenChallenge(postJson("{\"scope\":\"read\"}", null));
    }

    @Test
    void registrationWithWrongInitialAccessTokenThen401InvalidToken() {
        try (LogCapture log = LogCapture.start()) {
            assertInvalidTokenChallenge(postJson("{\"scope\":\"read\"}", INITIAL + "x"));
            assertThat(log.audit("client.create")).singleElement().satisfies(e -> {
                assertThat(e.path("outcome").asText()).isEqualTo("failure");
                assertThat(e.path("error").asText()).isEqualTo("invalid_token");
                assertThat(e.has("client_id")).isFalse();
            });
            assertThat(log.text()).doesNotContain(INITIAL);
        }
        assertInvalidTokenChallenge(postJson("{\"scope\":\"read\"}", INITIAL.substring(1)));
    }

    @Test
    void jwksAndJwksUriTogetherThenInvalidClientMetadata() {
        String jwks = new JWKSet(TestKeys.rsa("k")).toPublicJWKSet().toString();
        assertError(postJson("{\"token_endpoint_auth_method\":\"private_key_jwt\",\"jwks\":" + jwks
                + ",\"jwks_uri\":\"https://client.example.com/jwks\"}", INITIAL), 400, "invalid_client_metadata");
    }

    @Test
    void privateKeyJwtClientRegisteredWithJwksGetsNoSecretAndAuthenticatesWithItsKey() throws Exception {
        JWK key = TestKeys.rsa("reg-key");
        ClientMetadata m = metadata("read");
        m.setTokenEndpointAuthMethod(ClientAuthenticationMethod.PRIVATE_KEY_JWT);
        m.setTokenEndpointAuthJWSAlg(JWSAlgorithm.PS256);
        m.setJWKSet(new JWKSet(key).toPublicJWKSet());
        ClientInformation info = register(m);
        assertThat(info.getSecret()).isNull();

        PrivateKeyJWT auth = new PrivateKeyJWT(info.getID(), URI.create(server.url("/token")), JWSAlgorithm.PS256,
                key.toRSAKey().toPrivateKey(), "reg-key", null);
        HTTPResponse token = clientCredentials(auth, null);
        assertThat(TokenResponse.parse(token).indicatesSuccess()).as(token.getBody()).isTrue();
    }

    @Test
    void clientSecretJwtSecretIsStoredEncrypted() throws Exception {
        ClientMetadata m = metadata("read");
        m.setTokenEndpointAuthMethod(ClientAuthenticationMethod.CLIENT_SECRET_JWT);
        ClientInformation info = register(m);
        StoredClient stored = server.clients().find(info.getID().getValue()).orElseThrow();
        assertThat(stored.secretDigest()).isNull();
        assertThat(stored.secretEncrypted()).isNotNull().doesNotContain(info.getSecret().getValue());
        HTTPResponse token = clientCredentials(new com.nimbusds.oauth2.sdk.auth.ClientSecretJWT(info.getID(),
                URI.create(server.url("/token")), JWSAlgorithm.HS256, info.getSecret()), "read");
        assertThat(TokenResponse.parse(token).indicatesSuccess()).as(token.getBody()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"admin", "read admin", "unknown-scope"})
    void scopeBeyondPolicyThenInvalidClientMetadata(String scope) {
        assertError(postJson("{\"scope\":\"" + scope + "\"}", INITIAL), 400, "invalid_client_metadata");
    }

    @ParameterizedTest
    @ValueSource(strings = {"authorization_code", "refresh_token", "password", "urn:ietf:params:oauth:grant-type:jwt-bearer"})
    void grantBeyondPolicyThenInvalidClientMetadata(String grant) {
        assertError(postJson("{\"grant_types\":[\"client_credentials\",\"" + grant + "\"]}", INITIAL), 400, "invalid_client_metadata");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"allowed_resources\":[\"https://api.example.com\"]", "\"resource_uris\":[\"https://api.example.com\"]",
            "\"enabled\":true", "\"registered_dynamically\":false", "\"client_id_issued_at\":1", "\"client_secret_expires_at\":0"})
    void adminOnlyFieldThenInvalidClientMetadata(String field) {
        assertError(postJson("{\"scope\":\"read\"," + field + "}", INITIAL), 400, "invalid_client_metadata");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"token_endpoint_auth_method\":\"none\"}", "{\"token_endpoint_auth_method\":\"tls_client_auth\"}",
            "{\"response_types\":[\"code\"]}", "{\"grant_types\":\"client_credentials\"}", "{\"jwks\":\"not-a-set\"}",
            "{\"token_endpoint_auth_method\":\"private_key_jwt\"}", "{\"token_endpoint_auth_method\":\"private_key_jwt\",\"jwks\":{\"keys\":[1]}}",
            "{\"token_endpoint_auth_method\":\"private_key_jwt\",\"jwks\":{\"keys\":[]}}",
            "{\"jwks_uri\":\"ftp://client.example.com/jwks\",\"token_endpoint_auth_method\":\"private_key_jwt\"}",
            "{\"access_token_lifetime\":\"long\"}", "{\"access_token_lifetime\":1e40}", "{\"scope\":\"read\\\"quoted\"}",
            "{\"token_endpoint_auth_method\":\"client_secret_basic\",\"token_endpoint_auth_signing_alg\":\"RS256\"}",
            "{\"token_endpoint_auth_method\":\"client_secret_jwt\",\"token_endpoint_auth_signing_alg\":\"RS256\"}",
            "{\"token_endpoint_auth_method\":\"private_key_jwt\",\"token_endpoint_auth_signing_alg\":\"none\",\"jwks_uri\":\"https://c.example.com/j\"}",
            "[]", "\"just a string\"", "null", "{not json", ""})
    void malformedMetadataThenInvalidClientMetadata(String json) {
        assertError(postJson(json, INITIAL), 400, "invalid_client_metadata");
    }

    /** A jwks_uri every later fetch would refuse is refused now, with the outbound policy's reason. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "https://127.0.0.1/jwks | loopback", "https://localhost/jwks | loopback", "https://10.0.0.8/jwks | private",
            "https://169.254.169.254/latest/meta-data | link-local", "http://203.0.113.9/jwks | only https"})
    void jwksUriTheOutboundPolicyRefusesThenInvalidClientMetadataWithTheReason(String uri, String reason) {
        JsonNode body = assertError(postJson("{\"token_endpoint_auth_method\":\"private_key_jwt\",\"jwks_uri\":\"" + uri + "\"}", INITIAL),
                400, "invalid_client_metadata");
        assertThat(body.path("error_description").asText()).startsWith("jwks_uri " + uri).contains(reason);
    }

    /** Registration generates secrets of 512 bits, so client_secret_jwt with HS512 gets a key as long as its hash. */
    @Test
    void clientSecretJwtWithHs512ThenTheGeneratedSecretFitsTheAlgorithm() throws Exception {
        JsonNode body = json(postJson("{\"token_endpoint_auth_method\":\"client_secret_jwt\",\"token_endpoint_auth_signing_alg\":\"HS512\","
                + "\"scope\":\"read\"}", INITIAL));
        String secret = body.path("client_secret").asText();
        assertThat(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSizeGreaterThanOrEqualTo(64);
        HTTPResponse token = clientCredentials(new com.nimbusds.oauth2.sdk.auth.ClientSecretJWT(new com.nimbusds.oauth2.sdk.id.ClientID(body.path("client_id").asText()),
                URI.create(server.url("/token")), JWSAlgorithm.HS512, new com.nimbusds.oauth2.sdk.auth.Secret(secret)), "read");
        assertThat(token.getStatusCode()).as(token.getBody()).isEqualTo(200);
    }

    @Test
    void malformedRedirectUriThenInvalidRedirectUri() {
        assertError(postJson("{\"redirect_uris\":[\"https://exa mple.com/cb\"]}", INITIAL), 400, "invalid_redirect_uri");
    }

    /** RFC 7591 §3.2.2 has a code of its own for bad redirect URIs; RFC 6749 §3.1.2: absolute, no fragment. */
    @ParameterizedTest
    @ValueSource(strings = {"/relative/cb", "https://example.com/cb#fragment"})
    void relativeOrFragmentRedirectUriThenInvalidRedirectUri(String uri) {
        assertError(postJson("{\"redirect_uris\":[\"" + uri + "\"]}", INITIAL), 400, "invalid_redirect_uri");
    }

    @Test
    void nonJsonContentTypeThenInvalidClientMetadata() {
        HttpRequest r = HttpRequest.newBuilder(endpoint()).header("Authorization", "Bearer " + INITIAL)
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("scope=read")).build();
        assertError(TestServer.send(r), 400, "invalid_client_metadata");
    }

    @Test
    void updateWithAnotherClientIdThenInvalidRequest() throws Exception {
        ClientInformation info = register(metadata("read"));
        HttpResponse<String> r = configuration("PUT", info.getRegistrationURI(), info.getRegistrationAccessToken().getValue(),
                "{\"client_id\":\"someone-else\",\"scope\":\"read\"}");
        assertError(r, 400, "invalid_request");
    }

    @Test
    void updateBeyondPolicyOrWithAdminFieldThenInvalidClientMetadata() throws Exception {
        ClientInformation info = register(metadata("read"));
        String id = info.getID().getValue();
        String rat = info.getRegistrationAccessToken().getValue();
        assertError(configuration("PUT", info.getRegistrationURI(), rat, "{\"client_id\":\"" + id + "\",\"scope\":\"admin\"}"),
                400, "invalid_client_metadata");
        assertError(configuration("PUT", info.getRegistrationURI(), rat, "{\"client_id\":\"" + id + "\",\"enabled\":true}"),
                400, "invalid_client_metadata");
        assertThat(server.clients().find(id).orElseThrow().client().scope()).isEqualTo("read");
    }

    @Test
    void updateKeepsWhatOnlyTheAdministratorMaySet() throws Exception {
        ClientInformation info = register(metadata("read"));
        String id = info.getID().getValue();
        Client registered = server.clients().find(id).orElseThrow().client();
        server.clients().update(id, registered.toBuilder().enabled(false).allowedResources(List.of("https://api.example.com"))
                .resourceUris(List.of("https://rs.example.com")).build(), true);

        HTTPResponse update = new ClientUpdateRequest(info.getRegistrationURI(), info.getID(), info.getRegistrationAccessToken(),
                metadata("read write"), null).toHTTPRequest().send();
        assertThat(update.getStatusCode()).as(update.getBody()).isEqualTo(200);

        Client after = server.clients().find(id).orElseThrow().client();
        assertThat(after.scope()).isEqualTo("read write");
        assertThat(after.isEnabled()).as("a client the administrator disabled cannot enable itself").isFalse();
        assertThat(after.allowedResources()).containsExactly("https://api.example.com");
        assertThat(after.resourceUris()).containsExactly("https://rs.example.com");
        assertThat(after.registeredDynamically()).isTrue();
    }

    /**
     * RFC 7592 §2.2: an update carries every field a read returned (less the registration ones), so
     * values the administrator set come back unchanged and are not an attempt to set them.
     */
    @Test
    void updateWithWhatTheReadReturnedIsAcceptedEvenWithAdministratorSettings() throws Exception {
        ClientInformation info = register(metadata("read"));
        String id = info.getID().getValue();
        Client registered = server.clients().find(id).orElseThrow().client();
        server.clients().update(id, registered.toBuilder().allowedResources(List.of("https://api.example.com")).build(), true);
        String token = info.getRegistrationAccessToken().getValue();

        HttpResponse<String> read = configuration("GET", info.getRegistrationURI(), token, null);
        var document = (com.fasterxml.jackson.databind.node.ObjectNode) json(read);
        document.remove(List.of("registration_access_token", "registration_client_uri", "client_secret"));
        document.put("client_name", "Renamed job");
        HttpResponse<String> update = configuration("PUT", info.getRegistrationURI(), token, document.toString());

        assertThat(update.statusCode()).as(update.body()).isEqualTo(200);
        Client after = server.clients().find(id).orElseThrow().client();
        assertThat(after.clientName()).isEqualTo("Renamed job");
        assertThat(after.allowedResources()).containsExactly("https://api.example.com");
    }

    @Test
    void updateChangingAnAdministratorSettingThenInvalidClientMetadata() throws Exception {
        ClientInformation info = register(metadata("read"));
        String id = info.getID().getValue();
        Client registered = server.clients().find(id).orElseThrow().client();
        server.clients().update(id, registered.toBuilder().allowedResources(List.of("https://api.example.com")).build(), true);
        String token = info.getRegistrationAccessToken().getValue();

        var document = (com.fasterxml.jackson.databind.node.ObjectNode) json(configuration("GET", info.getRegistrationURI(), token, null));
        document.remove(List.of("registration_access_token", "registration_client_uri", "client_secret"));
        document.putArray("allowed_resources").add("https://api.example.com").add("https://other.example.com");
        assertError(configuration("PUT", info.getRegistrationURI(), token, document.toString()), 400, "invalid_client_metadata");
        assertThat(server.clients().find(id).orElseThrow().client().allowedResources()).containsExactly("https://api.example.com");
    }
}
