package dev.latch.server.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.core.error.OAuthError;
import dev.latch.server.ClientAssertion;
import dev.latch.server.TestKeys;
import dev.latch.server.http.FormParameters;
import dev.latch.server.http.Request;
import dev.latch.server.keys.MasterKey;
import dev.latch.server.outbound.OutboundFetcher;
import dev.latch.server.replay.JdbcReplayCache;
import dev.latch.server.scope.ScopeCatalogue;
import dev.latch.server.storage.Database;
import dev.latch.server.storage.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every authentication attempt runs exactly one credential check — a secret digest compared or a
 * signature verified — whether the client named exists or not, so timing cannot tell them apart.
 * Counted through {@link ClientAuthentication.CredentialCheck}, the seam every check passes.
 */
class ClientAuthenticationWorkTest {

    static final String ISSUER = "https://as.example.com";
    static final String HMAC_SECRET = "an-hmac-key-of-sixty-four-bytes-for-HS512-0123456789abcdefghijkl";
    static TestDatabase testDatabase;
    static Database database;
    static ClientAuthentication authentication;
    static String basicSecret;
    static JWK key;
    /** What each check was run against: the digest or the verifier's key, in order. */
    static final List<String> checks = new ArrayList<>();

    @BeforeAll
    static void open() {
        testDatabase = TestDatabase.h2();
        database = testDatabase.open();
        ClientRegistry registry = new ClientRegistry(new JdbcClientStore(database.sql()), new ScopeCatalogue(database.sql()),
                MasterKey.random(), Clock.systemUTC(), Duration.ofHours(24), new dev.latch.server.outbound.OutboundPolicy(java.util.List.of()));
        basicSecret = registry.create(new Client.Builder().clientId("basic-known").build(), null, true, null).clientSecret();
        registry.create(new Client.Builder().clientId("hmac-known").tokenEndpointAuthMethod(Client.SECRET_JWT).build(), HMAC_SECRET, true, null);
        key = TestKeys.rsa("k1");
        registry.create(new Client.Builder().clientId("key-known").tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                .jwks(TestKeys.publicJwks(key)).build(), null, true, null);
        ClientAuthentication.CredentialCheck counting = new ClientAuthentication.CredentialCheck() {
            @Override
            public boolean secretMatches(String presented, String storedDigest) {
                checks.add("secret " + storedDigest);
                return ClientAuthentication.CredentialCheck.STANDARD.secretMatches(presented, storedDigest);
            }

            @Override
            public boolean signatureValid(SignedJWT jwt, JWSVerifier verifier) throws JOSEException {
                checks.add("signature " + verifier.getClass().getSimpleName());
                return ClientAuthentication.CredentialCheck.STANDARD.signatureValid(jwt, verifier);
            }
        };
        authentication = new ClientAuthentication(registry, new ClientKeys(new OutboundFetcher(List.of(), Duration.ofSeconds(1), 1024),
                Clock.systemUTC()), new JdbcReplayCache(database.sql()), Clock.systemUTC(), ISSUER, Set.of(ISSUER + "/token"),
                Duration.ofSeconds(2), counting);
    }

    @AfterAll
    static void close() {
        database.close();
        testDatabase.close();
    }

    @Test
    void clientSecretBasicWhenClientUnknownThenOneSecretCheckAsForAWrongSecret() {
        List<String> unknown = refusedAfter(() -> attempt(basicHeader("basic-unknown", "wrong"), ""));
        List<String> wrong = refusedAfter(() -> attempt(basicHeader("basic-known", "wrong"), ""));
        List<String> right = checksOf(() -> attempt(basicHeader("basic-known", basicSecret), ""));

        assertThat(unknown).hasSize(1).allMatch(c -> c.startsWith("secret sha256:"));
        assertThat(wrong).hasSize(1).allMatch(c -> c.startsWith("secret sha256:"));
        assertThat(right).hasSize(1);
        assertThat(unknown).as("checked against a decoy digest, not against nothing").doesNotContain("secret null");
    }

