package dev.latch.client.auth;

import static dev.latch.client.auth.Assertions.verified;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.client.LocalEndpoint;
import dev.latch.client.LocalEndpoint.Answer;
import dev.latch.client.keys.GoogleServiceAccountKey;
import dev.latch.client.keys.KeyLoader;
import dev.latch.client.keys.KeyMaterial;
import dev.latch.client.token.AccessToken;
import dev.latch.client.token.TokenClient;
import dev.latch.client.token.TokenEndpoint;
import dev.latch.client.token.TokenRequest;
import dev.latch.core.jose.KeyFiles;
import dev.latch.server.TestClock;
import dev.latch.server.TestKeys;
import java.net.URI;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The provider presets: what Epic, Entra ID and Google document, claim by claim and header by header. */
class ProviderPresetsTest {

    static final TestClock clock = new TestClock(Instant.parse("2025-03-01T10:00:00Z"));
    static final URI EPIC_TOKEN = URI.create("https://fhir.epic.com/interconnect-fhir-oauth/oauth2/token");

    @ParameterizedTest
    @ValueSource(strings = {"RS384", "ES384"})
    void epicBackendServicesThenAudIsTokenUrlKidTypJwtAndExpWithinFiveMinutes(String algName) throws Exception {
        JWSAlgorithm alg = JWSAlgorithm.parse(algName);
        JWK key = TestKeys.generate(alg, "epic-kid");
        ClientAssertion assertion = ProviderPresets.epicBackendServices("epic-client-id", key, alg)
                .lifetime(Duration.ofMinutes(5)).clock(clock).build();

        SignedJWT jwt = verified(assertion.sign(null, EPIC_TOKEN), key.toPublicJWK());
        SignedJWT next = verified(assertion.sign(null, EPIC_TOKEN), key.toPublicJWK());

        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(alg);
        assertThat(jwt.getHeader().getKeyID()).isEqualTo("epic-kid");
        assertThat(jwt.getHeader().getType().getType()).isEqualTo("JWT");
        JWTClaimsSet c = jwt.getJWTClaimsSet();
        assertThat(c.getIssuer()).isEqualTo("epic-client-id");
        assertThat(c.getSubject()).isEqualTo("epic-client-id");
        assertThat(c.getAudience()).containsExactly(EPIC_TOKEN.toString());
        assertThat(Duration.between(c.getIssueTime().toInstant(), c.getExpirationTime().toInstant())).isLessThanOrEqualTo(Duration.ofMinutes(5));
        assertThat(c.getJWTID()).isNotEqualTo(next.getJWTClaimsSet().getJWTID());
    }

