package dev.latch.client.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.client.LocalEndpoint;
import dev.latch.client.LocalEndpoint.Answer;
import dev.latch.client.auth.ClientAuthentication;
import dev.latch.client.auth.FormPost;
import dev.latch.client.oidc.CodeExchange;
import dev.latch.client.token.AccessToken;
import dev.latch.client.token.TokenClient;
import dev.latch.client.token.TokenEndpoint;
import dev.latch.client.token.TokenRequest;
import dev.latch.server.InMemoryUserStore;
import dev.latch.server.TestKeys;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import dev.latch.server.code.ApprovedAuthorization;
import dev.latch.server.user.User;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java of {@code docs/client-library.md} and of the Epic and Entra ID guides is the compiled code of
 * {@link ClientLibraryExamples}, {@link EpicBackendServicesExample} and {@link EntraIdCertificateExample},
 * and the examples that take their endpoints as parameters run: against a real Latch server, or a local
 * endpoint standing in for an API or for Google's token endpoint.
 */
class DocExamplesTest {

    static final String EXAMPLES = "latch-client/src/test/java/dev/latch/client/docs/";
    static TestServer latch;

    @BeforeAll
    static void start() {
        InMemoryUserStore users = new InMemoryUserStore();
        users.insert(new User("u-7f3a", "alice", Map.of("name", "Alice Example"), List.of(), null, true, 1_600_000_000L, 1_600_000_000L));
        latch = TestServer.start(Map.of(), Clock.systemUTC(), users);
    }

    @AfterAll
    static void stop() {
        latch.close();
    }

    @Test
    void clientLibraryPageShowsTheCompiledExamples() {
        DocExamples.assertPageShowsExactly("docs/client-library.md", EXAMPLES + "ClientLibraryExamples.java");
    }

    @Test
    void quickStartGetsATokenFromLatchByDiscoveryAndCallsTheApiWithIt() throws Exception {
        String secret = latch.basicClient("nightly-export", "system/Patient.rs").clientSecret();
        try (LocalEndpoint api = LocalEndpoint.start()) {
            api.on("/r4/Patient", Answer.json(200, "{\"resourceType\":\"Bundle\"}"));

            ClientLibraryExamples.quickStart(URI.create(latch.issuer()), secret, api.url("/r4/Patient"));

            String authorization = api.last().header("Authorization");
            assertThat(authorization).startsWith("Bearer ");
            JWTClaimsSet claims = SignedJWT.parse(authorization.substring("Bearer ".length())).getJWTClaimsSet();
            assertThat(claims.getSubject()).isEqualTo("nightly-export");
            assertThat(claims.getIssuer()).isEqualTo(latch.issuer());
            assertThat(claims.getStringClaim("scope")).isEqualTo("system/Patient.rs");
        }
    }

    @Test
    void assertionOptionsPutEachHeaderTheyNameAndTheTokenUrlAsAudience() throws Exception {
        JWK key = TestKeys.withSelfSignedCertificate(TestKeys.generate(JWSAlgorithm.PS256, "k1"));
        URI tokenUrl = URI.create("https://login.example.org/token");

        SignedJWT jwt = SignedJWT.parse(ClientLibraryExamples.assertionOptions(key).sign(URI.create("https://login.example.org"), tokenUrl));

        byte[] der = key.getX509CertChain().get(0).decode();
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.PS256);
        assertThat(jwt.getHeader().getKeyID()).isEqualTo("orders-2025");
        assertThat(jwt.getHeader().getX509CertThumbprint()).isEqualTo(Base64URL.encode(MessageDigest.getInstance("SHA-1").digest(der)));
        assertThat(jwt.getHeader().getX509CertSHA256Thumbprint()).isEqualTo(Base64URL.encode(MessageDigest.getInstance("SHA-256").digest(der)));
        assertThat(jwt.getHeader().getType().getType()).isEqualTo("JWT");
        assertThat(jwt.getHeader().getJWKURL()).hasToString("https://orders.example.org/jwks.json");
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertThat(claims.getAudience()).containsExactly(tokenUrl.toString());
        assertThat(claims.getIssuer()).isEqualTo("orders-service");
        assertThat(claims.getSubject()).isEqualTo("orders-service");
        assertThat(Duration.between(claims.getIssueTime().toInstant(), claims.getExpirationTime().toInstant())).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void googleExampleSendsAJwtBearerGrantActingForTheMailbox(@TempDir Path dir) throws Exception {
        JWK key = TestKeys.generate(JWSAlgorithm.RS256, "unused");
        try (LocalEndpoint google = LocalEndpoint.start()) {
            google.on("/token", Answer.json(200, "{\"access_token\":\"ya29.example\",\"token_type\":\"Bearer\",\"expires_in\":3599}"));
            Path file = dir.resolve("service-account.json");
            Files.writeString(file, "{\"type\":\"service_account\",\"private_key_id\":\"3f1c\",\"private_key\":"
                    + com.nimbusds.jose.util.JSONStringUtils.toJSONString(pkcs8Pem(key))
                    + ",\"client_email\":\"mailer@project.iam.gserviceaccount.com\",\"token_uri\":\"" + google.url("/token") + "\"}");

            String credential = ClientLibraryExamples.google(file.toString());

            assertThat(credential).isEqualTo("ya29.example");
            Map<String, String> form = google.last().form();
            assertThat(form.keySet()).containsExactly("grant_type", "assertion");
            assertThat(form.get("grant_type")).isEqualTo("urn:ietf:params:oauth:grant-type:jwt-bearer");
            SignedJWT jwt = SignedJWT.parse(form.get("assertion"));
            assertThat(jwt.verify(new com.nimbusds.jose.crypto.RSASSAVerifier(key.toRSAKey()))).isTrue();
            assertThat(jwt.getHeader().getKeyID()).isEqualTo("3f1c");
            assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo("mailer@project.iam.gserviceaccount.com");
            assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo("reports@example.com");
            assertThat(jwt.getJWTClaimsSet().getStringClaim("scope")).isEqualTo("https://mail.google.com/");
            assertThat(jwt.getJWTClaimsSet().getAudience()).containsExactly(google.url("/token").toString());
        }
    }