    @Test
    void clientSecretPostWhenClientUnknownOrRegisteredForAnotherMethodThenOneSecretCheck() {
        assertThat(refusedAfter(() -> attempt(null, "&client_id=post-unknown&client_secret=wrong")))
                .hasSize(1).allMatch(c -> c.startsWith("secret sha256:"));
        assertThat(refusedAfter(() -> attempt(null, "&client_id=basic-known&client_secret=" + basicSecret)))
                .as("a basic client using client_secret_post").hasSize(1).allMatch(c -> c.startsWith("secret sha256:"));
    }

    @Test
    void clientSecretJwtWhenIssuerUnknownThenOneMacVerificationAsForAWrongSecret() {
        String other = "another-hmac-key-of-sixty-four-bytes-for-HS512-0123456789abcdefg";
        List<String> unknown = refusedAfter(() -> attempt(null, "&" + ClientAssertion.form(
                ClientAssertion.of("hmac-unknown", ISSUER).signHmac(other, JWSAlgorithm.HS512))));
        List<String> wrong = refusedAfter(() -> attempt(null, "&" + ClientAssertion.form(
                ClientAssertion.of("hmac-known", ISSUER).signHmac(other, JWSAlgorithm.HS512))));

        assertThat(unknown).containsExactly("signature MACVerifier");
        assertThat(wrong).containsExactly("signature MACVerifier");
    }

    @Test
    void privateKeyJwtWhenIssuerUnknownOrKidUnknownThenOneSignatureVerificationAsForAWrongKey() {
        JWK attacker = TestKeys.rsa("k1");
        List<String> unknown = refusedAfter(() -> attempt(null, "&" + ClientAssertion.form(
                ClientAssertion.of("key-unknown", ISSUER).kid("k1").sign(attacker, JWSAlgorithm.RS256))));
        List<String> unknownKid = refusedAfter(() -> attempt(null, "&" + ClientAssertion.form(
                ClientAssertion.of("key-known", ISSUER).kid("k9").sign(attacker, JWSAlgorithm.RS256))));
        List<String> wrongKey = refusedAfter(() -> attempt(null, "&" + ClientAssertion.form(
                ClientAssertion.of("key-known", ISSUER).kid("k1").sign(attacker, JWSAlgorithm.RS256))));
        List<String> right = checksOf(() -> attempt(null, "&" + ClientAssertion.form(
                ClientAssertion.of("key-known", ISSUER).kid("k1").sign(key, JWSAlgorithm.RS256))));

        for (List<String> c : List.of(unknown, unknownKid, wrongKey, right)) {
            assertThat(c).containsExactly("signature RSASSAVerifier");
        }
    }

    private static ClientAuthentication.Authenticated attempt(String authorization, String body) {
        Map<String, List<String>> headers = new java.util.HashMap<>();
        headers.put("Content-Type", List.of("application/x-www-form-urlencoded"));
        if (authorization != null) {
            headers.put("Authorization", List.of(authorization));
        }
        Request request = Request.of("POST", "/token", headers, ("grant_type=client_credentials" + body).getBytes(StandardCharsets.UTF_8));
        return authentication.authenticate(request, FormParameters.parse(request));
    }

    private static String basicHeader(String clientId, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> refusedAfter(Runnable attempt) {
        return checksOf(() -> {
            assertThatThrownBy(attempt::run).isInstanceOfSatisfying(OAuthError.class, e -> {
                assertThat(e.code()).isEqualTo("invalid_client");
                assertThat(e.description()).isEqualTo(ClientAuthentication.FAILED);
            });
            return null;
        });
    }

    private static List<String> checksOf(Supplier<?> attempt) {
        synchronized (checks) {
            checks.clear();
            attempt.get();
            return List.copyOf(checks);
        }
    }
}