    @Test
    void epicWithAnotherAlgorithmOrIssuerAudienceOrNoKidThenRefused() {
        JWK rsa = TestKeys.generate(JWSAlgorithm.RS256, "k");
        assertThatThrownBy(() -> ProviderPresets.epicBackendServices("c", rsa, JWSAlgorithm.RS256).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Epic backend services accept RS384 or ES384 only, not RS256");
        assertThatThrownBy(() -> ProviderPresets.epicBackendServices("c", rsa, JWSAlgorithm.RS384).audience(ClientAssertion.Audience.ISSUER).build())
                .hasMessageContaining("aud = the token URL");
        assertThatThrownBy(() -> ProviderPresets.epicBackendServices("c", rsa, JWSAlgorithm.RS384).keyId(null).build())
                .hasMessageContaining("kid");
    }

    @Test
    void entraIdCertificateThenPs256X5tS256AndAudIsTheV2TokenUrl() throws Exception {
        KeyPair kp = KeyMaterial.rsa();
        X509Certificate cert = KeyMaterial.selfSigned(kp, "SHA256withRSA");
        JWK key = KeyLoader.withCertificates(KeyFiles.toJwk(kp.getPrivate(), null, List.of()), List.of(cert));
        URI token = ProviderPresets.entraIdTokenEndpoint("contoso.onmicrosoft.com");
        assertThat(token).hasToString("https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token");

        ClientAssertion assertion = ProviderPresets.entraIdCertificate("6731de76-14a6-49ae-97bc-6eba6914391e", key).x5t(true).clock(clock).build();
        SignedJWT jwt = verified(assertion.sign(ProviderPresets.entraIdIssuer("contoso.onmicrosoft.com"), token), key.toPublicJWK());

        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.PS256);
        assertThat(jwt.getHeader().getX509CertSHA256Thumbprint().decode()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        assertThat(jwt.getHeader().getX509CertThumbprint().decode()).isEqualTo(MessageDigest.getInstance("SHA-1").digest(cert.getEncoded()));
        assertThat(jwt.getJWTClaimsSet().getAudience()).containsExactly(token.toString());
        assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo("6731de76-14a6-49ae-97bc-6eba6914391e");
        assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo("6731de76-14a6-49ae-97bc-6eba6914391e");

        JWK noCert = TestKeys.generate(JWSAlgorithm.PS256, "k");
        assertThatThrownBy(() -> ProviderPresets.entraIdCertificate("c", noCert).build()).hasMessageContaining("certificate");
        assertThatThrownBy(() -> ProviderPresets.entraIdCertificate("c", key).x5tS256(false).build()).hasMessageContaining("x5t#S256");
    }

    @Test
    void googleServiceAccountThenJwtBearerGrantWithScopeClaimSubAndKid() throws Exception {
        try (LocalEndpoint google = LocalEndpoint.start()) {
            google.on("/token", Answer.json(200, "{\"access_token\":\"ya29.x\",\"token_type\":\"Bearer\",\"expires_in\":3599}"));
            JWK key = TestKeys.generate(JWSAlgorithm.RS256, "ignored");
            GoogleServiceAccountKey account = new GoogleServiceAccountKey("robot@proj.iam.gserviceaccount.com", key, "8f3e0c1d", google.url("/token"));
            ClientAssertion assertion = ProviderPresets.googleServiceAccount(account,
                    List.of("https://mail.google.com/", "https://www.googleapis.com/auth/gmail.send"), "alice@example.com").clock(clock).build();

            AccessToken token = TokenClient.builder().clock(clock).build().request(TokenEndpoint.of(account.tokenUri()), TokenRequest.jwtBearer(assertion));

            assertThat(token.value()).isEqualTo("ya29.x");
            LocalEndpoint.Recorded r = google.last();
            Map<String, String> form = r.form();
            // RFC 7523 §2.1: grant_type and assertion; the scope travels in the assertion, no client authentication
            assertThat(form.keySet()).containsExactly("grant_type", "assertion");
            assertThat(form.get("grant_type")).isEqualTo("urn:ietf:params:oauth:grant-type:jwt-bearer");
            assertThat(r.header("Authorization")).isNull();
            SignedJWT jwt = verified(form.get("assertion"), key.toPublicJWK());
            assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
            assertThat(jwt.getHeader().getKeyID()).isEqualTo("8f3e0c1d");
            JWTClaimsSet c = jwt.getJWTClaimsSet();
            assertThat(c.getIssuer()).isEqualTo("robot@proj.iam.gserviceaccount.com");
            assertThat(c.getSubject()).isEqualTo("alice@example.com");
            assertThat(c.getAudience()).containsExactly(account.tokenUri().toString());
            assertThat(c.getStringClaim("scope")).isEqualTo("https://mail.google.com/ https://www.googleapis.com/auth/gmail.send");
            assertThat(c.getExpirationTime().toInstant()).isEqualTo(clock.instant().plusSeconds(60));
        }
    }

    @Test
    void googleWithoutDelegationHasNoSubAndWithoutScopeIsRefused() throws Exception {
        JWK key = TestKeys.generate(JWSAlgorithm.RS256, "k");
        GoogleServiceAccountKey account = new GoogleServiceAccountKey("robot@p.iam.gserviceaccount.com", key, "id1", URI.create("https://oauth2.googleapis.com/token"));
        SignedJWT jwt = SignedJWT.parse(ProviderPresets.googleServiceAccount(account, List.of("s"), null).build().sign(null, account.tokenUri()));
        assertThat(jwt.getJWTClaimsSet().getSubject()).isNull();
        assertThatThrownBy(() -> ProviderPresets.googleServiceAccount(account, List.of(), null)).hasMessageContaining("scope");
    }
}