    @Test
    void signInExampleExchangesACodeAndValidatesLatchsIdToken() throws Exception {
        String secret = "web-secret-for-the-client-library-page-0123456789";
        URI redirect = URI.create("https://app.example/callback");
        latch.clients().create(new Client.Builder().clientId("web").scope("openid profile offline_access")
                .grantTypes(List.of("authorization_code", "refresh_token")).redirectUris(List.of(redirect.toString())).build(),
                secret, true, null);
        String verifier = "dBjftJeZ4CVP-mJ92K9ABC.defghijklmnopqrstuvwxyz~_0123";
        String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        long now = Clock.systemUTC().instant().getEpochSecond();
        // the code the authorization endpoint would redirect with once alice has signed in and consented
        String code = latch.server().authorizationCodes().issue(new ApprovedAuthorization("web", "u-7f3a", redirect.toString(),
                "openid profile offline_access", "n-0c4e", challenge, now, "sid-1", List.of("pwd"), List.of(), true), now + 60);

        CodeExchange.SignIn signIn = ClientLibraryExamples.signIn(URI.create(latch.issuer()), secret, code, redirect, verifier, "n-0c4e");

        assertThat(signIn.idToken().getSubject()).isEqualTo("u-7f3a");
        assertThat(signIn.idToken().getStringClaim("nonce")).isEqualTo("n-0c4e");
        assertThat(signIn.tokens().refreshToken()).isNotNull();
    }

    @Test
    void epicGuideShowsTheCompiledExample() {
        DocExamples.assertPageShowsExactly("docs/guides/epic-backend-services.md", EXAMPLES + "EpicBackendServicesExample.java");
    }

    @Test
    void epicExampleGetsATokenWithThePresetAndReadsAPatient(@TempDir Path dir) throws Exception {
        JWK key = TestKeys.generate(JWSAlgorithm.RS384, "epic-2025-01");
        latch.register(new Client.Builder().clientId("epic-demo").scope("system/Patient.rs").tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                .tokenEndpointAuthSigningAlg("RS384").jwks(TestKeys.publicJwks(key)).build());
        Path keyFile = Files.writeString(dir.resolve("epic.jwk.json"), key.toJSONString());
        try (LocalEndpoint fhir = LocalEndpoint.start()) {
            fhir.on("/r4/Patient/e63wRTbPfr1p8UW81d8Seiw3", Answer.json(200, "{\"resourceType\":\"Patient\"}"));

            var patient = EpicBackendServicesExample.readPatient(keyFile.toString(), "epic-demo", URI.create(latch.url("/token")),
                    fhir.origin() + "/r4", "e63wRTbPfr1p8UW81d8Seiw3");

            assertThat(patient.statusCode()).isEqualTo(200);
            assertThat(fhir.last().header("Accept")).isEqualTo("application/fhir+json");
            String token = fhir.last().header("Authorization").substring("Bearer ".length());
            assertThat(SignedJWT.parse(token).getJWTClaimsSet().getSubject()).isEqualTo("epic-demo");
        }
    }

    @Test
    void entraGuideShowsTheCompiledExample() {
        DocExamples.assertPageShowsExactly("docs/guides/entra-id-certificate.md", EXAMPLES + "EntraIdCertificateExample.java");
    }

    @Test
    void entraCredentialIsAcceptedByLatchWhichFindsTheKeyByItsCertificateThumbprint(@TempDir Path dir) throws Exception {
        JWK withCertificate = TestKeys.withSelfSignedCertificate(TestKeys.generate(JWSAlgorithm.PS256, "unused"));
        Map<String, Object> json = withCertificate.toJSONObject();
        json.remove("kid"); // no kid: the key is named only by x5t#S256, as Entra ID names it
        JWK key = JWK.parse(json);
        latch.register(new Client.Builder().clientId("entra-demo").scope("graph").tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                .tokenEndpointAuthSigningAlg("PS256").jwks(TestKeys.publicJwks(key)).build());
        Path keyFile = Files.writeString(dir.resolve("entra.jwk.json"), key.toJSONString());

        ClientAuthentication entra = EntraIdCertificateExample.credential(keyFile.toString(), "entra-demo");
        FormPost sent = TokenClient.create().form(TokenEndpoint.of(URI.create(latch.url("/token"))), entra, TokenRequest.clientCredentials("graph"));
        AccessToken token = TokenClient.create().request(TokenEndpoint.of(URI.create(latch.url("/token"))), entra,
                TokenRequest.clientCredentials("graph"));

        SignedJWT assertion = SignedJWT.parse(sent.first("client_assertion"));
        assertThat(assertion.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.PS256);
        assertThat(assertion.getHeader().getKeyID()).isNull();
        assertThat(assertion.getHeader().getX509CertSHA256Thumbprint()).isEqualTo(key.getX509CertSHA256Thumbprint());
        assertThat(assertion.getJWTClaimsSet().getAudience()).containsExactly(latch.url("/token"));
        assertThat(sent.first("client_id")).isEqualTo("entra-demo");
        assertThat(SignedJWT.parse(token.value()).getJWTClaimsSet().getSubject()).isEqualTo("entra-demo");
    }

    static String pkcs8Pem(JWK key) throws Exception {
        java.io.StringWriter out = new java.io.StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key.toRSAKey().toPrivateKey(), null));
        }
        return out.toString();
    }
}
